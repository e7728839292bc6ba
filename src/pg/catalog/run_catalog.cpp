#include "pg/catalog/run_catalog.hpp"

#include "core/history_trim.hpp"
#include "core/retry_policy.hpp"
#include "pg/worker/refresh_lock.hpp"
#include "pg/worker/run_notify.hpp"
#include "pg/settings.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/spi_support.hpp"
#include "pg/api/sql_args.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace mvs::pg {

namespace {

// History is trimmed as it grows (core's trim_due: every run, or every few runs of a schedule): per
// view, the newest history_per_view rows, and none older than history_max_age except the newest
// row of each view.
const char* const kTrimSql =
    "DELETE FROM @history@ d"
    " USING (SELECT run_id, started, pg_catalog.row_number() OVER (ORDER BY run_id DESC) AS rn"
    "          FROM @history@ WHERE view OPERATOR(pg_catalog.=) $1) k"
    " WHERE d.run_id OPERATOR(pg_catalog.=) k.run_id AND k.rn OPERATOR(pg_catalog.>) 1"
    "   AND (k.rn OPERATOR(pg_catalog.>) $2 OR k.started OPERATOR(pg_catalog.<)"
    "        (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $3)))";

mvs::IntervalParts interval_parts(const Interval* i) {
    mvs::IntervalParts p;
    p.months = i->month;
    p.days = i->day;
    p.micros = i->time;
    return p;
}

Datum interval_datum(const mvs::IntervalParts& p) {
    Interval* i = static_cast<Interval*>(palloc(sizeof(Interval)));
    i->month = p.months;
    i->day = p.days;
    i->time = p.micros;
    return IntervalPGetDatum(i);
}

// How the run's schedule goes on (core's retry policy): whether it retries, after how long, and
// its count of failures in a row. The schedule's row is locked here, as the update that follows
// would lock it. Plain data.
struct RetryPlan {
    bool has_schedule;
    bool retry;
    Datum wait; // interval
    int32 consecutive_failures;
};

RetryPlan plan_retry(int64 run_id, const char* status) {
    if (strcmp(status, "succeeded") == 0)
        // Nothing to read: a success never retries and ends the failures in a row. The update
        // that follows locks the row.
        return RetryPlan{true, false, interval_datum(mvs::IntervalParts{}),
                         mvs::consecutive_failures_after(0, true, false)};
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(run_id)};
    run_sql("SELECT r.manual, s.next_run IS NOT NULL, s.consecutive_failures, s.max_retries,"
            "       s.retry_delay"
            "  FROM @history@ r JOIN matview_scheduler.schedules s"
            "    ON s.id OPERATOR(pg_catalog.=) r.schedule_id"
            " WHERE r.run_id OPERATOR(pg_catalog.=) $1 FOR UPDATE OF s",
            1, types, values, nullptr, SPI_OK_SELECT);
    RetryPlan plan{false, false, 0, 0};
    if (SPI_processed == 0)
        return plan;
    bool isnull = false;
    mvs::RunEnd end;
    end.failed = strcmp(status, "failed") == 0;
    end.manual = DatumGetBool(get_column(0, 1, &isnull));
    end.has_next_run = DatumGetBool(get_column(0, 2, &isnull));
    end.consecutive_failures = DatumGetInt32(get_column(0, 3, &isnull));
    end.max_retries = DatumGetInt32(get_column(0, 4, &isnull));
    const mvs::IntervalParts delay = interval_parts(DatumGetIntervalP(get_column(0, 5, &isnull)));
    plan.has_schedule = true;
    plan.retry = mvs::retries_after(end);
    plan.wait = interval_datum(mvs::retry_backoff(delay, end.consecutive_failures));
    plan.consecutive_failures = mvs::consecutive_failures_after(
        end.consecutive_failures, strcmp(status, "succeeded") == 0, end.failed);
    return plan;
}

