// The per-database scheduler: sleeps until the earliest due time, then hands due refreshes to
// refresh workers.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace mvs::pg {
// Fills in a dynamic background worker that runs the scheduler of `dboid`.
void describe_scheduler_worker(BackgroundWorker* worker, Oid dboid);
} // namespace mvs::pg

extern "C" PGDLLEXPORT void mvs_scheduler_main(Datum arg);
