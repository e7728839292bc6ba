// The background workers of this library: the launcher, the schedulers and the refresh workers.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace mvs::pg {

// Fills in a worker that runs `function` (an extern "C" entry point of this library) with
// `main_arg`. Every one may connect to a database, and starts only once the server accepts writes:
// nothing runs on a standby. `restart_time` is what the postmaster does when it stops
// (BGW_NEVER_RESTART: its starter restarts it, if needed).
void describe_background_worker(BackgroundWorker* worker, const char* function, Datum main_arg,
                                int restart_time, const char* name, const char* type);

} // namespace mvs::pg
