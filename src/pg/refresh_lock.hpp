// The lock a refresh holds on its view for as long as it runs. It is a session-level advisory lock
// in PostgreSQL's lock manager, so it is released however the worker ends, and any process can tell
// whether a refresh of the view is under way, even one started by an earlier scheduler.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

// objsubid 3 is not used by the SQL advisory-lock functions, so user locks never collide with it.
// pg_locks shows it as locktype 'advisory', classid kRefreshLockClass, objid the view's OID.
constexpr uint32 kRefreshLockClass = 0x6d767363; // "mvsc"
constexpr uint16 kRefreshLockSubId = 3;

// Takes the lock for the rest of the session; false if another refresh of the view holds it.
bool lock_view_for_refresh(Oid view);

// The same, waiting for a refresh under way to end.
void lock_view_for_refresh_waiting(Oid view);

// Releases it when the refresh is over (a pool worker goes on to other runs).
void unlock_view_after_refresh(Oid view);

// Is a refresh of the view running right now (in any process)?
bool view_refresh_in_progress(Oid view);

} // namespace mvs::pg
