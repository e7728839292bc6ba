// The SQL-callable functions: schedule_refresh, unschedule_refresh, and the install-time hook.
#include "pg/pg_headers.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include "core/schedule_parser.hpp"
#include "pg/catalog.hpp"
#include "pg/error_bridge.hpp"
#include "pg/module.hpp"
#include "pg/pg_time.hpp"
#include "pg/schedule_input.hpp"
#include "pg/shared_state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mvs_schedule_refresh);
PG_FUNCTION_INFO_V1(mvs_unschedule_refresh);
PG_FUNCTION_INFO_V1(mvs_extension_created);
}

namespace {

using namespace mvs::pg;

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

void require_argument(FunctionCallInfo fcinfo, int arg, const char* name) {
    if (PG_ARGISNULL(arg))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name)));
}

// The view must exist, be a permanent materialized view, and be owned by the caller.
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
    if (!role_owns_relation(relid, GetUserId()))
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("must be owner of materialized view %s", name),
                 errhint("Only the view's owner (or a member of the owning role) can schedule its "
                         "refresh, since refreshing it needs the same right.")));
}

// The catalog is written only here, and as a superuser: users get no write grants on it.
struct CatalogAccess {
    Oid saved_user;
    int saved_context;
};

CatalogAccess begin_catalog_access() {
    CatalogAccess access;
    GetUserIdAndSecContext(&access.saved_user, &access.saved_context);
    SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
                           access.saved_context | SECURITY_LOCAL_USERID_CHANGE);
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "matview_scheduler: SPI_connect failed");
    return access;
}

void end_catalog_access(const CatalogAccess& access) {
    SPI_finish();
    SetUserIdAndSecContext(access.saved_user, access.saved_context);
}

} // namespace

extern "C" Datum mvs_schedule_refresh(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "view");
    require_argument(fcinfo, 1, "schedule");
    const Oid relid = PG_GETARG_OID(0);
    const char* schedule_text = text_to_cstring(PG_GETARG_TEXT_PP(1));

    check_schedulable_view(relid);
    const mvs::Schedule schedule = schedule_from_text(schedule_text);
    char spec[128];
    if (!mvs::format_spec(schedule, spec, sizeof spec))
        elog(ERROR, "matview_scheduler: schedule too long to store");

    // A new schedule's grid starts when it is created; its first run is its first due time.
    const TimestampTz anchor = GetCurrentTransactionStartTimestamp();
    const TimestampTz next_run = next_due(schedule, anchor, anchor, session_timezone);
    const char* zone_name = pg_get_timezone_name(session_timezone);

    const CatalogAccess access = begin_catalog_access();
    // Refreshes run as the role that scheduled them.
    const int64 id = catalog_upsert_schedule(relid, access.saved_user, schedule_text, spec, anchor,
                                             zone_name, next_run);
    end_catalog_access(access);
    wake_scheduler_at_commit();
    PG_RETURN_INT64(id);
}

extern "C" Datum mvs_unschedule_refresh(PG_FUNCTION_ARGS) {
    require_argument(fcinfo, 0, "view");
    const Oid relid = PG_GETARG_OID(0);
    const bool view_exists = get_rel_relkind(relid) != '\0';
    if (view_exists)
        check_schedulable_view(relid);

    const Oid caller = GetUserId();
    const CatalogAccess access = begin_catalog_access();
    Oid owner = InvalidOid;
    bool removed = false;
    if (catalog_schedule_owner(relid, &owner)) {
        // The view is gone: whoever owned the schedule may still remove it.
        if (!view_exists && !has_privs_of_role(caller, owner))
            ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                            errmsg("must be owner of the schedule of relation %u", relid)));
        removed = catalog_delete_schedule(relid);
    }
    end_catalog_access(access);
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