void trim_history(Oid view) {
    Oid types[3] = {REGCLASSOID, INT8OID, FLOAT8OID};
    Datum values[3] = {ObjectIdGetDatum(view), Int64GetDatum(setting_history_per_view),
                       Float8GetDatum(static_cast<double>(setting_history_max_age_s))};
    run_sql(kTrimSql, 3, types, values, nullptr, SPI_OK_DELETE);
}

} // namespace

void catalog_interrupt_runs(const int64* run_ids, int n, const char* message) {
    if (n <= 0)
        return;
    Oid types[2] = {INT8ARRAYOID, TEXTOID};
    Datum values[2] = {int8_array(run_ids, n), CStringGetTextDatum(message)};
    run_sql("UPDATE @history@ SET status = 'interrupted',"
            "       finished = pg_catalog.clock_timestamp(), message = $2"
            " WHERE run_id OPERATOR(pg_catalog.=) ANY ($1)"
            "   AND status OPERATOR(pg_catalog.=) ANY (ARRAY['running', 'waiting'])",
            2, types, values, nullptr, SPI_OK_UPDATE);
}

void catalog_interrupt_abandoned_runs(const char* message) {
    Oid types[4] = {OIDOID, INT8OID, INT4OID, TEXTOID};
    Datum values[4] = {ObjectIdGetDatum(MyDatabaseId), Int64GetDatum(kRefreshLockClass),
                       Int32GetDatum(kRefreshLockSubId), CStringGetTextDatum(message)};
    run_sql("UPDATE @history@ r SET status = 'interrupted',"
            "       finished = pg_catalog.clock_timestamp(), message = $4"
            " WHERE r.status OPERATOR(pg_catalog.=) 'running'"
            "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l"
            "        WHERE l.locktype OPERATOR(pg_catalog.=) 'object'"
            "          AND l.database OPERATOR(pg_catalog.=) $1"
            "          AND l.classid::pg_catalog.int8 OPERATOR(pg_catalog.=) $2"
            "          AND l.objid OPERATOR(pg_catalog.=) r.view::pg_catalog.oid"
            "          AND l.objsubid OPERATOR(pg_catalog.=) $3 AND l.granted)",
            4, types, values, nullptr, SPI_OK_UPDATE);
}

bool catalog_run_settings(int64 run_id, RunSettings* out) {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(run_id)};
    run_sql("SELECT r.view::pg_catalog.oid, s.owner::pg_catalog.oid, r.manual,"
            "       COALESCE(s.concurrency, 'auto'), r.status OPERATOR(pg_catalog.=) 'waiting',"
            "       pg_catalog.ceil(EXTRACT(epoch FROM s.timeout)"
            "                       OPERATOR(pg_catalog.*) 1000)::pg_catalog.int4,"
            "       pg_catalog.ceil(EXTRACT(epoch FROM s.lock_timeout)"
            "                       OPERATOR(pg_catalog.*) 1000)::pg_catalog.int4"
            "  FROM @history@ r"
            "  LEFT JOIN matview_scheduler.schedules s"
            "         ON s.id OPERATOR(pg_catalog.=) r.schedule_id"
            " WHERE r.run_id OPERATOR(pg_catalog.=) $1"
            "   AND r.status OPERATOR(pg_catalog.=) ANY (ARRAY['running', 'waiting'])",
            1, types, values, nullptr, SPI_OK_SELECT);
    if (SPI_processed == 0)
        return false;
    bool isnull = false;
    out->view = DatumGetObjectId(get_column(0, 1, &isnull));
    out->owner = DatumGetObjectId(get_column(0, 2, &isnull));
    if (isnull)
        out->owner = InvalidOid;
    out->manual = DatumGetBool(get_column(0, 3, &isnull));
    copy_text_column(0, 4, out->concurrently, sizeof out->concurrently);
    out->waiting = DatumGetBool(get_column(0, 5, &isnull));
    out->timeout_ms = DatumGetInt32(get_column(0, 6, &isnull));
    if (isnull)
        out->timeout_ms = 0;
    out->lock_timeout_ms = DatumGetInt32(get_column(0, 7, &isnull));
    if (isnull)
        out->lock_timeout_ms = 0;
    return true;
}

