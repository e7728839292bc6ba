// The scheduler's pool of refresh workers. Workers stay up between runs and take the next run the
// scheduler hands them, so a due refresh starts without the cost of starting a process; one left
// idle for a minute exits. The pool lives in a DSM segment the scheduler creates.
#pragma once

#include "core/next_wake.hpp"
#include "pg/pg_headers.hpp"

extern "C" {
#include "storage/dsm.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "datatype/timestamp.h"
}

namespace mvs::pg {

constexpr int kPoolCapacity = 64; // matview_scheduler.max_workers is capped at this
constexpr long kWorkerIdleExitMs = 60 * 1000;

struct PoolSlot {
    pid_t pid;            // 0: no worker here
    Latch* latch;         // the worker's
    int64 run_id;         // the run handed to it; 0: idle
    TimestampTz start_at; // its refresh starts then (it may be handed over a little early)
    // The run it takes when run_id is done, without a round trip to the scheduler; 0: none.
    // Always of the role of run_id, so a role never holds more places through it.
    int64 next_run_id;
    TimestampTz next_start_at;
};

struct WorkerPool {
    slock_t mutex;
    Latch* scheduler_latch; // nullptr once the scheduler has gone: workers leave
    // Which finished runs the scheduler wants to hear of (pool_wake_on_finish); a worker whose
    // finished run is not one of them lets it sleep.
    mvs::FinishWake wake_on_finish;
    PoolSlot slots[kPoolCapacity];
};

// Scheduler side.
void pool_create();
// Refreshes under way; is one of them a run of this schedule?
int pool_busy_count();
// Workers that will be there and free at `at`, so that a run handed to one then needs no process
// started: idle ones still within their idle time, and busy ones whose last run is due by
// `due_by` (some time before `at`: a guess at how long a refresh takes).
int pool_workers_free_at(TimestampTz at, TimestampTz due_by);
bool pool_is_running(int64 schedule_id);
// Hands the run (of `role`) to an idle worker, or starts one, to start its refresh at `start_at`.
// False when no background worker could start.
bool pool_dispatch(int64 run_id, int64 schedule_id, Oid role, TimestampTz start_at);
// Queues the run (recorded 'waiting') behind the current run of a worker running one of `role`'s
// runs and having nothing queued. False when there is none.
bool pool_queue(int64 run_id, int64 schedule_id, Oid role, TimestampTz start_at);
// Workers running a run of `role` with nothing queued behind it, and of any role.
int pool_queue_room(Oid role);
int pool_queue_room_total();
// Adds the places each role's runs hold in the pool.
struct RoleUsage;
void pool_usage(RoleUsage* usage);
// Whether a worker that finishes a run sets the scheduler's latch: while runs or refresh_now()
// wait for a place or their sources. Otherwise the places and workers a run frees are noted at
// the scheduler's next wake-up, before its next pass.
void pool_wake_on_finish(mvs::FinishWake wanted);
// Notes finished runs, and workers that stopped; the runs they stopped in (or had queued) go to
// `stopped` (room for 2 * kPoolCapacity). Returns how many.
int pool_reap(int64* stopped);

// Worker side: the pool a worker belongs to, attached for the rest of the process.
WorkerPool* pool_attach(dsm_handle handle);
// Under the pool's mutex, once the run in `slot` is done: its queued run becomes its run (or it
// becomes idle). Returns the new run (0: none).
int64 pool_take_next(WorkerPool* pool, PoolSlot& slot);
// Under the pool's mutex, after pool_take_next returned `next`: the scheduler's latch if the run
// that ended is one it wants to hear of, else nullptr.
Latch* pool_finish_latch(WorkerPool* pool, int64 next);

} // namespace mvs::pg
