// What our processes wait for. From PostgreSQL 17 each wait has its own name in
// pg_stat_activity.wait_event (type Extension); before 17 every one shows as "Extension".
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

enum class Wait {
    LauncherMain,  // the launcher, between its rounds
    SchedulerExit, // the launcher, for schedulers it asked to stop
    NextDue,       // a scheduler, for the next due time or a change
    ErrorPause,    // a scheduler, after an error, before it tries again
    WorkerIdle,    // a pool worker, for its next run
    DueTime,       // a worker, for the due time of a run handed over early
    FreePlace,     // refresh_now()'s worker, for one of the database's places
    RefreshNow,    // a session in refresh_now(), for its worker
    Count
};

// The event to pass to WaitLatch. Registered by name on first use in each process.
uint32 wait_event(Wait what);

} // namespace mvs::pg