int64 catalog_start_manual_run(Oid view) {
    Oid types[1] = {REGCLASSOID};
    Datum values[1] = {ObjectIdGetDatum(view)};
    run_sql("WITH r AS (INSERT INTO @history@"
            "             (schedule_id, view, scheduled_for, started, status, manual)"
            "           SELECT (SELECT id FROM matview_scheduler.schedules"
            "                    WHERE view OPERATOR(pg_catalog.=) $1),"
            "                  $1, pg_catalog.now(), pg_catalog.clock_timestamp(), 'running', true"
            "           RETURNING run_id, schedule_id),"
            "     s AS (UPDATE matview_scheduler.schedules s SET last_run_id = r.run_id,"
            "                  runs_total = s.runs_total OPERATOR(pg_catalog.+) 1"
            "             FROM r WHERE s.id OPERATOR(pg_catalog.=) r.schedule_id)"
            " SELECT run_id FROM r",
            1, types, values, nullptr, SPI_OK_SELECT);
    bool isnull = false;
    return DatumGetInt64(get_column(0, 1, &isnull));
}

void catalog_restamp_start(int64 run_id) {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(run_id)};
    run_sql("UPDATE @history@ SET started = pg_catalog.clock_timestamp(),"
            "       status = 'running'"
            " WHERE run_id OPERATOR(pg_catalog.=) $1",
            1, types, values, nullptr, SPI_OK_UPDATE);
}

void catalog_mark_waiting(const int64* run_ids, int n) {
    if (n == 0)
        return;
    Oid types[1] = {INT8ARRAYOID};
    Datum values[1] = {int8_array(run_ids, n)};
    run_sql("UPDATE @history@ SET status = 'waiting'"
            " WHERE run_id OPERATOR(pg_catalog.=) ANY ($1)"
            "   AND status OPERATOR(pg_catalog.=) 'running'",
            1, types, values, nullptr, SPI_OK_UPDATE);
}

int catalog_waiting_runs(int64** run_ids, int64** schedule_ids) {
    run_sql("SELECT run_id, COALESCE(schedule_id, 0) FROM @history@"
            " WHERE status OPERATOR(pg_catalog.=) 'waiting' ORDER BY scheduled_for, run_id",
            0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    const int n = static_cast<int>(SPI_processed);
    *run_ids = static_cast<int64*>(palloc(sizeof(int64) * (n > 0 ? n : 1)));
    *schedule_ids = static_cast<int64*>(palloc(sizeof(int64) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i) {
        bool isnull = false;
        (*run_ids)[i] = DatumGetInt64(get_column(i, 1, &isnull));
        (*schedule_ids)[i] = DatumGetInt64(get_column(i, 2, &isnull));
    }
    return n;
}

bool catalog_view_populated(Oid view) {
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(view)};
    run_sql("SELECT relispopulated FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) $1", 1,
            types, values, nullptr, SPI_OK_SELECT);
    bool isnull = true;
    return SPI_processed > 0 && DatumGetBool(get_column(0, 1, &isnull)) && !isnull;
}

bool catalog_view_has_unique_index(Oid view) {
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(view)};
    // What REFRESH ... CONCURRENTLY accepts: unique, immediate, valid, on plain columns, no WHERE.
    run_sql("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i"
            "                WHERE i.indrelid OPERATOR(pg_catalog.=) $1 AND i.indisunique"
            "                  AND i.indimmediate AND i.indisvalid AND i.indpred IS NULL"
            "                  AND i.indexprs IS NULL)",
            1, types, values, nullptr, SPI_OK_SELECT);
    bool isnull = true;
    return DatumGetBool(get_column(0, 1, &isnull));
}

