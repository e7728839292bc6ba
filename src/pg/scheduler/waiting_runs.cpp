#include "pg/scheduler/waiting_runs.hpp"

extern "C" {
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include "pg/shmem/refresh_places.hpp"
#include "pg/shmem/worker_pool.hpp"

namespace mvs::pg {

namespace {

struct WaitingRun {
    int64 run_id;
    int64 schedule_id;
    Oid role;
    TimestampTz start_at;
};

// A queue in TopMemoryContext; it only grows while slots are short.
WaitingRun* queue = nullptr;
int queue_size = 0;
int queue_capacity = 0;

// The current episode of waiting: since when, and how many runs waited in it.
TimestampTz episode_start = 0;
int episode_runs = 0;

void append(int64 run_id, int64 schedule_id, Oid role, TimestampTz start_at) {
    if (queue_size == queue_capacity) {
        const int capacity = queue_capacity == 0 ? 16 : queue_capacity * 2;
        const Size bytes = sizeof(WaitingRun) * static_cast<Size>(capacity);
        queue =
            static_cast<WaitingRun*>(queue == nullptr ? MemoryContextAlloc(TopMemoryContext, bytes)
                                                      : repalloc(queue, bytes));
        queue_capacity = capacity;
    }
    queue[queue_size++] = WaitingRun{run_id, schedule_id, role, start_at};
}

} // namespace

void waiting_resume(int64 run_id, int64 schedule_id) {
    append(run_id, schedule_id, InvalidOid, 0);
}

void waiting_add(int64 run_id, int64 schedule_id, Oid role, TimestampTz start_at) {
    append(run_id, schedule_id, role, start_at);
    if (episode_start == 0) {
        episode_start = GetCurrentTimestamp();
        episode_runs = 0;
        ereport(WARNING,
                (errmsg("matview_scheduler: no free background worker slot for a refresh; due "
                        "refreshes wait until one frees"),
                 errdetail("max_worker_processes is %d. matview_scheduler.status shows the waiting "
                           "schedules.",
                           max_worker_processes),
                 errhint("Raise max_worker_processes, or lower matview_scheduler.max_workers.")));
    }
    ++episode_runs;
}

int waiting_count() {
    return queue_size;
}

void waiting_usage(RoleUsage* usage) {
    for (int i = 0; i < queue_size; ++i)
        usage_add(usage, queue[i].role, 1);
}

bool waiting_for_schedule(int64 schedule_id) {
    for (int i = 0; i < queue_size; ++i)
        if (queue[i].schedule_id == schedule_id)
            return true;
    return false;
}

void waiting_dispatch(int limit) {
    int started = 0;
    while (started < queue_size && pool_busy_count() < limit &&
           pool_dispatch(queue[started].run_id, queue[started].schedule_id, queue[started].role,
                         queue[started].start_at))
        ++started;
    if (started > 0) {
        memmove(queue, queue + started, sizeof(WaitingRun) * (queue_size - started));
        queue_size -= started;
    }
    if (queue_size == 0 && episode_start != 0) {
        const long waited_ms =
            TimestampDifferenceMilliseconds(episode_start, GetCurrentTimestamp());
        ereport(LOG, (errmsg("matview_scheduler: background worker slots are free again; %d "
                             "refresh(es) that waited have started, after up to %ld ms",
                             episode_runs, waited_ms)));
        episode_start = 0;
    }
}

} // namespace mvs::pg
