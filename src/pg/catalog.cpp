#include "pg/catalog.hpp"

#include "pg/refresh_lock.hpp"
#include "pg/settings.hpp"

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

// Runs one statement; any failure is an ERROR.
int run_sql(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls, int expected,
            long limit = 0) {
    const int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, limit);
    if (rc != expected)
        elog(ERROR, "matview_scheduler: catalog statement failed (SPI code %d): %s", rc, sql);
    return rc;
}

Datum get_column(int row, int column, bool* isnull) {
    return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, isnull);
}

void copy_text_column(int row, int column, char* buffer, size_t size) {
    char* value = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
    strlcpy(buffer, value != nullptr ? value : "", size);
}

// History is trimmed as it grows: per view, the newest history_per_view rows, and none older than
// history_max_age except the newest row of each view.
const char* const kTrimSql =
    "DELETE FROM matview_scheduler.runs d"
    " USING (SELECT run_id, started, pg_catalog.row_number() OVER (ORDER BY run_id DESC) AS rn"
    "          FROM matview_scheduler.runs WHERE view OPERATOR(pg_catalog.=) $1) k"
    " WHERE d.run_id OPERATOR(pg_catalog.=) k.run_id AND k.rn OPERATOR(pg_catalog.>) 1"
    "   AND (k.rn OPERATOR(pg_catalog.>) $2 OR k.started OPERATOR(pg_catalog.<)"
    "        (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $3)))";

void trim_history(Oid view) {
    Oid types[3] = {REGCLASSOID, INT8OID, FLOAT8OID};
    Datum values[3] = {ObjectIdGetDatum(view), Int64GetDatum(setting_history_per_view),
                       Float8GetDatum(static_cast<double>(setting_history_max_age_s))};
    run_sql(kTrimSql, 3, types, values, nullptr, SPI_OK_DELETE);
}

} // namespace

namespace {

Datum optional_timestamptz(TimestampTz t) {
    return t == DT_NOEND ? Datum(0) : TimestampTzGetDatum(t);
}
char null_flag(bool present) {
    return present ? ' ' : 'n';
}

} // namespace

int64 catalog_upsert_schedule(const ScheduleRow& row) {
    Oid types[10] = {REGCLASSOID, REGROLEOID,     TEXTOID,        TEXTOID, TIMESTAMPTZOID,
                     TEXTOID,     TIMESTAMPTZOID, TIMESTAMPTZOID, INT4OID, TIMESTAMPTZOID};
    Datum values[10] = {ObjectIdGetDatum(row.view),        ObjectIdGetDatum(row.owner),
                        CStringGetTextDatum(row.schedule), CStringGetTextDatum(row.spec),
                        TimestampTzGetDatum(row.anchor),   CStringGetTextDatum(row.timezone),
                        TimestampTzGetDatum(row.start_at), TimestampTzGetDatum(row.until),
                        Int32GetDatum(row.repeats),        optional_timestamptz(row.next_run)};
    const char nulls[10] = {' ',
                            ' ',
                            ' ',
                            ' ',
                            ' ',
                            ' ',
                            null_flag(row.has_start_at),
                            null_flag(row.has_until),
                            null_flag(row.has_repeats),
                            null_flag(row.next_run != DT_NOEND)};
    run_sql("INSERT INTO matview_scheduler.schedules AS s (view, owner, schedule, spec, anchor,"
            "       timezone, start_at, until, repeats, next_run)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (view) DO UPDATE SET owner = EXCLUDED.owner,"
            "   schedule = EXCLUDED.schedule, spec = EXCLUDED.spec, anchor = EXCLUDED.anchor,"
            "   timezone = EXCLUDED.timezone, start_at = EXCLUDED.start_at,"
            "   until = EXCLUDED.until, repeats = EXCLUDED.repeats, next_run = EXCLUDED.next_run,"
            "   runs_total = 0, skipped_total = 0, created = pg_catalog.now()"
            " RETURNING s.id",
            10, types, values, nulls, SPI_OK_INSERT_RETURNING);
    bool isnull = false;
    return DatumGetInt64(get_column(0, 1, &isnull));
}

bool catalog_schedule_owner(Oid view, Oid* owner) {
    Oid types[1] = {REGCLASSOID};
    Datum values[1] = {ObjectIdGetDatum(view)};
    run_sql("SELECT owner::pg_catalog.oid FROM matview_scheduler.schedules"
            " WHERE view OPERATOR(pg_catalog.=) $1 FOR UPDATE",
            1, types, values, nullptr, SPI_OK_SELECT);
    if (SPI_processed == 0)
        return false;
    bool isnull = false;
    *owner = DatumGetObjectId(get_column(0, 1, &isnull));
    return true;
}

