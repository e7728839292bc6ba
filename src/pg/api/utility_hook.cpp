#include "pg/api/utility_hook.hpp"

#include "pg/pg_headers.hpp"

extern "C" {
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/acl.h"
}

#include "pg/api/change_tracking.hpp"
#include "pg/api/database_guard.hpp"
#include "pg/catalog/schedule_catalog.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/api/sql_args.hpp"

namespace mvs::pg {

namespace {

ProcessUtility_hook_type prev_utility_hook = nullptr;

bool drops_this_extension(const DropStmt* stmt) {
    if (stmt->removeType != OBJECT_EXTENSION)
        return false;
    ListCell* cell = nullptr;
    foreach (cell, stmt->objects) {
        const Node* object = static_cast<const Node*>(lfirst(cell));
        if (IsA(object, String) && strcmp(strVal(object), "matview_scheduler") == 0)
            return true;
    }
    return false;
}

// The schedules of `roles` go to `to`, or are removed when `to` is invalid.
void follow_role_change(List* roles, Oid to) {
    if (!OidIsValid(get_extension_oid("matview_scheduler", true)))
        return;
    Oid* oids = static_cast<Oid*>(palloc(sizeof(Oid) * list_length(roles)));
    int n = 0;
    ListCell* cell = nullptr;
    foreach (cell, roles)
        oids[n++] = get_rolespec_oid(static_cast<RoleSpec*>(lfirst(cell)), false);
    const SuperuserCatalogAccess access = enter_catalog_as_superuser();
    if (OidIsValid(to)) {
        const uint64 moved = catalog_reassign_schedules(oids, n, to);
        if (moved > 0)
            ereport(NOTICE,
                    (errmsg("%llu refresh schedule(s) now run as %s",
                            static_cast<unsigned long long>(moved), GetUserNameFromId(to, false))));
    } else {
        catalog_drop_owned_schedules(oids, n);
    }
    leave_catalog_as_superuser(access);
}

void on_utility(PlannedStmt* pstmt, const char* query, bool read_only,
                ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* env,
                DestReceiver* dest, QueryCompletion* qc) {
    const Node* parsetree = pstmt->utilityStmt;
    // The database's scheduler notices the extension is gone when woken, and exits.
    if (IsA(parsetree, DropStmt) && drops_this_extension(castNode(DropStmt, parsetree)))
        wake_scheduler_at_commit();
    // After ALTER EXTENSION ... UPDATE the scheduler reads the new catalog version at once.
    if (IsA(parsetree, AlterExtensionStmt) &&
        strcmp(castNode(AlterExtensionStmt, parsetree)->extname, "matview_scheduler") == 0)
        wake_scheduler_at_commit();
    // A database made from a template that has the extension needs a scheduler too.
    if (IsA(parsetree, CreatedbStmt))
        request_rescan_at_commit();
    // ALLOW_CONNECTIONS or IS_TEMPLATE may change which databases get a scheduler.
    if (IsA(parsetree, AlterDatabaseStmt))
        request_rescan_at_commit();
    // A rename or template copy that will run must not be blocked by our processes (DROP
    // DATABASE steps them aside from the object access hook).
    guard_database_command(parsetree, context);
    if (prev_utility_hook != nullptr)
        prev_utility_hook(pstmt, query, read_only, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query, read_only, context, params, env, dest, qc);
    // It ran: what it changed counts for only_if_changed, at commit.
    note_utility_changes(parsetree);
    // A schedule belongs to the role that made it: REASSIGN OWNED hands it over, DROP OWNED
    // removes it, as they do with the role's objects in this database.
    if (IsA(parsetree, ReassignOwnedStmt)) {
        const ReassignOwnedStmt* stmt = castNode(ReassignOwnedStmt, parsetree);
        follow_role_change(stmt->roles, get_rolespec_oid(stmt->newrole, false));
    }
    if (IsA(parsetree, DropOwnedStmt))
        follow_role_change(castNode(DropOwnedStmt, parsetree)->roles, InvalidOid);
}

} // namespace

void install_utility_hook() {
    prev_utility_hook = ProcessUtility_hook;
    ProcessUtility_hook = on_utility;
}

} // namespace mvs::pg
