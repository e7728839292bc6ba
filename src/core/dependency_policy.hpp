// What the dependency walk decides about a materialized view: from the kinds of the relations it
// reads and the functions its query calls, whether its changes can be tracked exactly and, if not,
// why. Only what the view's own query reads counts (directly or through plain views): another
// materialized view it reads changes only when that view is refreshed, which counts as its change.
#pragma once

namespace mvs {

enum class RelationKind { Table, PartitionedTable, ForeignTable, MaterializedView, View, Other };

enum class Untracked {
    No,                 // tracked
    ForeignTable,       // reads a foreign table: its changes happen elsewhere
    UnfollowedRelation, // reads a relation of a kind the walk cannot follow
    MutableFunction,    // calls a user function that is not IMMUTABLE: it may read tables
    TimeDependent,      // calls a built-in whose result changes with the clock or at random
    VolatileBuiltin,    // calls another volatile built-in function (it may read anything)
    TooDeep,            // reads plain views nested deeper than the walk follows
    SystemCatalog,      // reads a system catalog: PostgreSQL writes it without the executor
};

// How deep the walk follows views (each level one view's query); a cycle made by replacing a plain
// view also ends there.
constexpr int kMaxViewNesting = 32;

// PostgreSQL's pg_class.relkind letter.
RelationKind relation_kind(char relkind) noexcept;
// "table", "partitioned table", "foreign table", "materialized view", "view", "other".
const char* relation_kind_name(RelationKind kind) noexcept;
// Whether reading a relation of this kind keeps the view tracked.
Untracked classify_relation(RelationKind kind) noexcept;
// The same for a relation the view's own query reads at `depth` (1: named in the query): a plain
// view at the walk's last level is not followed, so what it reads is unknown.
Untracked classify_source(RelationKind kind, int depth) noexcept;
// The same for a relation PostgreSQL created (initdb): a table among them is a system catalog,
// written by DDL without the executor, so its changes cannot be seen.
Untracked classify_source(RelationKind kind, int depth, bool system) noexcept;

// A function the query calls (directly or as an operator's implementation). Plain data.
struct FunctionFacts {
    const char* name = ""; // its name, unqualified
    int nargs = 0;
    char volatility = 'v'; // pg_proc.provolatile: 'i', 's' or 'v'
    bool builtin = false;  // PostgreSQL's own (in pg_catalog, created by initdb)
};
Untracked classify_function(const FunctionFacts& f) noexcept;

// CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP, LOCALTIME, LOCALTIMESTAMP: SQL syntax that reads
// the clock without a function call in the query tree (before PostgreSQL 16).
Untracked classify_clock_syntax() noexcept;

// The reason's words, to be followed by what it names: "reads foreign table", ...
const char* untracked_phrase(Untracked why) noexcept;

} // namespace mvs