bool catalog_delete_schedule(Oid view) {
    Oid types[1] = {REGCLASSOID};
    Datum values[1] = {ObjectIdGetDatum(view)};
    run_sql("DELETE FROM matview_scheduler.schedules WHERE view OPERATOR(pg_catalog.=) $1", 1,
            types, values, nullptr, SPI_OK_DELETE);
    return SPI_processed > 0;
}

bool catalog_extension_present() {
    return OidIsValid(get_extension_oid("matview_scheduler", true));
}

int catalog_fetch_due(TimestampTz now, int limit, DueSchedule** out) {
    Oid types[2] = {TIMESTAMPTZOID, INT4OID};
    Datum values[2] = {TimestampTzGetDatum(now), Int32GetDatum(limit)};
    // SKIP LOCKED: a schedule being changed right now is left for the wake-up its commit sends.
    run_sql("SELECT id, view::pg_catalog.oid, next_run, anchor, until, repeats, runs_total, spec,"
            "       timezone"
            "  FROM matview_scheduler.schedules"
            " WHERE next_run OPERATOR(pg_catalog.<=) $1"
            " ORDER BY next_run, id LIMIT $2 FOR UPDATE SKIP LOCKED",
            2, types, values, nullptr, SPI_OK_SELECT);
    const int n = static_cast<int>(SPI_processed);
    DueSchedule* rows = static_cast<DueSchedule*>(palloc0(sizeof(DueSchedule) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i) {
        bool isnull = false;
        DueSchedule& row = rows[i];
        row.id = DatumGetInt64(get_column(i, 1, &isnull));
        row.view = DatumGetObjectId(get_column(i, 2, &isnull));
        row.next_run = DatumGetTimestampTz(get_column(i, 3, &isnull));
        row.anchor = DatumGetTimestampTz(get_column(i, 4, &isnull));
        row.until = DatumGetTimestampTz(get_column(i, 5, &isnull));
        row.has_until = !isnull;
        row.repeats = DatumGetInt32(get_column(i, 6, &isnull));
        row.has_repeats = !isnull;
        row.runs_total = DatumGetInt64(get_column(i, 7, &isnull));
        copy_text_column(i, 8, row.spec, sizeof row.spec);
        copy_text_column(i, 9, row.timezone, sizeof row.timezone);
    }
    *out = rows;
    return n;
}

int64 catalog_start_run(const DueSchedule& due, TimestampTz started, TimestampTz next_run,
                        int64 skipped) {
    Oid types[6] = {INT8OID, REGCLASSOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID};
    Datum values[6] = {Int64GetDatum(due.id),
                       ObjectIdGetDatum(due.view),
                       TimestampTzGetDatum(due.next_run),
                       TimestampTzGetDatum(started),
                       optional_timestamptz(next_run),
                       Int64GetDatum(skipped)};
    const char nulls[6] = {' ', ' ', ' ', ' ', null_flag(next_run != DT_NOEND), ' '};
    run_sql("WITH r AS (INSERT INTO matview_scheduler.runs"
            "             (schedule_id, view, scheduled_for, started, status)"
            "           VALUES ($1, $2, $3, $4, 'running') RETURNING run_id)"
            " UPDATE matview_scheduler.schedules s SET next_run = $5, last_run_id = r.run_id,"
            "        runs_total = s.runs_total OPERATOR(pg_catalog.+) 1,"
            "        skipped_total = s.skipped_total OPERATOR(pg_catalog.+) $6"
            "   FROM r WHERE s.id OPERATOR(pg_catalog.=) $1 RETURNING r.run_id",
            6, types, values, nulls, SPI_OK_UPDATE_RETURNING);
    bool isnull = false;
    return DatumGetInt64(get_column(0, 1, &isnull));
}

void catalog_skip_run(int64 schedule_id, TimestampTz next_run, int64 skipped) {
    Oid types[3] = {INT8OID, TIMESTAMPTZOID, INT8OID};
    Datum values[3] = {Int64GetDatum(schedule_id), optional_timestamptz(next_run),
                       Int64GetDatum(skipped)};
    const char nulls[3] = {' ', null_flag(next_run != DT_NOEND), ' '};
    run_sql("UPDATE matview_scheduler.schedules SET next_run = $2,"
            "       skipped_total = skipped_total OPERATOR(pg_catalog.+) $3"
            " WHERE id OPERATOR(pg_catalog.=) $1",
            3, types, values, nulls, SPI_OK_UPDATE);
}

void catalog_fail_schedule(const DueSchedule& due, TimestampTz now, const char* message) {
    Oid types[5] = {INT8OID, REGCLASSOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID};
    Datum values[5] = {Int64GetDatum(due.id), ObjectIdGetDatum(due.view),
                       TimestampTzGetDatum(due.next_run), TimestampTzGetDatum(now),
                       CStringGetTextDatum(message)};
    run_sql("WITH r AS (INSERT INTO matview_scheduler.runs (schedule_id, view, scheduled_for,"
            "             started, finished, status, sqlstate, message)"
            "           VALUES ($1, $2, $3, $4, $4, 'failed', 'XX000', $5) RETURNING run_id)"
            " UPDATE matview_scheduler.schedules s SET next_run = NULL, last_run_id = r.run_id"
            "   FROM r WHERE s.id OPERATOR(pg_catalog.=) $1",
            5, types, values, nullptr, SPI_OK_UPDATE);
}

bool catalog_earliest_next_run(TimestampTz* out) {
    run_sql("SELECT pg_catalog.min(next_run) FROM matview_scheduler.schedules", 0, nullptr, nullptr,
            nullptr, SPI_OK_SELECT);
    bool isnull = true;
    const Datum value = get_column(0, 1, &isnull);
    if (isnull)
        return false;
    *out = DatumGetTimestampTz(value);
    return true;
}

void catalog_mark_interrupted(const int64* run_ids, int n, const char* message) {
    if (n == 0)
        return;
    if (n > 0) {
        Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * n));
        for (int i = 0; i < n; ++i)
            elems[i] = Int64GetDatum(run_ids[i]);
        ArrayType* ids = construct_array(elems, n, INT8OID, 8, true, TYPALIGN_DOUBLE);
        Oid types[2] = {INT8ARRAYOID, TEXTOID};
        Datum values[2] = {PointerGetDatum(ids), CStringGetTextDatum(message)};
        run_sql("UPDATE matview_scheduler.runs SET status = 'interrupted',"
                "       finished = pg_catalog.clock_timestamp(), message = $2"
                " WHERE run_id OPERATOR(pg_catalog.=) ANY ($1)"
                "   AND status OPERATOR(pg_catalog.=) 'running'",
                2, types, values, nullptr, SPI_OK_UPDATE);
        return;
    }
    Oid types[4] = {OIDOID, INT8OID, INT4OID, TEXTOID};
    Datum values[4] = {ObjectIdGetDatum(MyDatabaseId), Int64GetDatum(kRefreshLockClass),
                       Int32GetDatum(kRefreshLockSubId), CStringGetTextDatum(message)};
    run_sql("UPDATE matview_scheduler.runs r SET status = 'interrupted',"
            "       finished = pg_catalog.clock_timestamp(), message = $4"
            " WHERE r.status OPERATOR(pg_catalog.=) 'running'"
            "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l"
            "        WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory'"
            "          AND l.database OPERATOR(pg_catalog.=) $1"
            "          AND l.classid::pg_catalog.int8 OPERATOR(pg_catalog.=) $2"
            "          AND l.objid OPERATOR(pg_catalog.=) r.view::pg_catalog.oid"
            "          AND l.objsubid OPERATOR(pg_catalog.=) $3 AND l.granted)",
            4, types, values, nullptr, SPI_OK_UPDATE);
}

