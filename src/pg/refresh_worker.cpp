#include "pg/refresh_worker.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

#include "pg/catalog.hpp"
#include "pg/refresh_lock.hpp"

namespace mvs::pg {

namespace {

void begin_work() {
    StartTransactionCommand();
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "matview_scheduler: SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
}

void end_work() {
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
}

void record(int64 run_id, const char* status, const char* sqlstate, const char* message) {
    begin_work();
    catalog_finish_run(run_id, status, sqlstate, message);
    end_work();
}

// Runs the refresh as `owner` and records success in the same transaction. On error, returns the
// error (the transaction is rolled back); on success, nullptr.
ErrorData* refresh(int64 run_id, Oid view, Oid owner) {
    ErrorData* volatile failure = nullptr;
    MemoryContext outer = CurrentMemoryContext;
    begin_work();
    PG_TRY();
    {
        const char* name = get_rel_name(view);
        if (name == nullptr)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                            errmsg("materialized view with OID %u does not exist", view)));
        const char* qualified =
            quote_qualified_identifier(get_namespace_name(get_rel_namespace(view)), name);
        const char* sql = psprintf("REFRESH MATERIALIZED VIEW %s", qualified);
        pgstat_report_appname(psprintf("matview_scheduler refresh %s", qualified));
        pgstat_report_activity(STATE_RUNNING, sql);

        Oid saved_user = InvalidOid;
        int saved_context = 0;
        GetUserIdAndSecContext(&saved_user, &saved_context);
        // Never as a superuser on the owner's behalf: PostgreSQL checks the owner's own rights.
        SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
        const int rc = SPI_execute(sql, false, 0);
        SetUserIdAndSecContext(saved_user, saved_context);
        if (rc != SPI_OK_UTILITY)
            elog(ERROR, "matview_scheduler: REFRESH returned SPI code %d", rc);

        catalog_finish_run(run_id, "succeeded", nullptr, nullptr);
        end_work();
    }
    PG_CATCH();
    {
        HOLD_INTERRUPTS();
        MemoryContextSwitchTo(outer);
        failure = CopyErrorData();
        EmitErrorReport();
        FlushErrorState();
        AbortCurrentTransaction();
        RESUME_INTERRUPTS();
    }
    PG_END_TRY();
    pgstat_report_activity(STATE_IDLE, nullptr);
    return failure;
}

} // namespace

void describe_refresh_worker(BackgroundWorker* worker, Oid dboid, int64 run_id) {
    memset(worker, 0, sizeof *worker);
    worker->bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker->bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker->bgw_restart_time = BGW_NEVER_RESTART;
    worker->bgw_main_arg = ObjectIdGetDatum(dboid);
    memcpy(worker->bgw_extra, &run_id, sizeof run_id);
    strlcpy(worker->bgw_library_name, "matview_scheduler", BGW_MAXLEN);
    strlcpy(worker->bgw_function_name, "mvs_refresh_worker_main", BGW_MAXLEN);
    snprintf(worker->bgw_name, BGW_MAXLEN, "matview_scheduler refresh run %lld",
             static_cast<long long>(run_id));
    strlcpy(worker->bgw_type, "matview_scheduler refresh", BGW_MAXLEN);
}

} // namespace mvs::pg

extern "C" void mvs_refresh_worker_main(Datum arg) {
    using namespace mvs::pg;
    const Oid dboid = DatumGetObjectId(arg);
    int64 run_id = 0;
    memcpy(&run_id, MyBgworkerEntry->bgw_extra, sizeof run_id);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
    pgstat_report_appname("matview_scheduler refresh");

    Oid view = InvalidOid;
    Oid owner = InvalidOid;
    begin_work();
    const RunTarget target = catalog_run_target(run_id, &view, &owner);
    // Held until the process ends, so no two refreshes of a view overlap.
    const bool locked = target == RunTarget::Found && lock_view_for_refresh(view);
    end_work();
    if (target == RunTarget::NotRunning)
        proc_exit(0); // settled already, e.g. marked interrupted by a restarted scheduler
    if (target == RunTarget::ScheduleRemoved) {
        record(run_id, "interrupted", nullptr, "the schedule was removed before the run started");
        proc_exit(0);
    }
    if (!locked) {
        record(run_id, "failed", "55P03", "another refresh of this view is running");
        proc_exit(0);
    }

    ErrorData* failure = refresh(run_id, view, owner);
    if (failure != nullptr)
        record(run_id, "failed", unpack_sql_state(failure->sqlerrcode), failure->message);
    proc_exit(0);
}
