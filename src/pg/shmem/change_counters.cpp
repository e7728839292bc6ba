#include "pg/shmem/change_counters.hpp"

#include "pg/settings.hpp"
#include "pg/shmem/shared_state.hpp"

extern "C" {
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
}

namespace mvs::pg {

namespace {

struct CounterKey {
    Oid dboid;
    Oid relid; // 0: the database's own counter
};

struct CounterEntry {
    CounterKey key; // first: the hash table's key
    pg_atomic_uint64 counter;
    pg_atomic_uint32 watched; // an 'on change' view reads it: its writes wake the scheduler
    // The database's own entry (relid 0) only: how many commits wrote a watched relation, and
    // whether the scheduler waits to be woken by the next one.
    pg_atomic_uint64 watch_generation;
    pg_atomic_uint32 armed;
};

struct CountersHeader {
    uint64 epoch;             // this server life's; a baseline of another never matches
    pg_atomic_uint32 entries; // relations tracked (read without the lock at commit)
    bool full_logged;         // "no room" was logged in this server life
};

constexpr const char* kTranche = "matview_scheduler changes";
CountersHeader* header = nullptr;
HTAB* table = nullptr;
LWLock* lock = nullptr;

} // namespace

void change_counters_request() {
    RequestAddinShmemSpace(
        add_size(MAXALIGN(sizeof(CountersHeader)),
                 hash_estimate_size(setting_max_tracked_relations, sizeof(CounterEntry))));
    RequestNamedLWLockTranche(kTranche, 1);
}

void change_counters_attach() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    header = static_cast<CountersHeader*>(
        ShmemInitStruct("matview_scheduler changes", sizeof(CountersHeader), &found));
    if (!found) {
        // A new server life (also after a crash, which starts shared memory again): counters
        // restart at 0, so a baseline taken before must never match. Microseconds of the start.
        const TimestampTz now = GetCurrentTimestamp();
        header->epoch = now > 0 ? static_cast<uint64>(now) : 1;
        pg_atomic_init_u32(&header->entries, 0);
        header->full_logged = false;
    }
    HASHCTL info;
    memset(&info, 0, sizeof info);
    info.keysize = sizeof(CounterKey);
    info.entrysize = sizeof(CounterEntry);
    table = shmem_hash("matview_scheduler change counters", setting_max_tracked_relations, &info,
                       HASH_ELEM | HASH_BLOBS);
    lock = &GetNamedLWLockTranche(kTranche)[0].lock;
    LWLockRelease(AddinShmemInitLock);
}

namespace {

// This backend's relations found without a counter, and how many relations were tracked then.
// Counters are only ever added, each before `entries` moves: while it has not moved, these are
// still untracked, and a commit that wrote only them takes no lock.
constexpr int kUntrackedRoom = 32;
Oid untracked[kUntrackedRoom];
int n_untracked = 0;
uint32 untracked_at = 0;

bool known_untracked(Oid relid) {
    for (int i = 0; i < n_untracked; ++i)
        if (untracked[i] == relid)
            return true;
    return false;
}

} // namespace

