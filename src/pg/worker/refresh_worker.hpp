// A refresh worker: runs REFRESH MATERIALIZED VIEW, as the schedule's owner, and records each run.
// A pool worker of the scheduler takes run after run; one started by refresh_now() does one.
#pragma once

#include "pg/pg_headers.hpp"
#include "pg/shmem/refresh_places.hpp"

extern "C" {
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/latch.h"
#include "storage/spin.h"
}

namespace mvs::pg {

// What a refresh_now() caller and its worker share (in a DSM segment).
struct ManualRunShared {
    slock_t mutex;
    Latch* caller_latch;
    int64 run_id; // set once the run is recorded as started
    bool done;    // set once it is recorded as finished
    bool succeeded;
    char sqlstate[6];
    char message[1024];
};

// Fills in a dynamic background worker for slot `slot` of a scheduler's pool (DSM `handle`) in
// database `dboid`.
void describe_pool_worker(BackgroundWorker* worker, Oid dboid, int slot, dsm_handle handle);

// The same for a refresh_now() of `view` as `owner`, reporting through the DSM segment `handle`.
void describe_manual_refresh_worker(BackgroundWorker* worker, Oid dboid, Oid view, Oid owner,
                                    dsm_handle handle, const ManualTicket& ticket);

} // namespace mvs::pg

extern "C" PGDLLEXPORT void mvs_refresh_worker_main(Datum arg);
