// A refresh worker's first run of a view in a new process is slow to start: its query loads the
// libraries of the languages it calls and fills the process's catalog caches. This does that work
// while the run waits for its due time.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

// Plans the materialized view's query and starts its executor without running it, as REFRESH
// would (as the view's owner, security-restricted), then rolls all of it back. Only when `role`
// may refresh the view, only once per view in a process, and never an error: whatever fails here
// fails again, and is reported, in the REFRESH. A cancel is passed on.
void warm_up_view_query(Oid view, Oid role);

} // namespace mvs::pg
