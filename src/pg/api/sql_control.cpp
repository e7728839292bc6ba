// The SQL-callable functions that act on a view's refreshes: refresh_now, pause_refresh,
// resume_refresh.
#include "pg/pg_headers.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include "core/schedule.hpp"
#include "pg/due_times.hpp"
#include "pg/error_bridge.hpp"
#include "pg/shmem/refresh_places.hpp"
#include "pg/worker/refresh_worker.hpp"
#include "pg/catalog/schedule_catalog.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/api/sql_args.hpp"
#include "pg/wait_events.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mvs_refresh_now);
PG_FUNCTION_INFO_V1(mvs_pause_refresh);
PG_FUNCTION_INFO_V1(mvs_resume_refresh);
}

namespace {

using namespace mvs::pg;

void no_schedule(Oid relid) {
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                    errmsg("materialized view %s has no schedule", get_rel_name(relid)),
                    errhint("schedule_refresh() creates one.")));
}

// Waits for the worker to report: the run's start, or with `until_done` its end. False if the
// worker stopped first.
bool wait_for_worker(BackgroundWorkerHandle* handle, ManualRunShared* shared, bool until_done) {
    for (;;) {
        SpinLockAcquire(&shared->mutex);
        const bool ready = until_done ? shared->done : shared->run_id != 0;
        SpinLockRelease(&shared->mutex);
        if (ready)
            return true;
        pid_t pid = 0;
        if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED) {
            SpinLockAcquire(&shared->mutex);
            const bool reported = until_done ? shared->done : shared->run_id != 0;
            SpinLockRelease(&shared->mutex);
            return reported;
        }
        // The worker sets this latch when it reports, and the postmaster when it stops.
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000,
                        wait_event(Wait::RefreshNow));
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
}

} // namespace

extern "C" Datum mvs_refresh_now(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "view");
    require_argument(fcinfo, 1, "wait");
    const Oid relid = PG_GETARG_OID(0);
    const bool wait = PG_GETARG_BOOL(1);
    check_schedulable_view(relid);
    // The refresh runs in another process: waiting for it while this transaction holds a lock it
    // needs would wait for ever.
    if (wait && relation_locked_by_me(relid))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_IN_USE),
                        errmsg("cannot wait for a refresh of %s in a transaction that has used it",
                               get_rel_name(relid)),
                        errhint("Call refresh_now(..., wait => true) in a transaction of its own, "
                                "or without wait.")));

    // One role's refresh_now() runs, also those waiting for a place, are bounded: each holds a
    // background worker slot.
    ManualTicket ticket;
    const char* why = nullptr;
    if (!places_manual_enter(GetUserId(), &ticket, &why)) {
        if (strcmp(why, "role") == 0)
            ereport(ERROR,
                    (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                     errmsg("role \"%s\" has %d refresh_now() refreshes running or waiting in "
                            "this database already",
                            GetUserNameFromId(GetUserId(), false), role_place_limit()),
                     errhint("Wait for one to end (refresh_now(..., wait => true) waits), or raise "
                             "matview_scheduler.max_workers_per_role.")));
        ereport(ERROR,
                (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                 errmsg("too many refresh_now() refreshes are running or waiting in this database"),
                 errdetail("At most %d at once.", kMaxManualRuns),
                 errhint("Try again when some have ended.")));
    }
    dsm_segment* segment = dsm_create(sizeof(ManualRunShared), 0);
    ManualRunShared* shared = static_cast<ManualRunShared*>(dsm_segment_address(segment));
    memset(shared, 0, sizeof *shared);
    SpinLockInit(&shared->mutex);
    shared->caller_latch = MyLatch;

    BackgroundWorker worker;
    describe_manual_refresh_worker(&worker, MyDatabaseId, relid, GetUserId(),
                                   dsm_segment_handle(segment), ticket);
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle* handle = nullptr;
    if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
        places_manual_abandon(ticket);
        ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                        errmsg("could not start a refresh worker: no free background worker slot"),
                        errhint("Raise max_worker_processes, or try again when a refresh ends.")));
    }
    const bool reported = wait_for_worker(handle, shared, wait);
    // Its worker took the entry over, unless it never started.
    places_manual_abandon(ticket);
    if (!reported)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("the refresh worker for %s stopped before %s", get_rel_name(relid),
                               wait ? "recording a result" : "starting the run"),
                        errhint("The server log says why.")));
    const int64 run_id = shared->run_id;
    if (wait && !shared->succeeded) {
        const char* sqlstate = shared->sqlstate;
        ereport(ERROR,
                (errcode(MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3],
                                       sqlstate[4])),
                 errmsg("refresh of %s failed: %s", get_rel_name(relid), shared->message),
                 errdetail("Run %lld in matview_scheduler.runs.", static_cast<long long>(run_id))));
    }
    dsm_detach(segment);
    PG_RETURN_INT64(run_id);
}

extern "C" Datum mvs_pause_refresh(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "view");
    const Oid relid = PG_GETARG_OID(0);
    check_schedulable_view(relid);
    const SuperuserCatalogAccess access = enter_catalog_as_superuser();
    ScheduleState state;
    if (!catalog_lock_schedule(relid, &state))
        no_schedule(relid);
    if (!state.paused)
        catalog_set_paused(state.id, true, state.has_next_run ? state.next_run : DT_NOEND);
    leave_catalog_as_superuser(access);
    wake_scheduler_at_commit();
    PG_RETURN_VOID();
}

extern "C" Datum mvs_resume_refresh(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "view");
    const Oid relid = PG_GETARG_OID(0);
    check_schedulable_view(relid);
    const SuperuserCatalogAccess access = enter_catalog_as_superuser();
    ScheduleState state;
    if (!catalog_lock_schedule(relid, &state))
        no_schedule(relid);
    if (state.paused) {
        TimestampTz next = state.has_next_run ? state.next_run : DT_NOEND;
        const TimestampTz now = GetCurrentTransactionStartTimestamp();
        mvs::Schedule schedule;
        bool parsed = false;
        const CppFailure failure =
            run_cpp([&] { parsed = mvs::parse_spec(state.spec, &schedule); });
        MVS_RAISE_IF_FAILED(failure);
        const pg_tz* tz = pg_tzset(state.timezone);
        // Back on the grid from now on: the due times missed while paused are not made up,
        // except a once schedule's single run; an 'on change' schedule looks for changes at once.
        if (next != DT_NOEND && next < now && parsed && tz != nullptr &&
            schedule.kind != mvs::ScheduleKind::Once &&
            schedule.kind != mvs::ScheduleKind::OnChange)
            next = next_due(schedule, state.anchor, now, tz);
        if (state.has_until && next != DT_NOEND && next > state.until)
            next = DT_NOEND;
        catalog_set_paused(state.id, false, next);
    }
    leave_catalog_as_superuser(access);
    wake_scheduler_at_commit();
    PG_RETURN_VOID();
}
