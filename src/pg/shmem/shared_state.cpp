#include "pg/shmem/shared_state.hpp"

#include <algorithm>

#include "pg/settings.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
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
    // Its scheduler found the extension, or CREATE EXTENSION committed here; until then the slot
    // only lets a scheduler look.
    bool has_extension = false;
    // Sessions whose DROP, RENAME or template copy of the database needs it to themselves: no
    // scheduler starts while any has it stepped aside.
    int stepped_aside = 0;
    // Counts the commits that asked to wake the scheduler (schedule changes, retries the refresh
    // workers plan), so that it can tell them from a wake-up that only freed a worker.
    uint64 changes = 0;
};

struct SharedState {
    Latch* launcher_latch;
    pid_t launcher_pid;
    bool rescan_requested;
    // Databases where CREATE EXTENSION committed and found no free slot, for the launcher to look
    // at again; past the room here, it looks at every database again.
    Oid unserved[kUnservedRoom];
    int unserved_count;
    bool unserved_overflow;
    int nslots;
};

SharedState* state = nullptr;
DatabaseSlot* slots = nullptr;
// Guards state and slots. An LWLock, not a spinlock: lookups scan up to max_databases slots.
// Every caller is a backend or background worker with a PGPROC (in transactions, their commit and
// abort callbacks, and on_shmem_exit callbacks registered after InitProcess); none runs in the
// postmaster or a signal handler.
constexpr const char* kTranche = "matview_scheduler databases";
LWLock* lock = nullptr;

bool pending_scheduler_wake = false;
bool own_background_process = false;
bool pending_launcher_wake = false;
bool pending_rescan = false;

Size shared_size() {
    return add_size(MAXALIGN(sizeof(SharedState)),
                    mul_size(sizeof(DatabaseSlot), static_cast<Size>(setting_max_databases)));
}

// Finds the slot of a database; the lock must be held.
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
    LWLockAcquire(lock, LW_EXCLUSIVE);
    int i = find_slot_locked(MyDatabaseId);
    if (created_here) {
        if (i < 0) {
            i = find_slot_locked(InvalidOid);
            if (i >= 0)
                slots[i] = DatabaseSlot{MyDatabaseId, true, 0, nullptr, 0};
        }
        if (i >= 0) {
            slots[i].wanted = true;
            slots[i].has_extension = true;
            slots[i].requests++;
        } else {
            // No room now: the launcher looks again, also at databases it found without it.
            bool listed = false;
            for (int k = 0; k < state->unserved_count; ++k)
                listed = listed || state->unserved[k] == MyDatabaseId;
            if (!listed && state->unserved_count < kUnservedRoom)
                state->unserved[state->unserved_count++] = MyDatabaseId;
            else if (!listed)
                state->unserved_overflow = true;
            state->rescan_requested = true;
        }
    }
    if (rescan)
        state->rescan_requested = true;
    if (created_here || rescan)
        launcher_latch = state->launcher_latch;
    if (wake_scheduler && i >= 0) {
        slots[i].changes++;
        scheduler_latch = slots[i].scheduler_latch;
    }
    LWLockRelease(lock);

    if (scheduler_latch != nullptr)
        SetLatch(scheduler_latch);
    if (launcher_latch != nullptr)
        SetLatch(launcher_latch);
}

void scheduler_detach(int, Datum arg) {
    const Oid dboid = DatumGetObjectId(arg);
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const int i = find_slot_locked(dboid);
    if (i >= 0 && slots[i].scheduler_pid == MyProcPid) {
        slots[i].scheduler_pid = 0;
        slots[i].scheduler_latch = nullptr;
    }
    LWLockRelease(lock);
}

void launcher_detach(int, Datum) {
    launcher_unregister_self();
}

} // namespace

void shared_state_request() {
    RequestAddinShmemSpace(shared_size());
    RequestNamedLWLockTranche(kTranche, 1);
}

void shared_state_attach() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    char* base = static_cast<char*>(ShmemInitStruct("matview_scheduler", shared_size(), &found));
    state = reinterpret_cast<SharedState*>(base);
    slots = reinterpret_cast<DatabaseSlot*>(base + MAXALIGN(sizeof(SharedState)));
    lock = &GetNamedLWLockTranche(kTranche)[0].lock;
    if (!found) {
        state->launcher_latch = nullptr;
        state->launcher_pid = 0;
        state->rescan_requested = false;
        state->unserved_count = 0;
        state->unserved_overflow = false;
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
    LWLockAcquire(lock, LW_EXCLUSIVE);
    state->launcher_latch = &MyProc->procLatch;
    state->launcher_pid = MyProcPid;
    LWLockRelease(lock);
    on_shmem_exit(launcher_detach, 0);
}

void launcher_unregister_self() {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    if (state->launcher_pid == MyProcPid) {
        state->launcher_latch = nullptr;
        state->launcher_pid = 0;
    }
    LWLockRelease(lock);
}

