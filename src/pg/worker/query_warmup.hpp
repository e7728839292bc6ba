// A refresh worker's first run of a view in a new process is slow to start: its query loads the
// libraries of the languages it calls and fills the process's catalog caches. This does that work
// while the run waits for its due time. A run after a sleep is slow to start as well, less so: the
// CPU's caches have gone cold. Planning the query again just before the due time warms them.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace mvs::pg {

// Plans the materialized view's query and starts its executor without running it, as REFRESH
// would (as the view's owner, security-restricted), then rolls all of it back. Only when `role`
// may refresh the view, only once per view in a process, and never an error: whatever fails here
// fails again, and is reported, in the REFRESH. A cancel is passed on.
void warm_up_view_query(Oid view, Oid role);

// When to plan the view's query once more before a run due at `due` (core/final_warm_up.hpp), or
// 0 for not at all: the view was not warmed up in this process, its last such warm-up took too
// long, or there is no time left for one.
TimestampTz final_warm_up_at(Oid view, TimestampTz due);

// Plans the query and starts its executor as warm_up_view_query does, but without the new heap
// (which would write WAL and take a transaction ID at every run), waiting at most a millisecond
// for a lock; needs a transaction. Rolled back, never an error, a cancel passed on; its time is
// kept for the next final_warm_up_at.
void final_warm_up(Oid view, Oid role);

} // namespace mvs::pg
