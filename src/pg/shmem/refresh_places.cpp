#include "pg/shmem/refresh_places.hpp"

#include <algorithm>
#include <type_traits>

extern "C" {
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
}

#include "core/worker_places.hpp"
#include "pg/settings.hpp"
#include "pg/shmem/worker_pool.hpp"

namespace mvs::pg {

namespace {

struct ManualEntry {
    pid_t pid; // 0: free; the caller's until its worker takes it over
    Oid role;
    bool running; // holds a place (otherwise waits for one)
    uint32 generation;
};

struct DatabasePlaces {
    Oid dboid; // InvalidOid: a free entry
    Latch* scheduler_latch;
    int pool_places;
    Oid pool_roles[kPoolCapacity];
    ManualEntry manual[kMaxManualRuns];
};

struct PlacesTable {
    int n;
    uint32 generation;
    DatabasePlaces databases[FLEXIBLE_ARRAY_MEMBER];
};

PlacesTable* table = nullptr;
// Guards the table. An LWLock, not a spinlock: lookups scan up to max_databases entries, and
// counting a role's places scans its database's pool and refresh_now() entries. Taken only by
// backends and background workers (and their shmem exit callbacks), never by the postmaster.
constexpr const char* kTranche = "matview_scheduler places";
LWLock* lock = nullptr;
// The entry this refresh_now() worker adopted.
ManualTicket adopted{-1, 0};

static_assert(std::is_trivially_destructible_v<DatabasePlaces>, "lives in shared memory");

Size table_size() {
    return add_size(offsetof(PlacesTable, databases),
                    mul_size(sizeof(DatabasePlaces), static_cast<Size>(setting_max_databases)));
}

// The database's entry, made if `create`; the lock must be held.
DatabasePlaces* find_locked(Oid dboid, bool create) {
    DatabasePlaces* free_entry = nullptr;
    for (int i = 0; i < table->n; ++i) {
        DatabasePlaces& d = table->databases[i];
        if (d.dboid == dboid)
            return &d;
        if (free_entry == nullptr && d.dboid == InvalidOid)
            free_entry = &d;
    }
    if (!create || free_entry == nullptr)
        return nullptr;
    memset(free_entry, 0, sizeof *free_entry);
    free_entry->dboid = dboid;
    return free_entry;
}

// Frees the entry once nothing refers to it; the lock must be held.
void maybe_free_locked(DatabasePlaces* d) {
    if (d->scheduler_latch != nullptr)
        return;
    for (const ManualEntry& m : d->manual)
        if (m.pid != 0)
            return;
    d->dboid = InvalidOid;
}

// Places `role` holds in `d`: pool runs and running refresh_now() runs. Lock held.
int role_running_locked(const DatabasePlaces& d, Oid role) {
    int n = 0;
    for (Oid r : d.pool_roles)
        n += r == role ? 1 : 0;
    for (const ManualEntry& m : d.manual)
        n += m.pid != 0 && m.running && m.role == role ? 1 : 0;
    return n;
}

int manual_running_locked(const DatabasePlaces& d) {
    int n = 0;
    for (const ManualEntry& m : d.manual)
        n += m.pid != 0 && m.running ? 1 : 0;
    return n;
}

void scheduler_detach(int, Datum) {
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, false);
    if (d != nullptr && d->scheduler_latch == MyLatch) {
        d->scheduler_latch = nullptr;
        d->pool_places = 0;
        memset(d->pool_roles, 0, sizeof d->pool_roles);
        maybe_free_locked(d);
    }
    LWLockRelease(lock);
}

void manual_detach(int, Datum) {
    places_manual_leave();
}

} // namespace

void usage_add(RoleUsage* usage, Oid role, int count) {
    int i = 0;
    while (i < usage->n && usage->roles[i] != role)
        ++i;
    if (i == usage->n) {
        if (usage->n == kUsageRoles)
            return;
        usage->roles[usage->n] = role;
        usage->counts[usage->n++] = 0;
    }
    usage->counts[i] += count;
}

int database_place_limit() {
    return mvs::database_place_limit(setting_max_workers, kPoolCapacity);
}

int role_place_limit() {
    return mvs::role_place_limit(database_place_limit(), setting_max_workers_per_role);
}

void places_shmem_request() {
    RequestAddinShmemSpace(table_size());
    RequestNamedLWLockTranche(kTranche, 1);
}

void places_shmem_attach() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    table = static_cast<PlacesTable*>(
        ShmemInitStruct("matview_scheduler places", table_size(), &found));
    lock = &GetNamedLWLockTranche(kTranche)[0].lock;
    if (!found) {
        memset(table, 0, table_size());
        table->n = setting_max_databases;
    }
    LWLockRelease(AddinShmemInitLock);
}

void places_scheduler_attach(Latch* latch) {
    if (table == nullptr)
        return;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, true);
    if (d != nullptr) {
        // A new pool; an earlier scheduler's is going.
        d->scheduler_latch = latch;
        d->pool_places = 0;
        memset(d->pool_roles, 0, sizeof d->pool_roles);
    }
    LWLockRelease(lock);
    on_shmem_exit(scheduler_detach, 0);
}

