#include "pg/shmem/worker_pool.hpp"

#include <algorithm>

extern "C" {
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "utils/timestamp.h"
}

#include "pg/shmem/refresh_places.hpp"
#include "pg/worker/refresh_worker.hpp"
#include "pg/settings.hpp"

namespace mvs::pg {

namespace {

// What the scheduler knows of each slot, beyond the shared part.
struct LocalSlot {
    BackgroundWorkerHandle* handle;
    int64 run_id;      // the run it was handed and has not seen finish; 0: idle
    int64 schedule_id; // that run's schedule
    Oid role;          // and the role it runs as
    int64 next_run_id; // the run queued behind it (same role); 0: none
    int64 next_schedule_id;
    // When it was last handed a run. A worker leaves kWorkerIdleExitMs after its last run ends,
    // so it is there until at least then.
    TimestampTz given_at;
    TimestampTz due; // the due time of the last run handed to it (run_id's or next_run_id's)
};

dsm_segment* segment = nullptr;
WorkerPool* pool = nullptr;
LocalSlot local[kPoolCapacity];

// The scheduler is going: idle workers leave now, busy ones after their run.
void pool_close(int, Datum) {
    SpinLockAcquire(&pool->mutex);
    pool->scheduler_latch = nullptr;
    SpinLockRelease(&pool->mutex);
    // One slot per acquisition, so the spinlock is never held across a loop. A worker that
    // registers after its slot is read sees the pool closing on its next look.
    for (PoolSlot& slot : pool->slots) {
        SpinLockAcquire(&pool->mutex);
        Latch* latch = slot.pid != 0 ? slot.latch : nullptr;
        SpinLockRelease(&pool->mutex);
        if (latch != nullptr)
            SetLatch(latch);
    }
}

} // namespace

void pool_create() {
    segment = dsm_create(sizeof(WorkerPool), 0);
    dsm_pin_mapping(segment);
    pool = static_cast<WorkerPool*>(dsm_segment_address(segment));
    memset(pool, 0, sizeof *pool);
    SpinLockInit(&pool->mutex);
    pool->scheduler_latch = MyLatch;
    pool->wake_on_finish = mvs::FinishWake::kEach;
    memset(local, 0, sizeof local);
    before_shmem_exit(pool_close, 0);
}

void pool_wake_on_finish(mvs::FinishWake wanted) {
    SpinLockAcquire(&pool->mutex);
    pool->wake_on_finish = wanted;
    SpinLockRelease(&pool->mutex);
}

int pool_busy_count() {
    int busy = 0;
    for (const LocalSlot& s : local)
        busy += s.run_id != 0 ? 1 : 0;
    return busy;
}

int pool_workers_free_at(TimestampTz at, TimestampTz due_by) {
    // A second's margin for the worker's clock reading against the scheduler's.
    constexpr int64 kLeftAtLeastUs = (kWorkerIdleExitMs - 1000) * int64{1000};
    int free = 0;
    for (const LocalSlot& s : local) {
        if (s.handle == nullptr)
            continue;
        if (s.run_id == 0)
            free += s.given_at + kLeftAtLeastUs > at ? 1 : 0;
        else
            free += s.due <= due_by ? 1 : 0;
    }
    return free;
}

bool pool_is_running(int64 schedule_id) {
    for (const LocalSlot& s : local)
        if ((s.run_id != 0 && s.schedule_id == schedule_id) ||
            (s.next_run_id != 0 && s.next_schedule_id == schedule_id))
            return true;
    return false;
}

int pool_queue_room(Oid role) {
    int room = 0;
    for (const LocalSlot& s : local)
        room += s.handle != nullptr && s.run_id != 0 && s.next_run_id == 0 && s.role == role;
    return room;
}

int pool_queue_room_total() {
    int room = 0;
    for (const LocalSlot& s : local)
        room += s.handle != nullptr && s.run_id != 0 && s.next_run_id == 0;
    return room;
}

bool pool_queue(int64 run_id, int64 schedule_id, Oid role, TimestampTz start_at) {
    for (int i = 0; i < kPoolCapacity; ++i) {
        LocalSlot& s = local[i];
        if (s.handle == nullptr || s.run_id == 0 || s.next_run_id != 0 || s.role != role)
            continue;
        SpinLockAcquire(&pool->mutex);
        PoolSlot& slot = pool->slots[i];
        // A worker that left (idle exit or crash) is reaped, not queued to.
        const bool there = slot.pid != 0 || slot.run_id != 0;
        bool idle = false;
        if (there && slot.run_id == 0) {
            // Done with its run already: the place it held is this run's now.
            slot.run_id = run_id;
            slot.start_at = start_at;
            idle = true;
        } else if (there) {
            slot.next_run_id = run_id;
            slot.next_start_at = start_at;
        }
        Latch* latch = slot.latch;
        SpinLockRelease(&pool->mutex);
        if (!there)
            continue;
        s.given_at = GetCurrentTimestamp();
        s.due = idle ? start_at : std::max(s.due, start_at);
        if (idle) {
            s.run_id = run_id;
            s.schedule_id = schedule_id;
            if (latch != nullptr)
                SetLatch(latch);
        } else {
            s.next_run_id = run_id;
            s.next_schedule_id = schedule_id;
        }
        return true;
    }
    return false;
}

int64 pool_take_next(WorkerPool* shared, PoolSlot& slot) {
    // The scheduler has gone: its queued run stays 'waiting' for the next scheduler.
    if (shared->scheduler_latch == nullptr)
        slot.next_run_id = 0;
    slot.run_id = slot.next_run_id;
    slot.start_at = slot.next_start_at;
    slot.next_run_id = 0;
    slot.next_start_at = 0;
    return slot.run_id;
}

Latch* pool_finish_latch(WorkerPool* shared, int64 next) {
    bool queued_left = false;
    for (int i = 0; i < kPoolCapacity && !queued_left; ++i)
        queued_left = shared->slots[i].next_run_id != 0;
    return mvs::finish_wakes(shared->wake_on_finish, next == 0, queued_left)
               ? shared->scheduler_latch
               : nullptr;
}

void pool_usage(RoleUsage* usage) {
    for (const LocalSlot& s : local)
        if (s.run_id != 0)
            usage_add(usage, s.role, 1);
}

bool pool_dispatch(int64 run_id, int64 schedule_id, Oid role, TimestampTz start_at) {
    // An idle worker that is still there.
    for (int i = 0; i < kPoolCapacity; ++i) {
        if (local[i].handle == nullptr || local[i].run_id != 0)
            continue;
        SpinLockAcquire(&pool->mutex);
        PoolSlot& slot = pool->slots[i];
        const bool taken = slot.pid != 0 && slot.run_id == 0;
        if (taken) {
            slot.run_id = run_id;
            slot.start_at = start_at;
        }
        Latch* latch = slot.latch;
        SpinLockRelease(&pool->mutex);
        if (taken) {
            local[i].run_id = run_id;
            local[i].schedule_id = schedule_id;
            local[i].role = role;
            local[i].given_at = GetCurrentTimestamp();
            local[i].due = start_at;
            places_pool_role(i, role);
            SetLatch(latch);
            return true;
        }
    }
    // Otherwise a new worker, in a free slot, starting with this run.
    for (int i = 0; i < kPoolCapacity; ++i) {
        if (local[i].handle != nullptr)
            continue;
        SpinLockAcquire(&pool->mutex);
        pool->slots[i] = PoolSlot{0, nullptr, run_id, start_at, 0, 0};
        SpinLockRelease(&pool->mutex);
        BackgroundWorker worker;
        describe_pool_worker(&worker, MyDatabaseId, i, dsm_segment_handle(segment));
        worker.bgw_notify_pid = MyProcPid;
        BackgroundWorkerHandle* handle = nullptr;
        MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
        const bool ok = RegisterDynamicBackgroundWorker(&worker, &handle);
        MemoryContextSwitchTo(old);
        if (!ok) {
            SpinLockAcquire(&pool->mutex);
            pool->slots[i].run_id = 0;
            SpinLockRelease(&pool->mutex);
            return false;
        }
        local[i] =
            LocalSlot{handle, run_id, schedule_id, role, 0, 0, GetCurrentTimestamp(), start_at};
        places_pool_role(i, role);
        return true;
    }
    return false;
}

int pool_reap(int64* stopped) {
    int n = 0;
    for (int i = 0; i < kPoolCapacity; ++i) {
        LocalSlot& s = local[i];
        if (s.handle == nullptr)
            continue;
        SpinLockAcquire(&pool->mutex);
        const int64 assigned = pool->slots[i].run_id;
        SpinLockRelease(&pool->mutex);
        if (s.run_id != 0 && assigned != s.run_id) {
            if (s.next_run_id != 0 && assigned == s.next_run_id) {
                // Finished and recorded, and the worker took its queued run.
                s.run_id = s.next_run_id;
                s.schedule_id = s.next_schedule_id;
            } else {
                // Finished and recorded (and so was a queued run, if it took one).
                s.run_id = 0;
                s.schedule_id = 0;
                places_pool_role(i, InvalidOid);
            }
            s.next_run_id = 0;
            s.next_schedule_id = 0;
        }
        pid_t pid = 0;
        if (GetBackgroundWorkerPid(s.handle, &pid) != BGWH_STOPPED)
            continue;
        if (s.run_id != 0)
            stopped[n++] = s.run_id;
        if (s.next_run_id != 0)
            stopped[n++] = s.next_run_id;
        pfree(s.handle);
        s = LocalSlot{nullptr, 0, 0, InvalidOid, 0, 0, 0, 0};
        places_pool_role(i, InvalidOid);
        SpinLockAcquire(&pool->mutex);
        pool->slots[i] = PoolSlot{0, nullptr, 0, 0, 0, 0};
        SpinLockRelease(&pool->mutex);
    }
    return n;
}

WorkerPool* pool_attach(dsm_handle handle) {
    dsm_segment* seg = dsm_attach(handle);
    if (seg == nullptr)
        return nullptr;
    dsm_pin_mapping(seg);
    return static_cast<WorkerPool*>(dsm_segment_address(seg));
}

} // namespace mvs::pg
