// The lock a refresh holds on its view for as long as it runs. It is a session-level lock in
// PostgreSQL's lock manager, so any process can tell whether a refresh of the view is under way,
// even one started by an earlier scheduler, and a crash frees it.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

// An object lock (DEFAULT_LOCKMETHOD), not an advisory one: pg_advisory_unlock_all() in a view's
// own query could release an advisory lock. No catalog has OID kRefreshLockClass, so no lock
// PostgreSQL takes on a real object collides with it. pg_locks shows it as locktype 'object',
// classid kRefreshLockClass, objid the view's OID, objsubid kRefreshLockSubId.
constexpr uint32 kRefreshLockClass = 0x6d767363; // "mvsc"
constexpr uint16 kRefreshLockSubId = 3;

// A worker calls this once at start: session-level object locks survive the end of a process
// that is not in a transaction, so the lock is released by an exit callback.
void release_refresh_lock_at_exit();

// Takes the lock for the rest of the session; false if another refresh of the view holds it.
bool lock_view_for_refresh(Oid view);

// The same, waiting for a refresh under way to end.
void lock_view_for_refresh_waiting(Oid view);

// Releases it when the refresh is over (a pool worker goes on to other runs). A transaction abort
// already released it (ProcReleaseLocks releases session locks on abort): then nothing is left.
void unlock_view_after_refresh(Oid view);

// Is a refresh of the view running right now (in any process)?
bool view_refresh_in_progress(Oid view);

} // namespace mvs::pg
