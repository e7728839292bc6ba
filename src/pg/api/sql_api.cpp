// The SQL-callable functions: schedule_refresh, unschedule_refresh, and the install-time hook.
#include <type_traits>

#include "pg/pg_headers.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h" // not reached through funcapi.h from 19 on
}

#include "core/schedule_parser.hpp"
#include "pg/catalog/run_catalog.hpp"
#include "pg/catalog/schedule_catalog.hpp"
#include "pg/catalog/view_tracking.hpp"
#include "pg/error_bridge.hpp"
#include "pg/module.hpp"
#include "pg/due_times.hpp"
#include "pg/api/schedule_input.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/api/sql_args.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mvs_next_runs);
PG_FUNCTION_INFO_V1(mvs_schedule_refresh);
PG_FUNCTION_INFO_V1(mvs_unschedule_refresh);
PG_FUNCTION_INFO_V1(mvs_extension_created);
}

namespace {

using namespace mvs::pg;

// The longest preview next_runs gives.
constexpr int kMaxPreview = 100000;

// next_runs keeps these on the stack across CHECK_FOR_INTERRUPTS(), which may longjmp past them.
static_assert(std::is_trivially_destructible_v<mvs::Schedule>, "crosses a longjmp");
static_assert(std::is_trivially_destructible_v<FirstDue>, "crosses a longjmp");

} // namespace

extern "C" Datum mvs_schedule_refresh(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "view");
    require_argument(fcinfo, 1, "schedule");
    const Oid relid = PG_GETARG_OID(0);
    const char* schedule_text = text_to_cstring(PG_GETARG_TEXT_PP(1));
    const bool has_start_at = !PG_ARGISNULL(2);
    const TimestampTz start_at = has_start_at ? PG_GETARG_TIMESTAMPTZ(2) : 0;
    const bool has_until = !PG_ARGISNULL(3);
    const TimestampTz until = has_until ? PG_GETARG_TIMESTAMPTZ(3) : 0;
    const bool has_repeats = !PG_ARGISNULL(4);
    const int32 repeats = has_repeats ? PG_GETARG_INT32(4) : 0;
    const pg_tz* tz =
        PG_ARGISNULL(5) ? session_timezone : zone_from_name(text_to_cstring(PG_GETARG_TEXT_PP(5)));

    check_schedulable_view(relid);
    mvs::Schedule parsed = schedule_from_text(schedule_text);
    // `min_interval` came with catalog 0.5, and belongs to 'on change' alone.
    const bool has_min_interval = PG_NARGS() > 13 && !PG_ARGISNULL(13);
    if (parsed.kind == mvs::ScheduleKind::OnChange) {
        if (PG_NARGS() <= 13)
            ereport(ERROR,
                    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                     errmsg("'on change' schedules need version 0.5 of the extension's catalog"),
                     errhint("ALTER EXTENSION matview_scheduler UPDATE")));
        parsed = on_change_with(parsed, has_min_interval ? PG_GETARG_INTERVAL_P(13) : nullptr);
    } else if (has_min_interval) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("min_interval applies only to 'on change' schedules"),
                        errdetail("Schedule \"%s\" refreshes at its due times.", schedule_text),
                        errhint("Leave min_interval out, or schedule the view 'on change'.")));
    }
    const TimestampTz now = GetCurrentTransactionStartTimestamp();
    check_bounds(parsed, has_start_at, start_at, has_until, until, has_repeats, repeats, now);
    const RefreshOptions options = refresh_options(fcinfo, relid);

    const FirstDue first = first_due(parsed, has_start_at, start_at, now, tz);
    // Due times end with the year 9999 (UTC), as the arguments do; nothing later is stored.
    if (first.first == DT_NOEND)
        ereport(ERROR,
                (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                 errmsg("schedule \"%s\" has no due time before the year 10000", schedule_text),
                 errdetail("Due times end at 10000-01-01 00:00:00 UTC.")));
    if (has_until && first.first > until)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("schedule \"%s\" has no due time before until (%s)", schedule_text,
                        timestamptz_to_str(until)),
                 errdetail("Its first due time would be %s.", timestamptz_to_str(first.first))));
    char spec[mvs::kSpecSize];
    if (!mvs::format_spec(first.schedule, spec, sizeof spec))
        elog(ERROR, "matview_scheduler: schedule too long to store");

    ScheduleRow row;
    row.view = relid;
    row.schedule = schedule_text;
    row.spec = spec;
    row.anchor = first.anchor;
    row.timezone = pg_get_timezone_name(const_cast<pg_tz*>(tz));
    row.has_start_at = has_start_at;
    row.start_at = start_at;
    row.has_until = has_until;
    row.until = until;
    row.has_repeats = has_repeats;
    row.repeats = repeats;
    row.next_run = first.first;
    row.concurrently = options.concurrently;
    row.timeout = options.timeout;
    row.lock_timeout = options.lock_timeout;
    row.max_retries = options.max_retries;
    row.retry_delay = options.retry_delay;
    // `notify` came with catalog 0.3; the 0.2 function has no such argument.
    row.notify = false;
    if (PG_NARGS() > 11) {
        require_argument(fcinfo, 11, "notify");
        row.notify = PG_GETARG_BOOL(11);
    }
    // `only_if_changed` came with catalog 0.5; 'on change' implies it.
    row.only_if_changed = false;
    if (PG_NARGS() > 12) {
        require_argument(fcinfo, 12, "only_if_changed");
        row.only_if_changed = PG_GETARG_BOOL(12);
    }
    const bool on_change = parsed.kind == mvs::ScheduleKind::OnChange;
    row.only_if_changed = row.only_if_changed || on_change;
    row.min_interval = 0;
    if (on_change) {
        Interval* shown = static_cast<Interval*>(palloc0(sizeof(Interval)));
        shown->time = parsed.every.micros;
        row.min_interval = has_min_interval ? PG_GETARG_DATUM(13) : IntervalPGetDatum(shown);
    }

    const SuperuserCatalogAccess access = enter_catalog_as_superuser();
    // Refreshes run as the role that scheduled them.
    row.owner = access.saved_user;
    // An untracked view is refreshed at every due time: say so now, with the reason.
    const char* untracked = row.only_if_changed ? view_untracked_reason(relid) : nullptr;
    if (on_change && untracked != nullptr)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("%s cannot be refreshed 'on change': its changes cannot be tracked",
                               get_rel_name(relid)),
                        errdetail("It %s.", untracked),
                        errhint("Schedule it on the clock, e.g. 'every 5 minutes'; "
                                "matview_scheduler.dependencies shows what it reads.")));
    const int64 id = catalog_upsert_schedule(row);
    leave_catalog_as_superuser(access);
    if (untracked != nullptr)
        ereport(NOTICE,
                (errmsg("only_if_changed has no effect on %s: its changes cannot be tracked",
                        get_rel_name(relid)),
                 errdetail("It %s.", untracked),
                 errhint("It is refreshed at every due time; matview_scheduler.dependencies "
                         "shows why.")));
    wake_scheduler_at_commit();
    PG_RETURN_INT64(id);
}