RunTarget catalog_run_target(int64 run_id, Oid* view, Oid* owner) {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(run_id)};
    run_sql("SELECT r.view::pg_catalog.oid, s.owner::pg_catalog.oid"
            "  FROM matview_scheduler.runs r"
            "  LEFT JOIN matview_scheduler.schedules s"
            "         ON s.id OPERATOR(pg_catalog.=) r.schedule_id"
            " WHERE r.run_id OPERATOR(pg_catalog.=) $1"
            "   AND r.status OPERATOR(pg_catalog.=) 'running'",
            1, types, values, nullptr, SPI_OK_SELECT);
    if (SPI_processed == 0)
        return RunTarget::NotRunning;
    bool isnull = false;
    *view = DatumGetObjectId(get_column(0, 1, &isnull));
    *owner = DatumGetObjectId(get_column(0, 2, &isnull));
    return isnull ? RunTarget::ScheduleRemoved : RunTarget::Found;
}

void catalog_finish_run(int64 run_id, const char* status, const char* sqlstate,
                        const char* message) {
    Oid types[4] = {INT8OID, TEXTOID, TEXTOID, TEXTOID};
    Datum values[4] = {Int64GetDatum(run_id), CStringGetTextDatum(status),
                       sqlstate != nullptr ? CStringGetTextDatum(sqlstate) : Datum(0),
                       message != nullptr ? CStringGetTextDatum(message) : Datum(0)};
    const char nulls[4] = {' ', ' ', sqlstate != nullptr ? ' ' : 'n',
                           message != nullptr ? ' ' : 'n'};
    run_sql("UPDATE matview_scheduler.runs SET status = $2, sqlstate = $3, message = $4,"
            "       finished = pg_catalog.clock_timestamp()"
            " WHERE run_id OPERATOR(pg_catalog.=) $1 RETURNING view::pg_catalog.oid",
            4, types, values, nulls, SPI_OK_UPDATE_RETURNING);
    if (SPI_processed > 0) {
        bool isnull = false;
        trim_history(DatumGetObjectId(get_column(0, 1, &isnull)));
    }
}

} // namespace mvs::pg