int places_reserve_pool(int in_use, int wanted) {
    if (table == nullptr)
        return wanted;
    const int limit = database_place_limit();
    const int per_role = role_place_limit();
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, false);
    int granted = wanted;
    if (d != nullptr) {
        // refresh_now() runs that may start as soon as a place is free come first.
        int taken = manual_running_locked(*d);
        for (const ManualEntry& m : d->manual)
            if (m.pid != 0 && !m.running && role_running_locked(*d, m.role) < per_role)
                ++taken;
        granted = mvs::pool_places_granted(limit, in_use, taken, wanted);
        d->pool_places = in_use + granted;
    }
    LWLockRelease(lock);
    return granted;
}

void places_pool_role(int slot, Oid role) {
    if (table == nullptr || slot < 0 || slot >= kPoolCapacity)
        return;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, false);
    if (d != nullptr)
        d->pool_roles[slot] = role;
    LWLockRelease(lock);
}

void places_manual_usage(RoleUsage* usage) {
    if (table == nullptr)
        return;
    LWLockAcquire(lock, LW_SHARED);
    const DatabasePlaces* d = find_locked(MyDatabaseId, false);
    if (d != nullptr)
        for (const ManualEntry& m : d->manual)
            if (m.pid != 0)
                usage_add(usage, m.role, 1);
    LWLockRelease(lock);
}

bool places_manual_waiting() {
    if (table == nullptr)
        return false;
    bool waiting = false;
    LWLockAcquire(lock, LW_SHARED);
    const DatabasePlaces* d = find_locked(MyDatabaseId, false);
    if (d != nullptr)
        for (const ManualEntry& m : d->manual)
            waiting = waiting || (m.pid != 0 && !m.running);
    LWLockRelease(lock);
    return waiting;
}

bool places_manual_enter(Oid role, ManualTicket* ticket, const char** why) {
    *ticket = ManualTicket{-1, 0};
    if (table == nullptr)
        return true;
    const int per_role = role_place_limit();
    // Entries of processes that are gone (a caller that failed before its worker took over).
    pid_t pids[kMaxManualRuns];
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, true);
    int n = 0;
    if (d != nullptr)
        for (const ManualEntry& m : d->manual)
            pids[n++] = m.pid;
    LWLockRelease(lock);
    if (d == nullptr) {
        *why = "no room for this database";
        return false;
    }
    bool gone[kMaxManualRuns];
    for (int i = 0; i < n; ++i)
        gone[i] = pids[i] != 0 && BackendPidGetProc(pids[i]) == nullptr;

    LWLockAcquire(lock, LW_EXCLUSIVE);
    int mine = 0;
    int free_index = -1;
    for (int i = 0; i < kMaxManualRuns; ++i) {
        ManualEntry& m = d->manual[i];
        if (m.pid != 0 && gone[i] && m.pid == pids[i])
            m.pid = 0;
        if (m.pid == 0) {
            if (free_index < 0)
                free_index = i;
        } else if (m.role == role) {
            ++mine;
        }
    }
    const bool room = mine < per_role && free_index >= 0;
    if (room) {
        ManualEntry& m = d->manual[free_index];
        m = ManualEntry{MyProcPid, role, false, ++table->generation};
        *ticket = ManualTicket{free_index, m.generation};
    }
    LWLockRelease(lock);
    if (!room)
        *why = mine >= per_role ? "role" : "database";
    return room;
}

void places_manual_abandon(const ManualTicket& ticket) {
    if (table == nullptr || ticket.index < 0)
        return;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, false);
    if (d != nullptr) {
        ManualEntry& m = d->manual[ticket.index];
        if (m.generation == ticket.generation && m.pid == MyProcPid)
            m.pid = 0;
        maybe_free_locked(d);
    }
    LWLockRelease(lock);
}

bool places_manual_adopt(const ManualTicket& ticket) {
    if (table == nullptr || ticket.index < 0)
        return true;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, false);
    bool ok = false;
    if (d != nullptr) {
        ManualEntry& m = d->manual[ticket.index];
        ok = m.pid != 0 && m.generation == ticket.generation;
        if (ok)
            m.pid = MyProcPid;
    }
    LWLockRelease(lock);
    if (ok) {
        adopted = ticket;
        before_shmem_exit(manual_detach, 0);
    }
    return ok;
}

bool places_manual_try_start() {
    if (table == nullptr || adopted.index < 0)
        return true;
    const int limit = database_place_limit();
    const int per_role = role_place_limit();
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, false);
    bool started = false;
    Latch* scheduler = nullptr;
    if (d != nullptr) {
        ManualEntry& m = d->manual[adopted.index];
        started = mvs::manual_may_start(m.running, d->pool_places, manual_running_locked(*d),
                                        role_running_locked(*d, m.role), limit, per_role);
        m.running = started;
        scheduler = started ? nullptr : d->scheduler_latch;
    }
    LWLockRelease(lock);
    if (scheduler != nullptr)
        SetLatch(scheduler);
    return started;
}

void places_manual_leave() {
    if (table == nullptr || adopted.index < 0)
        return;
    Latch* scheduler = nullptr;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    DatabasePlaces* d = find_locked(MyDatabaseId, false);
    if (d != nullptr) {
        ManualEntry& m = d->manual[adopted.index];
        if (m.generation == adopted.generation && m.pid == MyProcPid)
            m.pid = 0;
        scheduler = d->scheduler_latch;
        maybe_free_locked(d);
    }
    LWLockRelease(lock);
    adopted = ManualTicket{-1, 0};
    // A place is free: a scheduled run waiting for one may start now.
    if (scheduler != nullptr)
        SetLatch(scheduler);
}

} // namespace mvs::pg
