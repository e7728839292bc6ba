// The dependency walk: what materialized views read, from pg_depend and pg_rewrite, through plain
// views and other materialized views down to tables. SPI, with the safe search_path; results are
// allocated with SPI_palloc, so they outlive the SPI connection.
#pragma once

#include <type_traits>

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace mvs::pg {

// A relation a materialized view reads. Plain data.
struct SourceRow {
    Oid view;
    Oid source;
    char relkind;
    int32 depth; // 1: named in the view's own query
    bool direct; // reached through plain views only (the view's own query reads it)
    char* name;  // the source as regclass text
};
static_assert(std::is_trivially_destructible_v<SourceRow>, "kept across SPI calls");

// A function a view's own query (or a plain view it reads) calls, directly or as an operator.
struct CalledFunction {
    Oid view;
    char* name;      // proname
    char* signature; // regprocedure text
    int16 nargs;
    char volatility;
    bool builtin;
};
static_assert(std::is_trivially_destructible_v<CalledFunction>, "kept across SPI calls");

// The materialized views `role` may see the status of: those it may SELECT from, and those whose
// schedule's owner it has the privileges of (matview_scheduler.status's rule). Sorted by oid.
int catalog_visible_matviews(Oid role, Oid** out);
// What each of the `n` views reads, every relation once per view (its least depth), ordered by
// view, depth and name.
int catalog_view_sources(const Oid* views, int n, SourceRow** out);
// The functions the `n` views' own queries call (through plain views).
int catalog_view_functions(const Oid* views, int n, CalledFunction** out);
// Of the `n` views, those whose own query uses CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIME, ... (SQL
// syntax that reads the clock without a function in the catalog's dependencies).
struct ClockSyntax {
    Oid view;
    const char* name; // the first of them in the view, e.g. "CURRENT_DATE"
};
int catalog_views_reading_clock(const Oid* views, int n, ClockSyntax** out);
// Of the `n` views, those whose own query (or a plain view it reads) reads a table PostgreSQL
// created (a system catalog): read from the rules' query trees, since pg_depend records no
// dependency on pinned catalogs. The first one each, by name.
struct SystemRead {
    Oid view;
    char* name; // regclass text
};
static_assert(std::is_trivially_destructible_v<SystemRead>, "kept across SPI calls");
int catalog_views_reading_system_tables(const Oid* views, int n, SystemRead** out);

// For only_if_changed: the relations whose change counters say whether `view` changed, sorted and
// distinct: what its query reads through plain views (tables, partitioned tables, materialized
// views, and the plain views themselves, whose replacement changes what it reads), with their
// inheritance parents and children at any depth (a write into a partition counts for its
// parents, and one into a parent may land in any partition). A materialized view it reads is not
// followed further: its rows change only when it is refreshed, which moves its own counter.
// Allocated in the current memory context.
int catalog_change_sources(Oid view, Oid** out);

// For the scheduler: the materialized views the `n` views read directly or through plain views,
// with their schedules' state. Plain data.
// The schedule of a materialized view a due view reads, as the wait for sources needs it.
struct SourceState {
    Oid source;
    bool due; // its schedule is due by the horizon and not paused
    TimestampTz next_run;
    bool active; // its schedule's last run is running or waiting
};
static_assert(std::is_trivially_destructible_v<SourceState>, "kept across SPI calls");
// One row per source that has a schedule. An 'on change' source waiting for a change (last looked
// at in `watch_generation`) is not due.
int catalog_sources_state(const Oid* sources, int n, TimestampTz horizon, uint64 watch_generation,
                          SourceState** out);

} // namespace mvs::pg
