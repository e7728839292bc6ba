#include "pg/shared_state.hpp"

#include <algorithm>

#include "pg/settings.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/spin.h"
}

namespace mvs::pg {

namespace {

struct DatabaseSlot {
    Oid dboid;   // InvalidOid: the slot is free
    bool wanted; // the launcher keeps a scheduler running here
    // Counts CREATE EXTENSION commits, so a scheduler that found no extension does not undo a
    // request made after it looked.
    uint64 requests;
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
bool own_background_process = false;
// A database whose scheduler was stopped for DROP or ALTER ... RENAME, and whether it was a drop.
Oid stepped_aside_db = InvalidOid;
bool stepped_aside_for_drop = false;
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

// The scheduler of a database that is still there (rename, or a drop that failed) comes back.
void bring_back_scheduler(Oid dboid) {
    if (state == nullptr)
        return;
    Latch* launcher_latch = nullptr;
    SpinLockAcquire(&state->mutex);
    const int i = find_slot_locked(dboid);
    if (i >= 0) {
        slots[i].wanted = true;
        slots[i].requests++;
    }
    launcher_latch = state->launcher_latch;
    SpinLockRelease(&state->mutex);
    if (launcher_latch != nullptr)
        SetLatch(launcher_latch);
}

void on_xact_event(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
        pending_scheduler_wake = pending_launcher_wake = pending_rescan = false;
        if (OidIsValid(stepped_aside_db))
            bring_back_scheduler(stepped_aside_db);
        stepped_aside_db = InvalidOid;
        return;
    }
    if (event != XACT_EVENT_COMMIT)
        return;
    if (OidIsValid(stepped_aside_db)) {
        if (stepped_aside_for_drop)
            pending_rescan = true; // the launcher forgets the database
        else
            bring_back_scheduler(stepped_aside_db);
        stepped_aside_db = InvalidOid;
    }
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
                slots[i] = DatabaseSlot{MyDatabaseId, true, 0, nullptr, 0};
        }
        if (i >= 0) {
            slots[i].wanted = true;
            slots[i].requests++;
        }
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
            slots[i] = DatabaseSlot{InvalidOid, false, 0, nullptr, 0};
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
            slots[i] = DatabaseSlot{dboid, true, 0, nullptr, 0};
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
    slots[index] = DatabaseSlot{InvalidOid, false, 0, nullptr, 0};
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

uint64 slot_requests(Oid dboid) {
    SpinLockAcquire(&state->mutex);
    const int i = find_slot_locked(dboid);
    const uint64 requests = i >= 0 ? slots[i].requests : 0;
    SpinLockRelease(&state->mutex);
    return requests;
}

bool scheduler_mark_unwanted(Oid dboid, uint64 requests_seen) {
    SpinLockAcquire(&state->mutex);
    const int i = find_slot_locked(dboid);
    const bool unchanged = i < 0 || slots[i].requests == requests_seen;
    if (i >= 0 && unchanged)
        slots[i].wanted = false;
    SpinLockRelease(&state->mutex);
    return unchanged;
}

pid_t slot_scheduler_pid(int index) {
    SpinLockAcquire(&state->mutex);
    const pid_t pid = slots[index].scheduler_pid;
    SpinLockRelease(&state->mutex);
    return pid;
}

void stop_scheduler_for(Oid dboid, bool dropping) {
    if (state == nullptr)
        return;
    SpinLockAcquire(&state->mutex);
    const int i = find_slot_locked(dboid);
    pid_t pid = 0;
    if (i >= 0) {
        slots[i].wanted = false;
        pid = slots[i].scheduler_pid;
    }
    SpinLockRelease(&state->mutex);
    if (i < 0)
        return;
    stepped_aside_db = dboid;
    stepped_aside_for_drop = dropping;
    if (pid == 0)
        return;
    kill(pid, SIGTERM);
    // Wait for it to leave the database, as the command needs; a few seconds at most.
    for (int waited_ms = 0; waited_ms < 5000; waited_ms += 10) {
        SpinLockAcquire(&state->mutex);
        const bool gone = slots[i].dboid != dboid || slots[i].scheduler_pid != pid;
        SpinLockRelease(&state->mutex);
        if (gone)
            break;
        CHECK_FOR_INTERRUPTS();
        pg_usleep(10000L);
    }
    // Its idle refresh workers leave with it. DROP DATABASE waits for them itself; a rename
    // does not, so wait here (as DROP does: up to 5 seconds).
    if (!dropping) {
        int backends = 0;
        int prepared = 0;
        (void)CountOtherDBBackends(dboid, &backends, &prepared);
    }
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

void mark_own_background_process() {
    own_background_process = true;
}
bool in_own_background_process() {
    return own_background_process;
}

void register_commit_callback() {
    RegisterXactCallback(on_xact_event, nullptr);
}

} // namespace mvs::pg