void change_counters_publish(Oid dboid, const Oid* relids, int n, bool all) {
    if (header == nullptr)
        return;
    // The commit is visible to other snapshots already (the ProcArray lock released since is a
    // full barrier): a relation the scheduler adds after this read sees it in the refresh
    // its reading starts, so finding no entry here loses nothing.
    pg_memory_barrier();
    const uint32 entries = pg_atomic_read_u32(&header->entries);
    if (entries == 0)
        return;
    if (entries != untracked_at) {
        n_untracked = 0;
        untracked_at = entries;
    }
    bool any = all;
    for (int i = 0; i < n && !any; ++i)
        any = !known_untracked(relids[i]);
    if (!any)
        return;
    bool watched = false;
    bool wake = false;
    LWLockAcquire(lock, LW_SHARED);
    for (int i = 0; i < n; ++i) {
        if (known_untracked(relids[i]))
            continue;
        const CounterKey key{dboid, relids[i]};
        bool found = false;
        CounterEntry* e = static_cast<CounterEntry*>(hash_search(table, &key, HASH_FIND, &found));
        if (e != nullptr) {
            (void)pg_atomic_fetch_add_u64(&e->counter, 1);
            watched = watched || pg_atomic_read_u32(&e->watched) != 0;
        } else if (n_untracked < kUntrackedRoom) {
            untracked[n_untracked++] = relids[i];
        }
    }
    // A write to every relation writes the watched ones too.
    if (watched || all) {
        const CounterKey own{dboid, InvalidOid};
        bool found = false;
        CounterEntry* db = static_cast<CounterEntry*>(hash_search(table, &own, HASH_FIND, &found));
        if (db != nullptr) {
            if (all)
                (void)pg_atomic_fetch_add_u64(&db->counter, 1);
            (void)pg_atomic_fetch_add_u64(&db->watch_generation, 1);
            wake = pg_atomic_exchange_u32(&db->armed, 0) != 0;
        }
    }
    LWLockRelease(lock);
    if (wake)
        wake_scheduler_now(dboid);
}

uint64 change_watch_generation(Oid dboid, bool arm) {
    if (header == nullptr)
        return 0;
    uint64 generation = 0;
    LWLockAcquire(lock, LW_SHARED);
    const CounterKey own{dboid, InvalidOid};
    bool found = false;
    CounterEntry* db = static_cast<CounterEntry*>(hash_search(table, &own, HASH_FIND, &found));
    if (db != nullptr) {
        if (arm)
            pg_atomic_write_u32(&db->armed, 1);
        // The exchange and the fetch-add are full barriers on the writer's side; this one keeps
        // the reading after the arming here.
        pg_memory_barrier();
        generation = pg_atomic_read_u64(&db->watch_generation);
    }
    LWLockRelease(lock);
    return generation;
}

uint64 change_counters_read(Oid dboid, const Oid* relids, int n, bool watch, uint64* counters,
                            bool* present) {
    if (header == nullptr) {
        for (int i = 0; i < n; ++i) {
            counters[i] = 0;
            present[i] = false;
        }
        return 0;
    }
    bool full = false;
    LWLockAcquire(lock, LW_EXCLUSIVE);
    for (int i = 0; i < n; ++i) {
        const CounterKey key{dboid, relids[i]};
        bool found = false;
        CounterEntry* e = static_cast<CounterEntry*>(hash_search(table, &key, HASH_FIND, &found));
        if (e == nullptr && pg_atomic_read_u32(&header->entries) <
                                static_cast<uint32>(setting_max_tracked_relations)) {
            e = static_cast<CounterEntry*>(hash_search(table, &key, HASH_ENTER_NULL, &found));
            if (e != nullptr && !found) {
                pg_atomic_init_u64(&e->counter, 0);
                pg_atomic_init_u32(&e->watched, 0);
                pg_atomic_init_u64(&e->watch_generation, 0);
                pg_atomic_init_u32(&e->armed, 0);
                pg_atomic_fetch_add_u32(&header->entries, 1);
            }
        }
        // Once watched, watched for the server's life: a write it wakes the scheduler for in
        // vain costs one look.
        if (e != nullptr && watch)
            pg_atomic_write_u32(&e->watched, 1);
        present[i] = e != nullptr;
        counters[i] = e != nullptr ? pg_atomic_read_u64(&e->counter) : 0;
        full = full || e == nullptr;
    }
    const bool log_full = full && !header->full_logged;
    if (log_full)
        header->full_logged = true;
    const uint64 epoch = header->epoch;
    LWLockRelease(lock);
    if (log_full)
        ereport(LOG, (errmsg("matview_scheduler: no room left to track changes "
                             "(matview_scheduler.max_tracked_relations = %d): views reading "
                             "relations without a counter are refreshed at every due time",
                             setting_max_tracked_relations),
                      errhint("Raise matview_scheduler.max_tracked_relations and restart the "
                              "server.")));
    return epoch;
}

} // namespace mvs::pg