void catalog_finish_run(int64 run_id, const char* status, const char* sqlstate, const char* message,
                        const char* mode, const char* view_name) {
    const RetryPlan plan = plan_retry(run_id, status);
    Oid types[8] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, INTERVALOID, INT4OID};
    Datum values[8] = {Int64GetDatum(run_id),
                       CStringGetTextDatum(status),
                       sqlstate != nullptr ? CStringGetTextDatum(sqlstate) : Datum(0),
                       message != nullptr ? CStringGetTextDatum(message) : Datum(0),
                       mode != nullptr ? CStringGetTextDatum(mode) : Datum(0),
                       BoolGetDatum(plan.retry),
                       plan.wait,
                       Int32GetDatum(plan.consecutive_failures)};
    const char nulls[8] = {' ',
                           ' ',
                           null_flag(sqlstate != nullptr),
                           null_flag(message != nullptr),
                           null_flag(mode != nullptr),
                           ' ',
                           null_flag(plan.has_schedule),
                           null_flag(plan.has_schedule)};
    // One statement: the run, and its schedule's counters and retry (decided by plan_retry). The
    // retry comes after the wait, added as PostgreSQL adds an interval, and never after the next
    // due time.
    const char* sql = psprintf(
        "WITH r AS (UPDATE @history@ SET status = $2, sqlstate = $3,"
        "                  message = $4, mode = $5, finished = pg_catalog.clock_timestamp()"
        "            WHERE run_id OPERATOR(pg_catalog.=) $1"
        "           RETURNING run_id, schedule_id, view, manual, finished),"
        "     s AS (UPDATE matview_scheduler.schedules s SET"
        "             failures_total = s.failures_total OPERATOR(pg_catalog.+)"
        "                 CASE WHEN $2 OPERATOR(pg_catalog.=) 'failed' THEN 1 ELSE 0 END,"
        "             consecutive_failures = COALESCE($8, s.consecutive_failures),%s"
        "             next_run = CASE WHEN $6"
        "                 THEN LEAST(s.next_run, r.finished OPERATOR(pg_catalog.+) $7)"
        "                 ELSE s.next_run END"
        "            FROM r WHERE s.id OPERATOR(pg_catalog.=) r.schedule_id"
        "           RETURNING s.id, %s AS notify, s.runs_total)"
        " SELECT r.view::pg_catalog.oid, r.manual, COALESCE(s.notify, false), s.runs_total"
        "   FROM r LEFT JOIN s ON s.id OPERATOR(pg_catalog.=) r.schedule_id",
        // A scheduled run that succeeded: the reading taken before it is the baseline now; so too
        // for an 'on change' schedule whose failed run has no retry left, so that only the next
        // change brings it back. A retry of an 'on change' schedule is due whether or not more
        // changes came.
        catalog_has_change_columns()
            ? " change_baseline = CASE WHEN NOT r.manual AND ($2 OPERATOR(pg_catalog.=) 'succeeded'"
              "                           OR (s.min_interval IS NOT NULL AND NOT $6))"
              "                      THEN s.change_pending ELSE s.change_baseline END,"
              " change_seen = CASE WHEN $6 THEN NULL ELSE s.change_seen END,"
            : "",
        catalog_has_run_history() ? "s.notify" : "false");
    run_sql(sql, 8, types, values, nulls, SPI_OK_SELECT);
    if (SPI_processed == 0)
        return;
    // The retry may come before the scheduler's planned wake-up: its next pass must see it.
    if (plan.retry)
        wake_scheduler_at_commit();
    bool isnull = false;
    const Oid view = DatumGetObjectId(get_column(0, 1, &isnull));
    const bool manual = DatumGetBool(get_column(0, 2, &isnull));
    if (DatumGetBool(get_column(0, 3, &isnull)))
        note_run_notification(run_id, view, view_name, status, manual);
    const int64 runs_total = DatumGetInt64(get_column(0, 4, &isnull));
    if (mvs::trim_due(!manual && !isnull, isnull ? 0 : runs_total, setting_history_per_view))
        trim_history(view);
}

} // namespace mvs::pg
