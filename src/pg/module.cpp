// Module initialisation: settings, shared memory, the commit callback and the launcher.
#include "pg/pg_headers.hpp"

extern "C" {
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
}

#include "pg/api/change_tracking.hpp"
#include "pg/api/database_guard.hpp"
#include "pg/launcher/launcher.hpp"
#include "pg/module.hpp"
#include "pg/shmem/change_counters.hpp"
#include "pg/shmem/refresh_places.hpp"
#include "pg/settings.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/api/utility_hook.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

namespace {

bool preloaded = false;
shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

void on_shmem_request() {
    if (prev_shmem_request_hook != nullptr)
        prev_shmem_request_hook();
    mvs::pg::shared_state_request();
    mvs::pg::places_shmem_request();
    mvs::pg::change_counters_request();
}

void on_shmem_startup() {
    if (prev_shmem_startup_hook != nullptr)
        prev_shmem_startup_hook();
    mvs::pg::shared_state_attach();
    mvs::pg::places_shmem_attach();
    mvs::pg::change_counters_attach();
}

} // namespace

namespace mvs::pg {
bool library_preloaded() {
    return preloaded;
}
} // namespace mvs::pg

void _PG_init(void) {
    mvs::pg::define_settings(process_shared_preload_libraries_in_progress);
    mvs::pg::register_commit_callback();
    mvs::pg::install_utility_hook();
    mvs::pg::install_database_guard();
    if (!process_shared_preload_libraries_in_progress)
        return; // loaded by a function call: the SQL API works, nothing is scheduled
    preloaded = true;

    prev_shmem_request_hook = shmem_request_hook;
    shmem_request_hook = on_shmem_request;
    prev_shmem_startup_hook = shmem_startup_hook;
    shmem_startup_hook = on_shmem_startup;
    // Every backend notes what its transactions write, for only_if_changed.
    mvs::pg::install_change_tracking();
    // pg_upgrade runs both servers in binary upgrade mode; a refresh there would write to the old
    // cluster after its transaction and multixact counters were read, or into the new one while its
    // catalog is being restored. PostgreSQL's own autovacuum is off then for the same reason.
    if (IsBinaryUpgrade) {
        ereport(LOG, (errmsg("matview_scheduler: no scheduling in binary upgrade mode")));
        return;
    }
    mvs::pg::register_launcher();
}
