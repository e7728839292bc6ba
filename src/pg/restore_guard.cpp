#include "pg/restore_guard.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
}

#include "pg/spi_support.hpp"

namespace mvs::pg {

namespace {

bool holding = false;

} // namespace

bool restore_in_progress() {
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(MyDatabaseId)};
    // pg_restore names its sessions so (fallback_application_name), parallel ones (-j) too.
    run_sql("SELECT pid FROM pg_catalog.pg_stat_activity"
            " WHERE datid OPERATOR(pg_catalog.=) $1"
            "   AND application_name OPERATOR(pg_catalog.=) 'pg_restore' LIMIT 1",
            1, types, values, nullptr, SPI_OK_SELECT);
    const bool restoring = SPI_processed > 0;
    if (restoring && !holding) {
        bool isnull = false;
        const int pid = DatumGetInt32(get_column(0, 1, &isnull));
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
