#include "pg/restore_guard.hpp"

extern "C" {
#include "commands/dbcommands.h"
#include "utils/backend_status.h"
}

namespace mvs::pg {

namespace {

bool holding = false;

// The pid of a pg_restore session connected to this database, or 0. pg_restore names its sessions
// so (fallback_application_name), parallel ones (-j) too. Reads the backend status array, as
// pg_stat_activity does, without running a query.
int restore_session() {
    const int n = pgstat_fetch_stat_numbackends();
    for (int i = 1; i <= n; ++i) {
        const LocalPgBackendStatus* local = pgstat_fetch_stat_local_beentry(i);
        if (local == nullptr)
            continue;
        const PgBackendStatus& be = local->backendStatus;
        if (be.st_databaseid == MyDatabaseId && be.st_appname != nullptr &&
            strcmp(be.st_appname, "pg_restore") == 0)
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
