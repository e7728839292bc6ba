// What each change-aware view reads, as the scheduler needs it at every due time: whether its
// changes can be tracked, and the relations whose counters say whether it changed. Finding that out
// walks pg_depend and pg_rewrite (several statements); the answer is kept in the scheduler until
// PostgreSQL announces a change of any relation or function (its invalidation messages: DDL,
// ANALYZE), after which every view is walked again. In a database whose schema is still, a due
// time costs no walk.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

struct ViewSources {
    bool tracked;
    int n_sources;
    const Oid* sources; // valid until the next call
};

// Registers the invalidation callbacks; once per process.
void view_sources_cache_init();
// The view's sources (within a transaction, the catalog search_path set).
ViewSources view_sources(Oid view);
// Whether view_sources(view) would answer without a statement.
bool view_sources_known(Oid view);

// The materialized views each of `n` views reads through plain views only (what it waits for when
// both are due), one statement for the views not yet known. Kept until a relation other than a
// materialized view on the way changes: a REFRESH (which announces its view's relation as changed)
// cannot change what any view reads.
struct ViewMatviews {
    int n;
    const Oid* matviews; // valid until the next call
};
void view_matview_sources(const Oid* views, int n, ViewMatviews* out);

} // namespace mvs::pg