int slot_for_database(Oid dboid, bool create) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    int i = find_slot_locked(dboid);
    if (i < 0 && create) {
        i = find_slot_locked(InvalidOid);
        if (i >= 0)
            slots[i] = DatabaseSlot{dboid, true, 0, nullptr, 0};
    }
    LWLockRelease(lock);
    return i;
}

int slot_count() {
    return state->nslots;
}

bool slot_get(int index, SlotInfo* info) {
    LWLockAcquire(lock, LW_SHARED);
    const DatabaseSlot& slot = slots[index];
    *info = SlotInfo{slot.dboid, slot.wanted, slot.has_extension, slot.stepped_aside > 0};
    LWLockRelease(lock);
    return info->dboid != InvalidOid;
}

bool slot_release_if_unwanted(int index, Oid dboid) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const bool release = slots[index].dboid == dboid && !slots[index].wanted;
    if (release)
        slots[index] = DatabaseSlot{InvalidOid, false, 0, nullptr, 0};
    LWLockRelease(lock);
    return release;
}

int take_unserved(Oid* dboids, bool* overflow) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const int n = state->unserved_count;
    for (int i = 0; i < n; ++i)
        dboids[i] = state->unserved[i];
    *overflow = state->unserved_overflow;
    state->unserved_count = 0;
    state->unserved_overflow = false;
    LWLockRelease(lock);
    return n;
}

void slot_release(int index) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    slots[index] = DatabaseSlot{InvalidOid, false, 0, nullptr, 0};
    LWLockRelease(lock);
}

bool take_rescan_request() {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const bool requested = state->rescan_requested;
    state->rescan_requested = false;
    LWLockRelease(lock);
    return requested;
}

void scheduler_register_self(Oid dboid) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const int i = find_slot_locked(dboid);
    if (i >= 0) {
        slots[i].scheduler_latch = &MyProc->procLatch;
        slots[i].scheduler_pid = MyProcPid;
    }
    LWLockRelease(lock);
    on_shmem_exit(scheduler_detach, ObjectIdGetDatum(dboid));
}

uint64 slot_requests(Oid dboid) {
    LWLockAcquire(lock, LW_SHARED);
    const int i = find_slot_locked(dboid);
    const uint64 requests = i >= 0 ? slots[i].requests : 0;
    LWLockRelease(lock);
    return requests;
}

void wake_scheduler_now(Oid dboid) {
    if (state == nullptr)
        return;
    LWLockAcquire(lock, LW_SHARED);
    const int i = find_slot_locked(dboid);
    Latch* latch = i >= 0 ? slots[i].scheduler_latch : nullptr;
    // Set under the lock: the scheduler clears its latch pointer under it before it exits.
    if (latch != nullptr)
        SetLatch(latch);
    LWLockRelease(lock);
}

uint64 slot_changes(Oid dboid) {
    LWLockAcquire(lock, LW_SHARED);
    const int i = find_slot_locked(dboid);
    const uint64 changes = i >= 0 ? slots[i].changes : 0;
    LWLockRelease(lock);
    return changes;
}

bool scheduler_mark_unwanted(Oid dboid, uint64 requests_seen) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const int i = find_slot_locked(dboid);
    const bool unchanged = i < 0 || slots[i].requests == requests_seen;
    if (i >= 0 && unchanged)
        slots[i].wanted = slots[i].has_extension = false;
    LWLockRelease(lock);
    return unchanged;
}

void scheduler_found_extension(Oid dboid) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const int i = find_slot_locked(dboid);
    if (i >= 0)
        slots[i].has_extension = true;
    LWLockRelease(lock);
}

pid_t slot_scheduler_pid(int index) {
    LWLockAcquire(lock, LW_SHARED);
    const pid_t pid = slots[index].scheduler_pid;
    LWLockRelease(lock);
    return pid;
}

pid_t step_aside_slot(Oid dboid) {
    if (state == nullptr)
        return 0;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const int i = find_slot_locked(dboid);
    pid_t pid = 0;
    if (i >= 0) {
        slots[i].stepped_aside++;
        pid = slots[i].scheduler_pid;
    }
    LWLockRelease(lock);
    return pid;
}

void come_back_slot(Oid dboid) {
    if (state == nullptr)
        return;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    const int i = find_slot_locked(dboid);
    if (i >= 0 && slots[i].stepped_aside > 0)
        slots[i].stepped_aside--;
    Latch* launcher_latch = state->launcher_latch;
    LWLockRelease(lock);
    if (launcher_latch != nullptr)
        SetLatch(launcher_latch);
}

void request_rescan_now() {
    if (state == nullptr)
        return;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    state->rescan_requested = true;
    Latch* launcher_latch = state->launcher_latch;
    LWLockRelease(lock);
    if (launcher_latch != nullptr)
        SetLatch(launcher_latch);
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
