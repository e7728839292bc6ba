#include "pg/worker/refresh_worker.hpp"

#include <algorithm>

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
}

#include "pg/background_worker.hpp"
#include "pg/worker/query_warmup.hpp"
#include "pg/worker/refresh_lock.hpp"
#include "pg/shmem/refresh_places.hpp"
#include "pg/catalog/run_catalog.hpp"
#include "pg/worker/run_notify.hpp"
#include "pg/settings.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/spi_support.hpp"
#include "pg/statistics.hpp"
#include "pg/shmem/worker_pool.hpp"
#include "pg/wait_events.hpp"

namespace mvs::pg {

namespace {

// What the worker is told in bgw_extra.
struct WorkerArgs {
    int32 pool_slot; // >= 0: a pool worker of the scheduler whose pool is `handle`
    Oid view; // otherwise a refresh_now() run of this view, as `owner`, reporting to `handle`
    Oid owner;
    dsm_handle handle;
    ManualTicket ticket; // refresh_now(): its entry among the database's places
};
static_assert(sizeof(WorkerArgs) <= BGW_EXTRALEN, "worker arguments must fit in bgw_extra");

ManualRunShared* shared = nullptr; // refresh_now() runs only

// The run this process is carrying out, until it is recorded; 0: none.
int64 run_in_flight = 0;

// In a PG_CATCH: logs the error, keeps a copy in `outer`, and rolls the transaction back.
ErrorData* take_error(MemoryContext outer) {
    HOLD_INTERRUPTS();
    MemoryContextSwitchTo(outer);
    ErrorData* error = CopyErrorData();
    EmitErrorReport();
    FlushErrorState();
    AbortCurrentTransaction();
    RESUME_INTERRUPTS();
    return error;
}

void tell_caller(int64 run_id, bool done, bool succeeded, const char* sqlstate,
                 const char* message) {
    if (shared == nullptr)
        return;
    SpinLockAcquire(&shared->mutex);
    shared->run_id = run_id;
    shared->done = done;
    shared->succeeded = succeeded;
    strlcpy(shared->sqlstate, sqlstate != nullptr ? sqlstate : "", sizeof shared->sqlstate);
    strlcpy(shared->message, message != nullptr ? message : "", sizeof shared->message);
    Latch* latch = shared->caller_latch;
    SpinLockRelease(&shared->mutex);
    SetLatch(latch);
}

// A worker that is terminated (pg_terminate_backend, a smart or fast shutdown) during a run records
// it as interrupted on its way out, as PostgreSQL drops temporary tables on exit: in a transaction
// of its own, after aborting the one the termination cut short. A crash skips this; the scheduler
// settles those runs when it starts again.
void settle_run_on_exit(int, Datum) {
    const int64 run_id = run_in_flight;
    if (run_id == 0)
        return;
    run_in_flight = 0;
    const char* message = "the refresh worker was terminated during the run";
    HOLD_INTERRUPTS();
    AbortOutOfAnyTransaction();
    PG_TRY();
    {
        start_catalog_transaction();
        catalog_interrupt_runs(&run_id, 1, message);
        commit_catalog_transaction();
    }
    PG_CATCH();
    {
        EmitErrorReport();
        FlushErrorState();
        AbortOutOfAnyTransaction();
    }
    PG_END_TRY();
    tell_caller(run_id, true, false, "57P01", message);
    RESUME_INTERRUPTS();
}

// A refresh_now() run starts when one of the database's max_workers places is free, like a
// scheduled one; until then it waits here (visible in pg_stat_activity).
void wait_for_place() {
    bool announced = false;
    while (!places_manual_try_start()) {
        if (!announced) {
            pgstat_report_activity(STATE_RUNNING, "waiting for a free refresh worker "
                                                  "(matview_scheduler.max_workers)");
            announced = true;
        }
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100,
                        wait_event(Wait::FreePlace));
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
    pgstat_report_activity(STATE_IDLE, nullptr);
}

void record(int64 run_id, const char* status, const char* sqlstate, const char* message) {
    start_catalog_transaction();
    catalog_finish_run(run_id, status, sqlstate, message, nullptr, nullptr);
    commit_catalog_transaction();
    send_run_notification();
    tell_caller(run_id, true, false, sqlstate, message);
}

const char* qualified_name(Oid view) {
    const char* name = get_rel_name(view);
    if (name == nullptr)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("materialized view with OID %u does not exist", view)));
    return quote_qualified_identifier(get_namespace_name(get_rel_namespace(view)), name);
}

