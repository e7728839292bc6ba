// What makes a materialized view untracked: the kinds of relations it reads and the functions it
// calls.
#include <gtest/gtest.h>

#include "core/dependency_policy.hpp"

namespace {

using mvs::FunctionFacts;
using mvs::RelationKind;
using mvs::Untracked;

FunctionFacts fn(const char* name, char volatility, bool builtin, int nargs = 0) {
    FunctionFacts f;
    f.name = name;
    f.volatility = volatility;
    f.builtin = builtin;
    f.nargs = nargs;
    return f;
}

TEST(DependencyPolicy, RelationKinds) {
    EXPECT_EQ(mvs::relation_kind('r'), RelationKind::Table);
    EXPECT_EQ(mvs::relation_kind('p'), RelationKind::PartitionedTable);
    EXPECT_EQ(mvs::relation_kind('f'), RelationKind::ForeignTable);
    EXPECT_EQ(mvs::relation_kind('m'), RelationKind::MaterializedView);
    EXPECT_EQ(mvs::relation_kind('v'), RelationKind::View);
    for (char k : {'S', 'c', 't', 'i', 'I', '\0', 'x'})
        EXPECT_EQ(mvs::relation_kind(k), RelationKind::Other) << k;
    EXPECT_STREQ(mvs::relation_kind_name(RelationKind::PartitionedTable), "partitioned table");
    EXPECT_STREQ(mvs::relation_kind_name(RelationKind::Other), "other");
}

TEST(DependencyPolicy, WhichRelationsAreFollowed) {
    EXPECT_EQ(mvs::classify_relation(RelationKind::Table), Untracked::No);
    EXPECT_EQ(mvs::classify_relation(RelationKind::PartitionedTable), Untracked::No);
    EXPECT_EQ(mvs::classify_relation(RelationKind::MaterializedView), Untracked::No);
    EXPECT_EQ(mvs::classify_relation(RelationKind::View), Untracked::No);
    EXPECT_EQ(mvs::classify_relation(RelationKind::ForeignTable), Untracked::ForeignTable);
    EXPECT_EQ(mvs::classify_relation(RelationKind::Other), Untracked::UnfollowedRelation);
}

TEST(DependencyPolicy, UserFunctionsMustBeImmutable) {
    EXPECT_EQ(mvs::classify_function(fn("f", 'i', false)), Untracked::No);
    EXPECT_EQ(mvs::classify_function(fn("f", 's', false)), Untracked::MutableFunction);
    EXPECT_EQ(mvs::classify_function(fn("f", 'v', false)), Untracked::MutableFunction);
    // A user function named like a built-in is judged as a user function.
    EXPECT_EQ(mvs::classify_function(fn("lower", 's', false)), Untracked::MutableFunction);
}

TEST(DependencyPolicy, ClockAndChanceBuiltins) {
    for (const char* name :
         {"now", "transaction_timestamp", "statement_timestamp", "clock_timestamp", "timeofday",
          "random", "current_date", "localtimestamp"}) {
        EXPECT_EQ(mvs::classify_function(fn(name, 's', true)), Untracked::TimeDependent) << name;
        EXPECT_EQ(mvs::classify_function(fn(name, 'v', true)), Untracked::TimeDependent) << name;
    }
    EXPECT_EQ(mvs::classify_function(fn("age", 's', true, 1)), Untracked::TimeDependent);
    EXPECT_EQ(mvs::classify_function(fn("age", 'i', true, 2)), Untracked::No);
    EXPECT_EQ(mvs::classify_clock_syntax(), Untracked::TimeDependent);
}

TEST(DependencyPolicy, OtherBuiltins) {
    EXPECT_EQ(mvs::classify_function(fn("lower", 'i', true)), Untracked::No);
    EXPECT_EQ(mvs::classify_function(fn("to_char", 's', true)), Untracked::No);
    EXPECT_EQ(mvs::classify_function(fn("nextval", 'v', true)), Untracked::VolatileBuiltin);
    EXPECT_EQ(mvs::classify_function(fn("query_to_xml", 'v', true)), Untracked::VolatileBuiltin);
}

TEST(DependencyPolicy, ViewsBeyondTheWalkAreUnknown) {
    EXPECT_EQ(mvs::classify_source(RelationKind::View, 1), Untracked::No);
    EXPECT_EQ(mvs::classify_source(RelationKind::View, mvs::kMaxViewNesting - 1), Untracked::No);
    // The walk stops at this level: what this view reads is not known.
    EXPECT_EQ(mvs::classify_source(RelationKind::View, mvs::kMaxViewNesting), Untracked::TooDeep);
    // A table there is known and followed by its own change counter.
    EXPECT_EQ(mvs::classify_source(RelationKind::Table, mvs::kMaxViewNesting), Untracked::No);
    EXPECT_EQ(mvs::classify_source(RelationKind::ForeignTable, 2), Untracked::ForeignTable);
    EXPECT_STREQ(mvs::untracked_phrase(Untracked::TooDeep),
                 "reads views nested 32 or more levels deep, not followed past");
}

TEST(DependencyPolicy, SystemCatalogsAreUntracked) {
    // PostgreSQL writes its catalogs without the executor: no hook sees those writes.
    EXPECT_EQ(mvs::classify_source(RelationKind::Table, 1, true), Untracked::SystemCatalog);
    EXPECT_EQ(mvs::classify_source(RelationKind::Table, 3, true), Untracked::SystemCatalog);
    // Its plain views (information_schema, pg_roles) are followed to the catalogs they read.
    EXPECT_EQ(mvs::classify_source(RelationKind::View, 1, true), Untracked::No);
    EXPECT_EQ(mvs::classify_source(RelationKind::Table, 1, false), Untracked::No);
    EXPECT_EQ(mvs::classify_source(RelationKind::View, mvs::kMaxViewNesting, false),
              Untracked::TooDeep);
    EXPECT_STREQ(mvs::untracked_phrase(Untracked::SystemCatalog), "reads system catalog");
}

TEST(DependencyPolicy, EveryReasonHasWords) {
    for (Untracked u : {Untracked::ForeignTable, Untracked::UnfollowedRelation,
                        Untracked::MutableFunction, Untracked::TimeDependent,
                        Untracked::VolatileBuiltin, Untracked::TooDeep, Untracked::SystemCatalog})
        EXPECT_STRNE(mvs::untracked_phrase(u), "");
    EXPECT_STREQ(mvs::untracked_phrase(Untracked::No), "");
}

} // namespace
