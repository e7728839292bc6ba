// Runs the scheduler recorded while no background worker slot was free (max_worker_processes
// reached). They wait, oldest due first, and start as soon as a slot frees; the log says once when
// the waiting starts and once when it ends, not once per attempt.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace mvs::pg {

// A run whose worker could not start; it starts at `start_at` at the earliest.
void waiting_add(int64 run_id, int64 schedule_id, Oid role, TimestampTz start_at);
// A run an earlier scheduler left waiting.
void waiting_resume(int64 run_id, int64 schedule_id);
int waiting_count();
// Adds the places each role's waiting runs will take.
struct RoleUsage;
void waiting_usage(RoleUsage* usage);
bool waiting_for_schedule(int64 schedule_id);
// Hands waiting runs to workers, oldest first, while fewer than `limit` refreshes are under way.
void waiting_dispatch(int limit);

} // namespace mvs::pg
