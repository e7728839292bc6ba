#include "pg/api/sql_args.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include "core/civil_time.hpp"
#include "pg/pg_time.hpp"
#include "pg/catalog/run_catalog.hpp"
#include "pg/spi_support.hpp"

namespace mvs::pg {

namespace {

const char* relkind_noun(char relkind) {
    switch (relkind) {
    case RELKIND_RELATION:
    case RELKIND_PARTITIONED_TABLE:
        return "a table";
    case RELKIND_VIEW:
        return "a view";
    case RELKIND_INDEX:
    case RELKIND_PARTITIONED_INDEX:
        return "an index";
    case RELKIND_SEQUENCE:
        return "a sequence";
    case RELKIND_FOREIGN_TABLE:
        return "a foreign table";
    case RELKIND_TOASTVALUE:
        return "a TOAST table";
    case RELKIND_COMPOSITE_TYPE:
        return "a composite type";
    default:
        return "not a materialized view";
    }
}

} // namespace

void require_argument(FunctionCallInfo fcinfo, int arg, const char* name) {
    if (PG_ARGISNULL(arg))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name)));
}

// The view must exist, be a permanent materialized view, and the caller may refresh it.
void check_schedulable_view(Oid relid) {
    const char relkind = get_rel_relkind(relid);
    if (relkind == '\0')
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("relation with OID %u does not exist", relid)));
    const char* name = get_rel_name(relid);
    if (relkind != RELKIND_MATVIEW)
        ereport(ERROR,
                (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                 errmsg("\"%s\" is %s, not a materialized view", name, relkind_noun(relkind)),
                 errhint("Only materialized views can be refreshed: CREATE MATERIALIZED VIEW makes "
                         "one.")));
    if (get_rel_persistence(relid) == RELPERSISTENCE_TEMP)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("\"%s\" is a temporary materialized view", name),
                        errdetail("A temporary view ends with its session, where no scheduler "
                                  "can reach it.")));
    if (!role_may_refresh(relid, GetUserId()))
        refuse_refresh_right(name);
}

SuperuserCatalogAccess enter_catalog_as_superuser() {
    SuperuserCatalogAccess access;
    GetUserIdAndSecContext(&access.saved_user, &access.saved_context);
    SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
                           access.saved_context | SECURITY_LOCAL_USERID_CHANGE);
    access.guc_level = enter_safe_search_path();
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "matview_scheduler: SPI_connect failed");
    return access;
}

void leave_catalog_as_superuser(const SuperuserCatalogAccess& access) {
    SPI_finish();
    leave_safe_search_path(access.guc_level);
    SetUserIdAndSecContext(access.saved_user, access.saved_context);
}

const pg_tz* zone_from_name(const char* name) {
    const pg_tz* tz = pg_tzset(name);
    if (tz == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("time zone \"%s\" not recognized", name),
                        errhint("Use a name from pg_timezone_names, such as 'Europe/Berlin' or "
                                "'America/New_York'.")));
    return tz;
}

void check_time_argument(TimestampTz t, const char* name) {
    const TimestampTz earliest = to_timestamptz(mvs::days_from_civil(1, 1, 1) * mvs::kMicrosPerDay);
    const TimestampTz latest =
        to_timestamptz(mvs::days_from_civil(10000, 1, 1) * mvs::kMicrosPerDay);
    if (TIMESTAMP_NOT_FINITE(t) || t < earliest || t >= latest)
        ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                        errmsg("%s must be a time between the years 1 and 9999", name)));
}

// start_at, until and repeats: each checked on its own and against the others.
void check_bounds(const mvs::Schedule& schedule, bool has_start_at, TimestampTz start_at,
                  bool has_until, TimestampTz until, bool has_repeats, int32 repeats,
                  TimestampTz now) {
    if (has_start_at)
        check_time_argument(start_at, "start_at");
    if (has_until)
        check_time_argument(until, "until");
    if (has_repeats && repeats < 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("repeats must be at least 1, not %d", repeats),
                        errhint("Leave repeats NULL to run for ever.")));
    if (has_until && has_start_at && until <= start_at)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("until (%s) must be after start_at (%s)", timestamptz_to_str(until),
                               timestamptz_to_str(start_at))));
    if (has_until && until <= now)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("until (%s) is in the past", timestamptz_to_str(until))));
    if (schedule.kind == mvs::ScheduleKind::Once && has_start_at && start_at < now)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("a schedule that runs once needs a start_at in the future, not %s",
                               timestamptz_to_str(start_at)),
                        errhint("Leave start_at NULL to run it once, now.")));
}

