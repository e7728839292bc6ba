#include "pg/scheduler/restore_guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/lsyscache.h" // get_database_name, from 19 (commands/dbcommands.h before)
#include "utils/syscache.h"
}

namespace mvs::pg {

namespace {

bool holding = false;

Oid database_owner() {
    HeapTuple tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
    if (!HeapTupleIsValid(tuple))
        return InvalidOid;
    const Oid owner = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple))->datdba;
    ReleaseSysCache(tuple);
    return owner;
}

// Could this role restore the database? Only its owner (and members of the owning role) and
// superusers can, in general; anyone else naming a session pg_restore must not hold the refreshes.
bool may_restore(Oid role, Oid owner) {
    return superuser_arg(role) || (OidIsValid(owner) && has_privs_of_role(role, owner));
}

// The pid of a pg_restore session connected to this database by a role that could restore it, or
// 0. pg_restore names its sessions so (fallback_application_name), parallel ones (-j) too. Reads
// the backend status array, as pg_stat_activity does, without running a query.
int restore_session() {
    const Oid owner = database_owner();
    const int n = pgstat_fetch_stat_numbackends();
    for (int i = 1; i <= n; ++i) {
        const LocalPgBackendStatus* local = local_backend_status(i);
        if (local == nullptr)
            continue;
        const PgBackendStatus& be = local->backendStatus;
        if (be.st_databaseid == MyDatabaseId && be.st_appname != nullptr &&
            strcmp(be.st_appname, "pg_restore") == 0 && may_restore(be.st_userid, owner))
            return be.st_procpid;
    }
    return 0;
}

} // namespace

bool restore_in_progress() {
    const int pid = restore_session();
    const bool restoring = pid != 0;
    if (restoring && !holding) {
        ereport(LOG, (errmsg("matview_scheduler: pg_restore (PID %d) is connected to database "
                             "\"%s\"; its refreshes wait until the restore has finished",
                             pid, get_database_name(MyDatabaseId))));
    } else if (!restoring && holding) {
        ereport(LOG, (errmsg("matview_scheduler: no pg_restore is connected to database \"%s\" "
                             "any more; its refreshes run again",
                             get_database_name(MyDatabaseId))));
    }
    holding = restoring;
    return restoring;
}

} // namespace mvs::pg
