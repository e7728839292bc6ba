#include "pg/shared_state.hpp"

#include "pg/settings.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
}

namespace mvs::pg {

namespace {

struct DatabaseSlot {
    Oid dboid;   // InvalidOid: the slot is free
    bool wanted; // the launcher keeps a scheduler running here
    Latch* scheduler_latch;
    pid_t scheduler_pid;
};

struct SharedState {
    slock_t mutex;
    Latch* launcher_latch;
    pid_t launcher_pid;
    bool rescan_requested;
    int nslots;
};

SharedState* state = nullptr;
DatabaseSlot* slots = nullptr;

bool pending_scheduler_wake = false;
bool pending_launcher_wake = false;
bool pending_rescan = false;

Size shared_size() {
    return add_size(MAXALIGN(sizeof(SharedState)),
                    mul_size(sizeof(DatabaseSlot), static_cast<Size>(setting_max_databases)));
}

// Finds the slot of a database; the mutex must be held.
int find_slot_locked(Oid dboid) {
    for (int i = 0; i < state->nslots; ++i)
        if (slots[i].dboid == dboid)
            return i;
    return -1;
}

void on_xact_event(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
        pending_scheduler_wake = pending_launcher_wake = pending_rescan = false;
        return;
    }
    if (event != XACT_EVENT_COMMIT)
        return;
    const bool wake_scheduler = pending_scheduler_wake;
    const bool created_here = pending_launcher_wake;
    const bool rescan = pending_rescan;
    pending_scheduler_wake = pending_launcher_wake = pending_rescan = false;
    if (state == nullptr || !(wake_scheduler || created_here || rescan))
        return;

    Latch* scheduler_latch = nullptr;
    Latch* launcher_latch = nullptr;
    SpinLockAcquire(&state->mutex);
    int i = find_slot_locked(MyDatabaseId);
    if (created_here) {
        if (i < 0) {
            i = find_slot_locked(InvalidOid);
            if (i >= 0)
                slots[i] = DatabaseSlot{MyDatabaseId, true, nullptr, 0};
        }
        if (i >= 0)
            slots[i].wanted = true;
    }
    if (rescan)
        state->rescan_requested = true;
    if (created_here || rescan)
        launcher_latch = state->launcher_latch;
    if (wake_scheduler && i >= 0)
        scheduler_latch = slots[i].scheduler_latch;
    SpinLockRelease(&state->mutex);

    if (scheduler_latch != nullptr)
        SetLatch(scheduler_latch);
    if (launcher_latch != nullptr)
        SetLatch(launcher_latch);
}

void scheduler_detach(int, Datum arg) {
    const Oid dboid = DatumGetObjectId(arg);
    SpinLockAcquire(&state->mutex);
    const int i = find_slot_locked(dboid);
    if (i >= 0 && slots[i].scheduler_pid == MyProcPid) {
        slots[i].scheduler_pid = 0;
        slots[i].scheduler_latch = nullptr;
    }
    SpinLockRelease(&state->mutex);
}

void launcher_detach(int, Datum) {
    launcher_unregister_self();
}

} // namespace

void shared_state_request() {
    RequestAddinShmemSpace(shared_size());
}

void shared_state_attach() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    char* base = static_cast<char*>(ShmemInitStruct("matview_scheduler", shared_size(), &found));
    state = reinterpret_cast<SharedState*>(base);
    slots = reinterpret_cast<DatabaseSlot*>(base + MAXALIGN(sizeof(SharedState)));
    if (!found) {
        SpinLockInit(&state->mutex);
        state->launcher_latch = nullptr;
        state->launcher_pid = 0;
        state->rescan_requested = false;
        state->nslots = setting_max_databases;
        for (int i = 0; i < state->nslots; ++i)
            slots[i] = DatabaseSlot{InvalidOid, false, nullptr, 0};
    }
    LWLockRelease(AddinShmemInitLock);
}

bool shared_state_available() {
    return state != nullptr;
}

void launcher_register_self() {
    SpinLockAcquire(&state->mutex);
    state->launcher_latch = &MyProc->procLatch;
    state->launcher_pid = MyProcPid;
    SpinLockRelease(&state->mutex);
    on_shmem_exit(launcher_detach, 0);
}

void launcher_unregister_self() {
    SpinLockAcquire(&state->mutex);
    if (state->launcher_pid == MyProcPid) {
        state->launcher_latch = nullptr;
        state->launcher_pid = 0;
    }
    SpinLockRelease(&state->mutex);
}

int slot_for_database(Oid dboid, bool create) {
    SpinLockAcquire(&state->mutex);
    int i = find_slot_locked(dboid);
    if (i < 0 && create) {
        i = find_slot_locked(InvalidOid);
        if (i >= 0)
            slots[i] = DatabaseSlot{dboid, true, nullptr, 0};
    }
    SpinLockRelease(&state->mutex);
    return i;
}

int slot_count() {
    return state->nslots;
}

bool slot_get(int index, Oid* dboid, bool* wanted) {
    SpinLockAcquire(&state->mutex);
    *dboid = slots[index].dboid;
    *wanted = slots[index].wanted;
    SpinLockRelease(&state->mutex);
    return *dboid != InvalidOid;
}

void slot_release(int index) {
    SpinLockAcquire(&state->mutex);
    slots[index] = DatabaseSlot{InvalidOid, false, nullptr, 0};
    SpinLockRelease(&state->mutex);
}

bool take_rescan_request() {
    SpinLockAcquire(&state->mutex);
    const bool requested = state->rescan_requested;
    state->rescan_requested = false;
    SpinLockRelease(&state->mutex);
    return requested;
}

void scheduler_register_self(Oid dboid) {
    SpinLockAcquire(&state->mutex);
    const int i = find_slot_locked(dboid);
    if (i >= 0) {
        slots[i].scheduler_latch = &MyProc->procLatch;
        slots[i].scheduler_pid = MyProcPid;
    }
    SpinLockRelease(&state->mutex);
    on_shmem_exit(scheduler_detach, ObjectIdGetDatum(dboid));
}

void scheduler_mark_unwanted(Oid dboid) {
    SpinLockAcquire(&state->mutex);
    const int i = find_slot_locked(dboid);
    if (i >= 0)
        slots[i].wanted = false;
    SpinLockRelease(&state->mutex);
}

void wake_scheduler_at_commit() {
    pending_scheduler_wake = true;
}
void wake_launcher_at_commit() {
    pending_launcher_wake = true;
}
void request_rescan_at_commit() {
    pending_rescan = true;
}

void register_commit_callback() {
    RegisterXactCallback(on_xact_event, nullptr);
}

} // namespace mvs::pg