// The application_name setting, not only what pg_stat_activity shows: the view's own functions
// (current_setting) and the server log (%a in log_line_prefix) see which refresh is running.
void name_session(const char* name) {
    (void)set_config_option("application_name", name, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SET,
                            true, 0, false);
}

// The last part of the wait for a due time is spent awake: a process that sleeps to the due time
// wakes about 0.1 ms after it (timer slack, the kernel's wake-up), and the refresh should start
// on the dot.
constexpr int64 kAwakeBeforeDueUs = 200;

// Waits for the due time of a run handed over early, so that its refresh starts on the dot: the
// catalog work is done by then. It sleeps on the latch to the last two milliseconds, then with
// microsecond precision to the last kAwakeBeforeDueUs, and stays awake for those.
void wait_until(TimestampTz start_at) {
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        const TimestampTz now = GetCurrentTimestamp();
        if (now >= start_at)
            return;
        const int64 remaining_us = start_at - now;
        if (remaining_us > kAwakeBeforeDueUs + 2000) {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                            static_cast<long>((remaining_us - kAwakeBeforeDueUs - 1000) / 1000),
                            wait_event(Wait::DueTime));
            ResetLatch(MyLatch);
        } else if (remaining_us > kAwakeBeforeDueUs) {
            pg_usleep(static_cast<long>(remaining_us - kAwakeBeforeDueUs));
        } else {
            pg_spin_delay();
        }
    }
}

// CONCURRENTLY keeps readers unblocked; it needs a populated view with a usable unique index.
bool use_concurrently(const RunSettings& settings) {
    if (strcmp(settings.concurrently, "never") == 0 || !catalog_view_populated(settings.view))
        return false;
    return strcmp(settings.concurrently, "always") == 0 ||
           catalog_view_has_unique_index(settings.view);
}

// The view's qualified name, once its scheduling role is known to exist.
const char* checked_name(const RunSettings& settings) {
    const char* name = qualified_name(settings.view);
    if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(settings.owner)))
        ereport(
            ERROR,
            (errcode(ERRCODE_UNDEFINED_OBJECT),
             errmsg("the role that scheduled the refresh of %s (OID %u) no longer exists", name,
                    settings.owner),
             errhint("Schedule it again as its owner: SELECT schedule_refresh('%s', ...).", name)));
    return name;
}

// A run handed over this long before its due time has its view's query warmed up while it waits
// (query_warmup.hpp); one handed over later starts as soon as it can.
constexpr int64 kWarmUpMinLeadUs = 5000;

// Named when the run is prepared, before its due time: pg_stat_activity shows which refresh a
// worker waits to start as well as which one it runs.
void name_session_for(const char* name) {
    name_session(psprintf("matview_scheduler refresh %s", name));
}