// Microseconds in an interval, counting a month as 30 days (as PostgreSQL's own comparisons do).
static double interval_micros(const Interval* i) {
    return (static_cast<double>(i->month) * DAYS_PER_MONTH + i->day) * USECS_PER_DAY + i->time;
}

// A positive interval argument, or 0 when NULL (and NULL is allowed).
static Datum positive_interval(FunctionCallInfo fcinfo, int arg, const char* name, bool nullable,
                               bool milliseconds) {
    if (PG_ARGISNULL(arg)) {
        if (!nullable)
            ereport(ERROR,
                    (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name)));
        return 0;
    }
    const Interval* value = PG_GETARG_INTERVAL_P(arg);
    const double micros = interval_micros(value);
    const char* shown = DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(arg)));
    if (micros <= 0 || value->month < 0 || value->day < 0 || value->time < 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s must be positive, not %s", name, shown)));
    if (milliseconds && micros / 1000.0 > INT_MAX)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s %s is too long", name, shown),
                 errhint("The longest is 24 days.")));
    return PG_GETARG_DATUM(arg);
}

// The first column of the view, to show in a CREATE UNIQUE INDEX hint.
static const char* first_column(Oid relid) {
    const char* name = get_attname(relid, 1, true);
    return name != nullptr ? quote_identifier(name) : "id";
}

RefreshOptions refresh_options(FunctionCallInfo fcinfo, Oid relid) {
    RefreshOptions o;
    require_argument(fcinfo, 6, "concurrently");
    const char* mode = text_to_cstring(PG_GETARG_TEXT_PP(6));
    if (pg_strcasecmp(mode, "auto") == 0)
        o.concurrently = "auto";
    else if (pg_strcasecmp(mode, "always") == 0)
        o.concurrently = "always";
    else if (pg_strcasecmp(mode, "never") == 0)
        o.concurrently = "never";
    else
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("concurrently must be 'auto', 'always' or 'never', not '%s'", mode),
                        errhint("'auto' refreshes CONCURRENTLY whenever the view allows it.")));
    o.timeout = positive_interval(fcinfo, 7, "timeout", true, true);
    o.lock_timeout = positive_interval(fcinfo, 8, "lock_timeout", true, true);
    require_argument(fcinfo, 9, "max_retries");
    o.max_retries = PG_GETARG_INT32(9);
    if (o.max_retries < 0 || o.max_retries > kMaxRetries)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("max_retries must be between 0 and %d, not %d", kMaxRetries,
                               o.max_retries)));
    o.retry_delay = positive_interval(fcinfo, 10, "retry_delay", false, false);
    if (interval_micros(DatumGetIntervalP(o.retry_delay)) > kMaxRetryDelayDays * USECS_PER_DAY)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("retry_delay %s is too long",
                        DatumGetCString(DirectFunctionCall1(interval_out, o.retry_delay))),
                 errhint("The longest is %d days; a retry never comes after the next due time "
                         "anyway.",
                         kMaxRetryDelayDays)));

    if (strcmp(o.concurrently, "always") == 0) {
        const SuperuserCatalogAccess access = enter_catalog_as_superuser();
        const bool usable = catalog_view_has_unique_index(relid);
        leave_catalog_as_superuser(access);
        if (!usable)
            ereport(ERROR,
                    (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                     errmsg("materialized view %s cannot be refreshed concurrently",
                            get_rel_name(relid)),
                     errdetail("REFRESH ... CONCURRENTLY needs a unique index on plain columns, "
                               "without a WHERE clause."),
                     errhint("Add one, e.g. CREATE UNIQUE INDEX ON %s (%s); or use concurrently "
                             "=> 'auto'.",
                             quote_qualified_identifier(
                                 get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)),
                             first_column(relid))));
    }
    return o;
}

} // namespace mvs::pg
