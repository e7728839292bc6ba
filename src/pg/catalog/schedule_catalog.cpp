#include "pg/catalog/schedule_catalog.hpp"

#include "pg/pg_time.hpp"
#include "pg/shmem/refresh_places.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

namespace mvs::pg {

namespace {

// A change mark is stored as int8[3] {epoch, set hash, sum}: the same 64 bits, signed.
int64 as_int64(uint64 v) {
    int64 out;
    memcpy(&out, &v, sizeof out);
    return out;
}

uint64 as_uint64(int64 v) {
    uint64 out;
    memcpy(&out, &v, sizeof out);
    return out;
}

} // namespace

Datum change_mark_array(const mvs::ChangeMark& mark) {
    const int64 parts[3] = {as_int64(mark.epoch), as_int64(mark.set_hash), as_int64(mark.sum)};
    return int8_array(parts, 3);
}

bool change_mark_from_array(Datum array, mvs::ChangeMark* out) {
    ArrayType* a = DatumGetArrayTypeP(array);
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int n = 0;
    deconstruct_array(a, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
    // Anything else (written by hand) is no baseline: the next due time refreshes.
    if (n != 3 || nulls[0] || nulls[1] || nulls[2])
        return false;
    out->epoch = as_uint64(DatumGetInt64(elems[0]));
    out->set_hash = as_uint64(DatumGetInt64(elems[1]));
    out->sum = as_uint64(DatumGetInt64(elems[2]));
    return true;
}

int64 catalog_upsert_schedule(const ScheduleRow& row) {
    constexpr int kArgs = 18;
    Oid types[kArgs] = {REGCLASSOID, REGROLEOID,     TEXTOID,        TEXTOID, TIMESTAMPTZOID,
                        TEXTOID,     TIMESTAMPTZOID, TIMESTAMPTZOID, INT4OID, TIMESTAMPTZOID,
                        TEXTOID,     INTERVALOID,    INTERVALOID,    INT4OID, INTERVALOID,
                        BOOLOID,     BOOLOID,        INTERVALOID};
    Datum values[kArgs] = {ObjectIdGetDatum(row.view),
                           ObjectIdGetDatum(row.owner),
                           CStringGetTextDatum(row.schedule),
                           CStringGetTextDatum(row.spec),
                           TimestampTzGetDatum(row.anchor),
                           CStringGetTextDatum(row.timezone),
                           TimestampTzGetDatum(row.start_at),
                           TimestampTzGetDatum(row.until),
                           Int32GetDatum(row.repeats),
                           optional_timestamptz(row.next_run),
                           CStringGetTextDatum(row.concurrently),
                           row.timeout,
                           row.lock_timeout,
                           Int32GetDatum(row.max_retries),
                           row.retry_delay,
                           BoolGetDatum(row.notify),
                           BoolGetDatum(row.only_if_changed),
                           row.min_interval};
    const char nulls[kArgs] = {' ',
                               ' ',
                               ' ',
                               ' ',
                               ' ',
                               ' ',
                               null_flag(row.has_start_at),
                               null_flag(row.has_until),
                               null_flag(row.has_repeats),
                               null_flag(row.next_run != DT_NOEND),
                               ' ',
                               null_flag(row.timeout != 0),
                               null_flag(row.lock_timeout != 0),
                               ' ',
                               ' ',
                               ' ',
                               ' ',
                               null_flag(row.min_interval != 0)};
    // schedules.notify exists from catalog 0.3 on, only_if_changed and its counters from 0.5.
    const bool has_notify = catalog_has_run_history();
    const bool has_changes = has_notify && catalog_has_change_columns();
    run_sql(
        psprintf("INSERT INTO matview_scheduler.schedules AS s (view, owner, schedule, spec,"
                 "       anchor, timezone, start_at, until, repeats, next_run, concurrency,"
                 "       timeout, lock_timeout, max_retries, retry_delay%s%s)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15%s%s)"
                 " ON CONFLICT (view) DO UPDATE SET owner = EXCLUDED.owner,"
                 "   schedule = EXCLUDED.schedule, spec = EXCLUDED.spec,"
                 "   anchor = EXCLUDED.anchor, timezone = EXCLUDED.timezone,"
                 "   start_at = EXCLUDED.start_at, until = EXCLUDED.until,"
                 "   repeats = EXCLUDED.repeats, next_run = EXCLUDED.next_run,"
                 "   concurrency = EXCLUDED.concurrency, timeout = EXCLUDED.timeout,"
                 "   lock_timeout = EXCLUDED.lock_timeout, max_retries = EXCLUDED.max_retries,"
                 "   retry_delay = EXCLUDED.retry_delay,%s%s paused = false, runs_total = 0,"
                 "   failures_total = 0, consecutive_failures = 0, skipped_total = 0,"
                 "   created = pg_catalog.now()"
                 " RETURNING s.id",
                 has_notify ? ", notify" : "", has_changes ? ", only_if_changed, min_interval" : "",
                 has_notify ? ", $16" : "", has_changes ? ", $17, $18" : "",
                 has_notify ? " notify = EXCLUDED.notify," : "",
                 // A replaced schedule starts afresh: its first due time refreshes.
                 has_changes ? " only_if_changed = EXCLUDED.only_if_changed,"
                               " min_interval = EXCLUDED.min_interval, change_seen = NULL,"
                               " unchanged_total = 0, last_checked = NULL,"
                               " change_baseline = NULL, change_pending = NULL,"
                             : ""),
        has_changes ? 18 : (has_notify ? 16 : 15), types, values, nulls, SPI_OK_INSERT_RETURNING);
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

uint64 catalog_reassign_schedules(const Oid* roles, int n, Oid to) {
    Oid types[2] = {OIDARRAYOID, OIDOID};
    Datum values[2] = {oid_array(roles, n), ObjectIdGetDatum(to)};
    run_sql("UPDATE matview_scheduler.schedules SET owner = $2::pg_catalog.regrole"
            " WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)",
            2, types, values, nullptr, SPI_OK_UPDATE);
    return SPI_processed;
}

void catalog_drop_owned_schedules(const Oid* roles, int n) {
    Oid types[1] = {OIDARRAYOID};
    Datum values[1] = {oid_array(roles, n)};
    run_sql("DELETE FROM matview_scheduler.schedules"
            " WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)"
            " RETURNING view::pg_catalog.oid, owner::pg_catalog.oid",
            1, types, values, nullptr, SPI_OK_DELETE_RETURNING);
    for (uint64 i = 0; i < SPI_processed; ++i) {
        bool isnull = false;
        const Oid view = DatumGetObjectId(get_column(static_cast<int>(i), 1, &isnull));
        const Oid owner = DatumGetObjectId(get_column(static_cast<int>(i), 2, &isnull));
        ereport(NOTICE,
                (errmsg("the refresh schedule of %s, scheduled by %s, was removed",
                        quote_qualified_identifier(get_namespace_name(get_rel_namespace(view)),
                                                   get_rel_name(view)),
                        GetUserNameFromId(owner, false))));
    }
}

bool catalog_extension_version(char* out, size_t size) {
    run_sql("SELECT extversion FROM pg_catalog.pg_extension"
            " WHERE extname OPERATOR(pg_catalog.=) 'matview_scheduler'",
            0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    if (SPI_processed == 0)
        return false;
    copy_text_column(0, 1, out, size);
    return true;
}

// An 'on change' schedule past its next_run waits for a change: it is looked at only when watched
// writes committed since it was last looked at (change_seen).
static const char* kNotWaitingForChange = " AND (s.min_interval IS NULL OR s.change_seen IS NULL"
                                          " OR s.change_seen OPERATOR(pg_catalog.<>) $%d)";

int catalog_due_candidates(TimestampTz horizon, const int64* excluded, int n_excluded, int cap,
                           uint64 watch_generation, mvs::DueCandidate** out) {
    Oid types[4] = {TIMESTAMPTZOID, INT8ARRAYOID, INT4OID, INT8OID};
    Datum values[4] = {TimestampTzGetDatum(horizon), int8_array(excluded, n_excluded),
                       Int32GetDatum(cap), Int64GetDatum(static_cast<int64>(watch_generation))};
    const bool has_changes = catalog_has_change_columns();
    // Not locked: the fair order is core's; only the chosen rows are locked (catalog_lock_due).
    run_sql(psprintf("SELECT s.id, s.owner::pg_catalog.oid, s.next_run, %s"
                     "  FROM matview_scheduler.schedules s"
                     " WHERE s.next_run OPERATOR(pg_catalog.<=) $1 AND NOT s.paused"
                     "   AND NOT s.id OPERATOR(pg_catalog.=) ANY ($2)%s"
                     " ORDER BY s.next_run, s.id LIMIT $3",
                     has_changes ? "s.only_if_changed OR s.min_interval IS NOT NULL" : "false",
                     has_changes ? psprintf(kNotWaitingForChange, 4) : ""),
            has_changes ? 4 : 3, types, values, nullptr, SPI_OK_SELECT);
    const int n = static_cast<int>(SPI_processed);
    mvs::DueCandidate* rows =
        static_cast<mvs::DueCandidate*>(palloc0(sizeof(mvs::DueCandidate) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i) {
        bool isnull = false;
        rows[i].id = DatumGetInt64(get_column(i, 1, &isnull));
        rows[i].role = DatumGetObjectId(get_column(i, 2, &isnull));
        rows[i].next_run = core_instant(DatumGetTimestampTz(get_column(i, 3, &isnull)));
        rows[i].change_aware = DatumGetBool(get_column(i, 4, &isnull));
    }
    *out = rows;
    return n;
}

int catalog_lock_due(TimestampTz horizon, const mvs::DueCandidate* chosen, int n,
                     DueSchedule** out) {
    int64* ids = static_cast<int64*>(palloc(sizeof(int64) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i)
        ids[i] = chosen[i].id;
    Oid types[2] = {TIMESTAMPTZOID, INT8ARRAYOID};
    Datum values[2] = {TimestampTzGetDatum(horizon), int8_array(ids, n)};
    // SKIP LOCKED: a schedule being changed right now is left for the wake-up its commit sends.
    // The generic plan (an index lookup per id), as for catalog_start_runs.
    // only_if_changed and its baseline exist from catalog 0.5 on.
    const bool has_changes = catalog_has_change_columns();
    run_sql(
        psprintf("SELECT s.id, s.view::pg_catalog.oid, s.next_run, s.anchor, s.until, s.repeats,"
                 "        s.runs_total, s.spec, s.timezone, s.owner::pg_catalog.oid,"
                 "        o.k::pg_catalog.int4, %s"
                 "   FROM pg_catalog.unnest($2) WITH ORDINALITY AS o(id, k)"
                 "   JOIN matview_scheduler.schedules s ON s.id OPERATOR(pg_catalog.=) o.id"
                 "  WHERE s.next_run OPERATOR(pg_catalog.<=) $1 AND NOT s.paused"
                 "  ORDER BY o.k FOR UPDATE OF s SKIP LOCKED",
                 has_changes ? "s.only_if_changed, s.change_baseline, s.min_interval IS NOT NULL"
                             : "false, NULL::pg_catalog.int8[], false"),
        2, types, values, nullptr, SPI_OK_SELECT, 0, PlanChoice::kGeneric);
    const int found = static_cast<int>(SPI_processed);
    DueSchedule* rows =
        static_cast<DueSchedule*>(palloc0(sizeof(DueSchedule) * (found > 0 ? found : 1)));
    for (int i = 0; i < found; ++i) {
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
        row.owner = DatumGetObjectId(get_column(i, 10, &isnull));
        const int k = DatumGetInt32(get_column(i, 11, &isnull));
        row.over_limit = k >= 1 && k <= n && chosen[k - 1].over_limit;
        row.only_if_changed = DatumGetBool(get_column(i, 12, &isnull));
        const Datum baseline = get_column(i, 13, &isnull);
        row.has_baseline = !isnull && change_mark_from_array(baseline, &row.baseline);
        row.on_change = DatumGetBool(get_column(i, 14, &isnull));
    }
    *out = rows;
    return found;
}

int64 catalog_start_run(const DueSchedule& due, TimestampTz started, TimestampTz next_run,
                        int64 skipped, bool waiting) {
    Oid types[7] = {INT8OID,        REGCLASSOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
                    TIMESTAMPTZOID, INT8OID,     TEXTOID};
    Datum values[7] = {Int64GetDatum(due.id),
                       ObjectIdGetDatum(due.view),
                       TimestampTzGetDatum(due.next_run),
                       TimestampTzGetDatum(started),
                       optional_timestamptz(next_run),
                       Int64GetDatum(skipped),
                       CStringGetTextDatum(waiting ? "waiting" : "running")};
    const char nulls[7] = {' ', ' ', ' ', ' ', null_flag(next_run != DT_NOEND), ' ', ' '};
    run_sql("WITH r AS (INSERT INTO @history@"
            "             (schedule_id, view, scheduled_for, started, status)"
            "           VALUES ($1, $2, $3, $4, $7) RETURNING run_id)"
            " UPDATE matview_scheduler.schedules s SET next_run = $5, last_run_id = r.run_id,"
            "        runs_total = s.runs_total OPERATOR(pg_catalog.+) 1,"
            "        skipped_total = s.skipped_total OPERATOR(pg_catalog.+) $6"
            "   FROM r WHERE s.id OPERATOR(pg_catalog.=) $1 RETURNING r.run_id",
            7, types, values, nulls, SPI_OK_UPDATE_RETURNING);
    bool isnull = false;
    return DatumGetInt64(get_column(0, 1, &isnull));
}

void catalog_start_runs(const int64* ids, const Oid* views, const TimestampTz* scheduled_for,
                        const TimestampTz* started, const TimestampTz* next_runs,
                        const int64* skipped, const int32* waiting, int n, int64* run_ids) {
    // NULL (finished) travels as -infinity in the array and comes back as NULL.
    TimestampTz* nexts = static_cast<TimestampTz*>(palloc(sizeof(TimestampTz) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i)
        nexts[i] = next_runs[i] == DT_NOEND ? DT_NOBEGIN : next_runs[i];
    Oid types[7] = {INT8ARRAYOID,        OIDARRAYOID,  TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID,
                    TIMESTAMPTZARRAYOID, INT8ARRAYOID, INT4ARRAYOID};
    Datum values[7] = {int8_array(ids, n),
                       oid_array(views, n),
                       timestamptz_array(scheduled_for, n),
                       timestamptz_array(started, n),
                       timestamptz_array(nexts, n),
                       int8_array(skipped, n),
                       int4_array(waiting, n)};
    // As catalog_start_run, for the whole batch in one statement. Always the generic plan (index
    // lookups of the schedules, a hash join of the batch): its custom plans, costed for the exact
    // batch, looked cheaper and were made again on every pass, a fifth of the scheduler's CPU.
    run_sql("WITH b AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2),"
            "             pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5),"
            "             pg_catalog.unnest($6), pg_catalog.unnest($7))"
            "             AS b(id, view, scheduled_for, started, next_run, skipped, waiting)),"
            "     r AS (INSERT INTO @history@"
            "             (schedule_id, view, scheduled_for, started, status)"
            "           SELECT b.id, b.view::pg_catalog.regclass, b.scheduled_for, b.started,"
            "                  CASE WHEN b.waiting OPERATOR(pg_catalog.=) 0 THEN 'running'"
            "                  ELSE 'waiting' END FROM b RETURNING run_id, schedule_id)"
            " UPDATE matview_scheduler.schedules s"
            "    SET next_run = CASE WHEN b.next_run OPERATOR(pg_catalog.=) '-infinity'"
            "                   THEN NULL ELSE b.next_run END,"
            "        last_run_id = r.run_id,"
            "        runs_total = s.runs_total OPERATOR(pg_catalog.+) 1,"
            "        skipped_total = s.skipped_total OPERATOR(pg_catalog.+) b.skipped"
            "   FROM r JOIN b ON b.id OPERATOR(pg_catalog.=) r.schedule_id"
            "  WHERE s.id OPERATOR(pg_catalog.=) r.schedule_id RETURNING s.id, r.run_id",
            7, types, values, nullptr, SPI_OK_UPDATE_RETURNING, 0, PlanChoice::kGeneric);
    if (static_cast<int>(SPI_processed) != n)
        elog(ERROR, "matview_scheduler: %d of %d runs recorded", static_cast<int>(SPI_processed),
             n);
    for (int i = 0; i < n; ++i)
        run_ids[i] = 0;
    for (int row = 0; row < n; ++row) {
        bool isnull = false;
        const int64 id = DatumGetInt64(get_column(row, 1, &isnull));
        const int64 run_id = DatumGetInt64(get_column(row, 2, &isnull));
        for (int i = 0; i < n; ++i)
            if (ids[i] == id) {
                run_ids[i] = run_id;
                break;
            }
    }
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

void catalog_skip_unchanged(int64 schedule_id, TimestampTz next_run, int64 skipped,
                            TimestampTz checked, uint64 watch_generation) {
    Oid types[5] = {INT8OID, TIMESTAMPTZOID, INT8OID, TIMESTAMPTZOID, INT8OID};
    Datum values[5] = {Int64GetDatum(schedule_id), optional_timestamptz(next_run),
                       Int64GetDatum(skipped), TimestampTzGetDatum(checked),
                       Int64GetDatum(static_cast<int64>(watch_generation))};
    const char nulls[5] = {' ', null_flag(next_run != DT_NOEND), ' ', ' ', ' '};
    // The counters saturate rather than overflow.
    run_sql("UPDATE matview_scheduler.schedules SET next_run = $2, last_checked = $4,"
            "       change_seen = $5,"
            "       skipped_total = skipped_total OPERATOR(pg_catalog.+)"
            "           LEAST($3, 9223372036854775807 OPERATOR(pg_catalog.-) skipped_total),"
            "       unchanged_total = unchanged_total OPERATOR(pg_catalog.+)"
            "           CASE WHEN unchanged_total OPERATOR(pg_catalog.<) 9223372036854775807"
            "                THEN 1 ELSE 0 END"
            " WHERE id OPERATOR(pg_catalog.=) $1",
            5, types, values, nulls, SPI_OK_UPDATE);
}

void catalog_skip_unchanged_many(const int64* ids, const TimestampTz* next_runs,
                                 const int64* skipped, int n, TimestampTz checked,
                                 uint64 watch_generation) {
    // NULL (finished) travels as -infinity in the array and comes back as NULL.
    TimestampTz* nexts = static_cast<TimestampTz*>(palloc(sizeof(TimestampTz) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i)
        nexts[i] = next_runs[i] == DT_NOEND ? DT_NOBEGIN : next_runs[i];
    Oid types[5] = {INT8ARRAYOID, TIMESTAMPTZARRAYOID, INT8ARRAYOID, TIMESTAMPTZOID, INT8OID};
    Datum values[5] = {int8_array(ids, n), timestamptz_array(nexts, n), int8_array(skipped, n),
                       TimestampTzGetDatum(checked),
                       Int64GetDatum(static_cast<int64>(watch_generation))};
    // The counters saturate rather than overflow.
    run_sql(
        "UPDATE matview_scheduler.schedules s"
        "   SET next_run = CASE WHEN u.next_run OPERATOR(pg_catalog.=) '-infinity'"
        "                  THEN NULL ELSE u.next_run END,"
        "       last_checked = $4,"
        "       change_seen = $5,"
        "       skipped_total = s.skipped_total OPERATOR(pg_catalog.+)"
        "           LEAST(u.skipped, 9223372036854775807 OPERATOR(pg_catalog.-) s.skipped_total),"
        "       unchanged_total = s.unchanged_total OPERATOR(pg_catalog.+)"
        "           CASE WHEN s.unchanged_total OPERATOR(pg_catalog.<) 9223372036854775807"
        "                THEN 1 ELSE 0 END"
        "  FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2),"
        "                  pg_catalog.unnest($3)) AS u(id, next_run, skipped)"
        " WHERE s.id OPERATOR(pg_catalog.=) u.id",
        5, types, values, nullptr, SPI_OK_UPDATE);
}

void catalog_note_change_reading(int64 schedule_id, bool keep, const mvs::ChangeMark& mark,
                                 TimestampTz checked, uint64 watch_generation) {
    Oid types[4] = {INT8OID, INT8ARRAYOID, TIMESTAMPTZOID, INT8OID};
    Datum values[4] = {Int64GetDatum(schedule_id), keep ? change_mark_array(mark) : Datum(0),
                       TimestampTzGetDatum(checked),
                       Int64GetDatum(static_cast<int64>(watch_generation))};
    const char nulls[4] = {' ', null_flag(keep), ' ', ' '};
    run_sql("UPDATE matview_scheduler.schedules SET change_pending = $2, last_checked = $3,"
            "       change_seen = $4"
            " WHERE id OPERATOR(pg_catalog.=) $1",
            4, types, values, nulls, SPI_OK_UPDATE);
}

void catalog_fail_schedule(const DueSchedule& due, TimestampTz now, const char* sqlstate,
                           const char* message, TimestampTz next_run) {
    Oid types[7] = {INT8OID,        REGCLASSOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
                    TIMESTAMPTZOID, TEXTOID,     TEXTOID};
    Datum values[7] = {Int64GetDatum(due.id),
                       ObjectIdGetDatum(due.view),
                       TimestampTzGetDatum(due.next_run),
                       TimestampTzGetDatum(now),
                       optional_timestamptz(next_run),
                       CStringGetTextDatum(sqlstate),
                       CStringGetTextDatum(message)};
    const char nulls[7] = {' ', ' ', ' ', ' ', null_flag(next_run != DT_NOEND), ' ', ' '};
    run_sql("WITH r AS (INSERT INTO @history@ (schedule_id, view, scheduled_for,"
            "             started, finished, status, sqlstate, message)"
            "           VALUES ($1, $2, $3, $4, $4, 'failed', $6, $7) RETURNING run_id)"
            " UPDATE matview_scheduler.schedules s SET next_run = $5, last_run_id = r.run_id,"
            "        runs_total = s.runs_total OPERATOR(pg_catalog.+) 1,"
            "        failures_total = s.failures_total OPERATOR(pg_catalog.+) 1,"
            "        consecutive_failures = s.consecutive_failures OPERATOR(pg_catalog.+)"
            "            CASE WHEN s.consecutive_failures OPERATOR(pg_catalog.<) 2147483647"
            "                 THEN 1 ELSE 0 END"
            "   FROM r WHERE s.id OPERATOR(pg_catalog.=) $1",
            7, types, values, nulls, SPI_OK_UPDATE);
}

bool catalog_earliest_next_run(TimestampTz after, uint64 watch_generation, TimestampTz* out) {
    Oid types[2] = {TIMESTAMPTZOID, INT8OID};
    Datum values[2] = {TimestampTzGetDatum(after),
                       Int64GetDatum(static_cast<int64>(watch_generation))};
    const bool has_changes = catalog_has_change_columns();
    // NOT paused: a paused schedule's past next_run is not due, and the partial index answers it.
    run_sql(psprintf("SELECT pg_catalog.min(s.next_run) FROM matview_scheduler.schedules s"
                     " WHERE NOT s.paused AND s.next_run OPERATOR(pg_catalog.>) $1%s",
                     has_changes ? psprintf(kNotWaitingForChange, 2) : ""),
            has_changes ? 2 : 1, types, values, nullptr, SPI_OK_SELECT);
    bool isnull = true;
    const Datum value = get_column(0, 1, &isnull);
    if (isnull)
        return false;
    *out = DatumGetTimestampTz(value);
    return true;
}

bool catalog_first_due(uint64 watch_generation, int64 window_us, TimestampTz* earliest,
                       int* in_window) {
    Interval* window = static_cast<Interval*>(palloc0(sizeof(Interval)));
    window->time = window_us;
    // A due time written by hand may lie so late that adding the window leaves the range of
    // timestamptz, an error in every pass: its window ends at infinity instead.
    const TimestampTz last_with_end = END_TIMESTAMP - 1 - window_us;
    Oid types[3] = {INTERVALOID, TIMESTAMPTZOID, INT8OID};
    Datum values[3] = {IntervalPGetDatum(window), TimestampTzGetDatum(last_with_end),
                       Int64GetDatum(static_cast<int64>(watch_generation))};
    const bool has_changes = catalog_has_change_columns();
    const char* waiting = has_changes ? psprintf(kNotWaitingForChange, 3) : "";
    // Both from the partial index on next_run: the earliest, then the rows up to the end of the
    // window after it (at most kMaxWindowCount, in index order).
    run_sql(psprintf("SELECT e.m, (SELECT pg_catalog.count(*) FROM"
                     "   (SELECT 1 FROM matview_scheduler.schedules s"
                     "     WHERE NOT s.paused AND s.next_run OPERATOR(pg_catalog.<)"
                     "           CASE WHEN e.m OPERATOR(pg_catalog.<=) $2"
                     "                THEN e.m OPERATOR(pg_catalog.+) $1"
                     "                ELSE 'infinity' END%s"
                     "     ORDER BY s.next_run LIMIT %d) w)::pg_catalog.int4"
                     "  FROM (SELECT pg_catalog.min(s.next_run) AS m"
                     "          FROM matview_scheduler.schedules s WHERE NOT s.paused"
                     "           AND s.next_run OPERATOR(pg_catalog.>) '-infinity'%s) e",
                     waiting, kMaxWindowCount, waiting),
            has_changes ? 3 : 2, types, values, nullptr, SPI_OK_SELECT);
    bool isnull = true;
    const Datum value = get_column(0, 1, &isnull);
    if (isnull)
        return false;
    *earliest = DatumGetTimestampTz(value);
    *in_window = DatumGetInt32(get_column(0, 2, &isnull));
    return true;
}

void catalog_forget_change_seen() {
    if (!catalog_has_change_columns())
        return;
    run_sql("UPDATE matview_scheduler.schedules SET change_seen = NULL"
            " WHERE change_seen IS NOT NULL",
            0, nullptr, nullptr, nullptr, SPI_OK_UPDATE);
}

bool catalog_lock_schedule(Oid view, ScheduleState* out) {
    Oid types[1] = {REGCLASSOID};
    Datum values[1] = {ObjectIdGetDatum(view)};
    run_sql("SELECT id, paused, next_run, anchor, until, spec, timezone"
            "  FROM matview_scheduler.schedules WHERE view OPERATOR(pg_catalog.=) $1 FOR UPDATE",
            1, types, values, nullptr, SPI_OK_SELECT);
    if (SPI_processed == 0)
        return false;
    bool isnull = false;
    out->id = DatumGetInt64(get_column(0, 1, &isnull));
    out->paused = DatumGetBool(get_column(0, 2, &isnull));
    out->next_run = DatumGetTimestampTz(get_column(0, 3, &isnull));
    out->has_next_run = !isnull;
    out->anchor = DatumGetTimestampTz(get_column(0, 4, &isnull));
    out->until = DatumGetTimestampTz(get_column(0, 5, &isnull));
    out->has_until = !isnull;
    copy_text_column(0, 6, out->spec, sizeof out->spec);
    copy_text_column(0, 7, out->timezone, sizeof out->timezone);
    return true;
}

void catalog_set_paused(int64 schedule_id, bool paused, TimestampTz next_run) {
    Oid types[3] = {INT8OID, BOOLOID, TIMESTAMPTZOID};
    Datum values[3] = {Int64GetDatum(schedule_id), BoolGetDatum(paused),
                       optional_timestamptz(next_run)};
    const char nulls[3] = {' ', ' ', null_flag(next_run != DT_NOEND)};
    run_sql("UPDATE matview_scheduler.schedules SET paused = $2, next_run = $3"
            " WHERE id OPERATOR(pg_catalog.=) $1",
            3, types, values, nulls, SPI_OK_UPDATE);
}

} // namespace mvs::pg