// Runs the refresh as the owner and records success in the same transaction. On error, returns
// the error (the transaction is rolled back); on success, nullptr.
ErrorData* refresh(int64 run_id, const RunSettings& settings, const char* prepared_name,
                   bool concurrent, TimestampTz start_at, const char** mode_out) {
    ErrorData* volatile failure = nullptr;
    MemoryContext outer = CurrentMemoryContext;
    PG_TRY();
    {
        // The query is planned once more just before the due time (query_warmup.hpp), in a
        // transaction of its own that writes nothing. The refresh's transaction starts at the
        // due time, not before: now() and statement_timestamp() in the view's query, and
        // xact_start in pg_stat_activity, are the refresh's own start.
        // The REFRESH runs with the session's search_path (which PostgreSQL 17 and later replace
        // with a safe one during any REFRESH); the catalog statements after it do not. Only what
        // cannot be done ahead is left here: the name is looked up again (its
        // cache entries are warm from the preparation) in case the view was renamed since.
        const TimestampTz warm_up_at = final_warm_up_at(settings.view, start_at);
        if (warm_up_at != 0) {
            wait_until(warm_up_at);
            start_catalog_transaction();
            final_warm_up(settings.view, settings.owner);
            commit_catalog_transaction();
        }
        wait_until(start_at);
        start_session_transaction();
        const char* name = checked_name(settings);
        if (strcmp(name, prepared_name) != 0)
            name_session_for(name);
        *mode_out = concurrent ? "concurrent" : "plain";
        const char* sql =
            psprintf("REFRESH MATERIALIZED VIEW %s%s", concurrent ? "CONCURRENTLY " : "", name);
        pgstat_report_activity(STATE_RUNNING, sql);
        if (settings.lock_timeout_ms > 0)
            (void)set_config_option("lock_timeout", psprintf("%d", settings.lock_timeout_ms),
                                    PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);

        Oid saved_user = InvalidOid;
        int saved_context = 0;
        GetUserIdAndSecContext(&saved_user, &saved_context);
        // Never as a superuser on the owner's behalf: PostgreSQL checks the owner's own rights.
        SetUserIdAndSecContext(settings.owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
        if (settings.timeout_ms > 0)
            enable_timeout_after(STATEMENT_TIMEOUT, settings.timeout_ms);
        const int rc = SPI_execute(sql, false, 0);
        if (settings.timeout_ms > 0)
            disable_timeout(STATEMENT_TIMEOUT, false);
        SetUserIdAndSecContext(saved_user, saved_context);
        use_catalog_search_path();
        if (rc != SPI_OK_UTILITY)
            elog(ERROR, "matview_scheduler: REFRESH returned SPI code %d", rc);

        catalog_finish_run(run_id, "succeeded", nullptr, nullptr, *mode_out, name);
        commit_catalog_transaction();
    }
    PG_CATCH();
    {
        disable_all_timeouts(false);
        failure = take_error(outer);
        explain_refresh_error(failure);
    }
    PG_END_TRY();
    pgstat_report_activity(STATE_IDLE, nullptr);
    return failure;
}

// Reads the run's settings and takes the view's refresh lock, which is held until the process
// ends, so no two refreshes of a view overlap: a scheduled run finding it taken gives way,
// refresh_now() waits its turn. Returns the error, if one was raised.
ErrorData* prepare(int64 run_id, const WorkerArgs& args, TimestampTz start_at,
                   RunSettings* settings, bool* found, bool* locked, bool* concurrent,
                   const char** name) {
    ErrorData* volatile failure = nullptr;
    MemoryContext outer = CurrentMemoryContext;
    PG_TRY();
    {
        start_catalog_transaction();
        *found = catalog_run_settings(run_id, settings);
        if (*found && settings->manual && args.pool_slot < 0)
            settings->owner = args.owner;
        *locked = *found && OidIsValid(settings->owner);
        if (*locked && settings->manual) {
            lock_view_for_refresh_waiting(settings->view);
            // Its refresh starts now, after any refresh it waited for.
            catalog_restamp_start(run_id);
        } else if (*locked) {
            *locked = lock_view_for_refresh(settings->view);
            // It waited for a background worker slot: it starts now.
            if (*locked && settings->waiting)
                catalog_restamp_start(run_id);
        }
        // Decided ahead of the due time, so that at the due time only the REFRESH is left.
        *concurrent = *locked && use_concurrently(*settings);
        if (*locked) {
            *name = MemoryContextStrdup(outer, checked_name(*settings));
            name_session_for(*name);
            // Compared so that no sum can overflow (a due time written by hand may be -infinity).
            if (start_at > GetCurrentTimestamp() + kWarmUpMinLeadUs)
                warm_up_view_query(settings->view, settings->owner);
        }
        commit_catalog_transaction();
    }
    PG_CATCH();
    { failure = take_error(outer); }
    PG_END_TRY();
    return failure;
}

void describe(BackgroundWorker* worker, Oid dboid, const WorkerArgs& args, const char* name) {
    describe_background_worker(worker, "mvs_refresh_worker_main", ObjectIdGetDatum(dboid),
                               BGW_NEVER_RESTART, name, "matview_scheduler refresh");
    memcpy(worker->bgw_extra, &args, sizeof args);
}

// Carries out one run to its end: recorded, and the view's refresh lock released again.
void carry_out(int64 run_id, const WorkerArgs& args, TimestampTz start_at) {
    run_in_flight = run_id;
    RunSettings settings;
    bool found = false;
    bool locked = false;
    bool concurrent = false;
    const char* name = nullptr;
    ErrorData* failure =
        prepare(run_id, args, start_at, &settings, &found, &locked, &concurrent, &name);
    if (failure != nullptr) {
        record(run_id, "failed", unpack_sql_state(failure->sqlerrcode), failure->message);
    } else if (!found) {
        // settled already, e.g. marked interrupted by a restarted scheduler
    } else if (!OidIsValid(settings.owner)) {
        record(run_id, "interrupted", nullptr, "the schedule was removed before the run started");
    } else if (!locked) {
        record(run_id, "failed", "55P03", "another refresh of this view is running");
    } else {
        const char* mode = nullptr;
        failure = refresh(run_id, settings, name, concurrent, start_at, &mode);
        if (failure == nullptr) {
            send_run_notification();
            tell_caller(run_id, true, true, nullptr, nullptr);
        } else {
            const char* sqlstate = unpack_sql_state(failure->sqlerrcode);
            start_catalog_transaction();
            catalog_finish_run(run_id, "failed", sqlstate, failure->message, mode, nullptr);
            commit_catalog_transaction();
            send_run_notification();
            tell_caller(run_id, true, false, sqlstate, failure->message);
        }
    }
    run_in_flight = 0;
    if (locked)
        unlock_view_after_refresh(settings.view);
}

} // namespace