extern "C" Datum mvs_next_runs(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "schedule");
    require_argument(fcinfo, 1, "n");
    require_argument(fcinfo, 2, "after");
    const char* schedule_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const int32 n = PG_GETARG_INT32(1);
    const TimestampTz after = PG_GETARG_TIMESTAMPTZ(2);
    const pg_tz* tz =
        PG_ARGISNULL(3) ? session_timezone : zone_from_name(text_to_cstring(PG_GETARG_TEXT_PP(3)));
    const bool has_start_at = !PG_ARGISNULL(4);
    const TimestampTz start_at = has_start_at ? PG_GETARG_TIMESTAMPTZ(4) : 0;
    check_time_argument(after, "after");
    if (has_start_at)
        check_time_argument(start_at, "start_at");
    if (n < 0 || n > kMaxPreview)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("n must be between 0 and %d, not %d", kMaxPreview, n)));

    const mvs::Schedule parsed = schedule_from_text(schedule_text);
    if (parsed.kind == mvs::ScheduleKind::OnChange)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("an 'on change' schedule has no due times to show"),
                        errdetail("Its refreshes follow the changes of what the view reads.")));
    // As if the schedule were created at `after`.
    const FirstDue first = first_due(parsed, has_start_at, start_at, after, tz);

    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    // At most n (<= kMaxPreview) rounds, each one bounded call of core; interruptible between
    // them. The series ends at the end of time (DT_NOEND).
    TimestampTz due = first.first;
    for (int i = 0; i < n && due != DT_NOEND; ++i) {
        CHECK_FOR_INTERRUPTS();
        Datum value = TimestampTzGetDatum(due);
        bool isnull = false;
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
        due = next_due(first.schedule, first.anchor, due, tz);
    }
    return static_cast<Datum>(0);
}

extern "C" Datum mvs_unschedule_refresh(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "view");
    const Oid relid = PG_GETARG_OID(0);
    const bool view_exists = get_rel_relkind(relid) != '\0';
    if (view_exists)
        check_schedulable_view(relid);

    const Oid caller = GetUserId();
    const SuperuserCatalogAccess access = enter_catalog_as_superuser();
    Oid owner = InvalidOid;
    bool removed = false;
    if (catalog_schedule_owner(relid, &owner)) {
        // The view is gone: whoever owned the schedule may still remove it.
        if (!view_exists && !has_privs_of_role(caller, owner))
            ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                            errmsg("must be owner of the schedule of relation %u", relid)));
        removed = catalog_delete_schedule(relid);
    }
    leave_catalog_as_superuser(access);
    if (removed)
        wake_scheduler_at_commit();
    PG_RETURN_BOOL(removed);
}

extern "C" Datum mvs_extension_created(PG_FUNCTION_ARGS) {
    (void)fcinfo;
    if (!library_preloaded())
        ereport(WARNING,
                (errmsg("matview_scheduler is not in shared_preload_libraries: schedules can be "
                        "created, but no refresh will run"),
                 errhint("Add matview_scheduler to shared_preload_libraries in postgresql.conf "
                         "and restart the server.")));
    else
        wake_launcher_at_commit();
    PG_RETURN_VOID();
}
