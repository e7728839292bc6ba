// A refresh worker: runs one REFRESH MATERIALIZED VIEW, as the schedule's owner, and records it.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace mvs::pg {
// Fills in a dynamic background worker that carries out run `run_id` in database `dboid`.
void describe_refresh_worker(BackgroundWorker* worker, Oid dboid, int64 run_id);
} // namespace mvs::pg

extern "C" PGDLLEXPORT void mvs_refresh_worker_main(Datum arg);
