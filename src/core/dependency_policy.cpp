#include "dependency_policy.hpp"

#include <cstring>

namespace mvs {

RelationKind relation_kind(char relkind) noexcept {
    switch (relkind) {
    case 'r':
        return RelationKind::Table;
    case 'p':
        return RelationKind::PartitionedTable;
    case 'f':
        return RelationKind::ForeignTable;
    case 'm':
        return RelationKind::MaterializedView;
    case 'v':
        return RelationKind::View;
    default:
        return RelationKind::Other;
    }
}

const char* relation_kind_name(RelationKind kind) noexcept {
    switch (kind) {
    case RelationKind::Table:
        return "table";
    case RelationKind::PartitionedTable:
        return "partitioned table";
    case RelationKind::ForeignTable:
        return "foreign table";
    case RelationKind::MaterializedView:
        return "materialized view";
    case RelationKind::View:
        return "view";
    case RelationKind::Other:
        break;
    }
    return "other";
}

Untracked classify_relation(RelationKind kind) noexcept {
    switch (kind) {
    case RelationKind::Table:
    case RelationKind::PartitionedTable:
    case RelationKind::MaterializedView:
    case RelationKind::View:
        return Untracked::No;
    case RelationKind::ForeignTable:
        return Untracked::ForeignTable;
    case RelationKind::Other:
        break;
    }
    return Untracked::UnfollowedRelation;
}

Untracked classify_source(RelationKind kind, int depth) noexcept {
    if (kind == RelationKind::View && depth >= kMaxViewNesting)
        return Untracked::TooDeep;
    return classify_relation(kind);
}

Untracked classify_source(RelationKind kind, int depth, bool system) noexcept {
    if (system && (kind == RelationKind::Table || kind == RelationKind::PartitionedTable))
        return Untracked::SystemCatalog;
    return classify_source(kind, depth);
}

namespace {

// Built-ins whose result changes with the clock or at random, whatever their volatility says
// (now() is STABLE: fixed within a transaction, different in the next refresh).
bool clock_or_random(const FunctionFacts& f) noexcept {
    static const char* const kNames[] = {
        "now",
        "transaction_timestamp",
        "statement_timestamp",
        "clock_timestamp",
        "timeofday",
        "random",
        "random_normal",
        "current_date",
        "current_time",
        "current_timestamp",
        "localtime",
        "localtimestamp",
        "setseed",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
    };
    for (const char* name : kNames)
        if (std::strcmp(f.name, name) == 0)
            return true;
    // age(timestamp) measures from today's midnight; age(a, b) does not read the clock.
    return std::strcmp(f.name, "age") == 0 && f.nargs == 1;
}

} // namespace

Untracked classify_function(const FunctionFacts& f) noexcept {
    if (f.builtin) {
        if (clock_or_random(f))
            return Untracked::TimeDependent;
        // Volatile built-ins may read anything (nextval, query_to_xml, pg_read_file, ...); stable
        // and immutable ones read no user table.
        return f.volatility == 'v' ? Untracked::VolatileBuiltin : Untracked::No;
    }
    return f.volatility == 'i' ? Untracked::No : Untracked::MutableFunction;
}

Untracked classify_clock_syntax() noexcept {
    return Untracked::TimeDependent;
}

const char* untracked_phrase(Untracked why) noexcept {
    switch (why) {
    case Untracked::No:
        return "";
    case Untracked::ForeignTable:
        return "reads foreign table";
    case Untracked::UnfollowedRelation:
        return "reads a relation whose changes cannot be followed:";
    case Untracked::MutableFunction:
        return "calls a function that is not immutable and may read tables:";
    case Untracked::TimeDependent:
        return "depends on the clock or chance:";
    case Untracked::VolatileBuiltin:
        return "calls a volatile function:";
    case Untracked::TooDeep:
        return "reads views nested 32 or more levels deep, not followed past";
    case Untracked::SystemCatalog:
        return "reads system catalog";
    }
    return "";
}

} // namespace mvs