void describe_pool_worker(BackgroundWorker* worker, Oid dboid, int slot, dsm_handle handle) {
    describe(worker, dboid, WorkerArgs{slot, InvalidOid, InvalidOid, handle, ManualTicket{-1, 0}},
             "matview_scheduler refresh worker");
}

void describe_manual_refresh_worker(BackgroundWorker* worker, Oid dboid, Oid view, Oid owner,
                                    dsm_handle handle, const ManualTicket& ticket) {
    describe(worker, dboid, WorkerArgs{-1, view, owner, handle, ticket},
             "matview_scheduler refresh_now");
}

} // namespace mvs::pg

extern "C" void mvs_refresh_worker_main(Datum arg) {
    using namespace mvs::pg;
    const Oid dboid = DatumGetObjectId(arg);
    WorkerArgs args;
    memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof args);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
    mark_own_background_process();
    // Registered first, so it runs last: the run is recorded before its view is free again.
    release_refresh_lock_at_exit();
    before_shmem_exit(settle_run_on_exit, 0);
    name_session("matview_scheduler refresh");
    MemoryContext run_context =
        AllocSetContextCreate(TopMemoryContext, "matview_scheduler run", ALLOCSET_DEFAULT_SIZES);

    if (args.pool_slot < 0) {
        // refresh_now(): the caller may have gone already; the run happens anyway. Its entry
        // among the places is given back on the way out, however the process ends.
        if (!places_manual_adopt(args.ticket))
            proc_exit(0); // the caller gave up on it before it started
        dsm_segment* segment = dsm_attach(args.handle);
        if (segment != nullptr)
            shared = static_cast<ManualRunShared*>(dsm_segment_address(segment));
        start_catalog_transaction();
        const int64 run_id = catalog_start_manual_run(args.view);
        commit_catalog_transaction();
        run_in_flight = run_id;
        tell_caller(run_id, false, false, nullptr, nullptr);
        MemoryContextSwitchTo(run_context);
        wait_for_place();
        carry_out(run_id, args, 0);
        proc_exit(0);
    }

    WorkerPool* pool = pool_attach(args.handle);
    if (pool == nullptr)
        proc_exit(0); // the scheduler has gone
    PoolSlot& slot = pool->slots[args.pool_slot];
    SpinLockAcquire(&pool->mutex);
    slot.pid = MyProcPid;
    slot.latch = MyLatch;
    SpinLockRelease(&pool->mutex);
    TimestampTz idle_since = GetCurrentTimestamp();
    for (;;) {
        SpinLockAcquire(&pool->mutex);
        const int64 run_id = slot.run_id;
        const TimestampTz start_at = slot.start_at;
        const bool closing = pool->scheduler_latch == nullptr;
        SpinLockRelease(&pool->mutex);
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        if (run_id != 0) {
            MemoryContextSwitchTo(run_context);
            carry_out(run_id, args, start_at);
            report_statistics();
            MemoryContextSwitchTo(TopMemoryContext);
            MemoryContextReset(run_context);
            name_session("matview_scheduler refresh");
            SpinLockAcquire(&pool->mutex);
            const int64 next = pool_take_next(pool, slot);
            Latch* scheduler = pool_finish_latch(pool, next);
            SpinLockRelease(&pool->mutex);
            if (scheduler != nullptr)
                SetLatch(scheduler); // a worker is free, or the queues are
            if (next == 0)
                idle_since = GetCurrentTimestamp();
            continue;
        }
        const long idle_ms = TimestampDifferenceMilliseconds(idle_since, GetCurrentTimestamp());
        if (closing || idle_ms >= kWorkerIdleExitMs) {
            SpinLockAcquire(&pool->mutex);
            const bool still_idle = slot.run_id == 0;
            if (still_idle) {
                slot.pid = 0;
                slot.latch = nullptr;
            }
            SpinLockRelease(&pool->mutex);
            if (still_idle)
                proc_exit(0);
            continue;
        }
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                        report_statistics_before_wait(kWorkerIdleExitMs - idle_ms),
                        wait_event(Wait::WorkerIdle));
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
}
