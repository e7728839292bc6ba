#include "pg/launcher/launcher.hpp"

#include <algorithm>

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include "pg/background_worker.hpp"
#include "pg/scheduler/scheduler.hpp"
#include "pg/settings.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/statistics.hpp"
#include "pg/wait_events.hpp"

namespace mvs::pg {

namespace {

// Databases are looked at again this often, besides when a database is created, to catch one
// restored or copied by means the utility hook does not see.
constexpr long kRescanMs = 60 * 1000;
// A scheduler that stops unexpectedly is restarted after this, doubling up to the maximum.
constexpr long kRestartMinMs = 1000;
constexpr long kRestartMaxMs = 60 * 1000;
// A scheduler that ran this long before stopping starts again with the shortest delay.
constexpr long kHealthyRunMs = 60 * 1000;

struct SchedulerProcess {
    BackgroundWorkerHandle* handle;
    TimestampTz started;
    TimestampTz restart_after;
    long backoff_ms;
};

SchedulerProcess* processes = nullptr;
bool out_of_slots = false; // the last start failed for want of a worker slot

// Databases a scheduler looked at and found without the extension: they hold no slot, and are not
// looked at again until CREATE EXTENSION finds no free slot, or they leave and come back (gone,
// or no longer eligible). CREATE EXTENSION gives a database a slot at commit.
List* without_extension = NIL; // of Oid, in TopMemoryContext
// A database waits for a slot: look again as soon as one is freed.
bool room_wanted = false;
bool rescan_soon = false;

struct DatabaseEntry {
    Oid oid;
    bool eligible; // not a template, accepts connections
};

// Every database, as the launcher may see it without connecting to one.
List* list_databases() {
    List* result = NIL;
    MemoryContext caller = CurrentMemoryContext;
    SetCurrentStatementStartTimestamp(); // now() and xact_start of this transaction
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    HeapTuple tuple = nullptr;
    while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
        const Form_pg_database db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
        MemoryContext old = MemoryContextSwitchTo(caller);
        DatabaseEntry* entry = static_cast<DatabaseEntry*>(palloc(sizeof(DatabaseEntry)));
        entry->oid = db->oid;
        // -2 marks a database a DROP DATABASE left half-dropped (DATCONNLIMIT_INVALID_DB).
        entry->eligible = db->datallowconn && !db->datistemplate && db->datconnlimit != -2;
        result = lappend(result, entry);
        MemoryContextSwitchTo(old);
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    PopActiveSnapshot();
    CommitTransactionCommand();
    MemoryContextSwitchTo(caller);
    return result;
}

void stop_scheduler(int slot) {
    if (processes[slot].handle != nullptr) {
        TerminateBackgroundWorker(processes[slot].handle);
        pfree(processes[slot].handle);
        processes[slot].handle = nullptr;
    }
}

bool listed_eligible(List* databases, Oid dboid) {
    ListCell* cell = nullptr;
    foreach (cell, databases) {
        const DatabaseEntry* db = static_cast<DatabaseEntry*>(lfirst(cell));
        if (db->oid == dboid)
            return db->eligible;
    }
    return false;
}

// Is a slot held by a scheduler that is only looking for the extension?
bool slot_held_by_look() {
    for (int i = 0; i < slot_count(); ++i) {
        SlotInfo info;
        if (slot_get(i, &info) && !info.has_extension)
            return true;
    }
    return false;
}

// New eligible databases get a slot, unless a scheduler already found them without the extension
// (their scheduler looks for it and gives the slot back if there is none); databases that are gone
// or no longer eligible lose theirs.
void rescan_databases(MemoryContext scratch) {
    MemoryContext old = MemoryContextSwitchTo(scratch);
    List* databases = list_databases();
    Oid unserved[kUnservedRoom];
    bool overflow = false;
    const int n_unserved = take_unserved(unserved, &overflow);
    MemoryContextSwitchTo(TopMemoryContext);
    List* kept = NIL;
    ListCell* cell = nullptr;
    foreach (cell, without_extension) {
        const Oid dboid = lfirst_oid(cell);
        bool unserved_here = overflow;
        for (int i = 0; i < n_unserved; ++i)
            unserved_here = unserved_here || unserved[i] == dboid;
        if (!unserved_here && listed_eligible(databases, dboid))
            kept = lappend_oid(kept, dboid);
    }
    list_free(without_extension);
    without_extension = kept;
    MemoryContextSwitchTo(scratch);

    room_wanted = false;
    foreach (cell, databases) {
        const DatabaseEntry* db = static_cast<DatabaseEntry*>(lfirst(cell));
        if (!db->eligible || list_member_oid(without_extension, db->oid) ||
            slot_for_database(db->oid, false) >= 0 || slot_for_database(db->oid, true) >= 0)
            continue;
        room_wanted = true;
        // A look at another database gives its slot back in a moment, most likely: no warning.
        if (!slot_held_by_look())
            ereport(WARNING, (errmsg("matview_scheduler: no room to serve database %u", db->oid),
                              errhint("Raise matview_scheduler.max_databases.")));
    }
    for (int i = 0; i < slot_count(); ++i) {
        SlotInfo info;
        if (!slot_get(i, &info))
            continue;
        if (!listed_eligible(databases, info.dboid)) {
            stop_scheduler(i);
            slot_release(i);
            rescan_soon = rescan_soon || room_wanted;
        }
    }
    MemoryContextSwitchTo(old);
    MemoryContextReset(scratch);
}

// A database whose scheduler found no extension gives its slot back, unless the extension was
// created there since, and is remembered so.
void give_back_slot(int slot, Oid dboid) {
    if (slot_scheduler_pid(slot) != 0 || !slot_release_if_unwanted(slot, dboid))
        return;
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    without_extension = list_append_unique_oid(without_extension, dboid);
    MemoryContextSwitchTo(old);
    if (room_wanted)
        rescan_soon = true;
}

bool start_scheduler(int slot, Oid dboid) {
    BackgroundWorker worker;
    describe_scheduler_worker(&worker, dboid);
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle* handle = nullptr;
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    const bool ok = RegisterDynamicBackgroundWorker(&worker, &handle);
    MemoryContextSwitchTo(old);
    if (!ok)
        return false;
    processes[slot].handle = handle;
    processes[slot].started = GetCurrentTimestamp();
    return true;
}

// Starts, restarts and forgets schedulers. Returns how long until something is due here (ms).
long supervise(TimestampTz now) {
    long wait_ms = kRescanMs;
    for (int i = 0; i < slot_count(); ++i) {
        SchedulerProcess& p = processes[i];
        SlotInfo info;
        if (!slot_get(i, &info)) {
            stop_scheduler(i);
            continue;
        }
        const Oid dboid = info.dboid;
        pid_t pid = 0;
        if (p.handle != nullptr && GetBackgroundWorkerPid(p.handle, &pid) == BGWH_STOPPED) {
            pfree(p.handle);
            p.handle = nullptr;
            if (info.stepped_aside) {
                // Stopped for a command that needs the database: back as soon as it is over.
                p.backoff_ms = 0;
                p.restart_after = now;
            } else if (info.wanted) {
                // Still wanted means it did not stop for lack of the extension: restart, with
                // backoff.
                const bool healthy = TimestampDifferenceExceeds(p.started, now, kHealthyRunMs);
                p.backoff_ms = healthy || p.backoff_ms == 0
                                   ? kRestartMinMs
                                   : std::min(p.backoff_ms * 2, kRestartMaxMs);
                p.restart_after = TimestampTzPlusMilliseconds(now, p.backoff_ms);
            }
        }
        if (p.handle != nullptr)
            continue;
        if (!info.wanted) {
            give_back_slot(i, dboid);
            continue;
        }
        if (info.stepped_aside)
            continue;
        if (p.restart_after > now) {
            wait_ms = std::min(wait_ms, TimestampDifferenceMilliseconds(now, p.restart_after) + 1);
            continue;
        }
        if (!start_scheduler(i, dboid)) {
            // No free background worker slot: try again shortly, saying so once per episode.
            if (!out_of_slots)
                ereport(WARNING,
                        (errmsg("matview_scheduler: no free background worker slot to start the "
                                "scheduler of database %u; retrying every second",
                                dboid),
                         errhint("Raise max_worker_processes: each database with the extension "
                                 "needs one for its scheduler and up to "
                                 "matview_scheduler.max_workers for its refreshes.")));
            out_of_slots = true;
            p.restart_after = TimestampTzPlusMilliseconds(now, kRestartMinMs);
            wait_ms = std::min(wait_ms, kRestartMinMs);
        } else {
            out_of_slots = false;
        }
    }
    return wait_ms;
}

// Schedulers left by a launcher that was terminated have no handle here: stop them, so that each
// database has exactly one scheduler, started and watched by this launcher.
void stop_adopted_schedulers() {
    for (int i = 0; i < slot_count(); ++i) {
        const pid_t pid = slot_scheduler_pid(i);
        if (pid != 0 && BackendPidGetProc(pid) != nullptr)
            kill(pid, SIGTERM);
    }
    for (int waited_ms = 0; waited_ms < 10000; waited_ms += 100) {
        bool any = false;
        for (int i = 0; i < slot_count(); ++i)
            any = any || slot_scheduler_pid(i) != 0;
        if (!any)
            return;
        (void)WaitLatch(MyLatch, WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100,
                        wait_event(Wait::SchedulerExit));
        CHECK_FOR_INTERRUPTS();
    }
}

} // namespace

void register_launcher() {
    BackgroundWorker worker;
    // Restarted by the postmaster a second after it stops.
    describe_background_worker(&worker, "mvs_launcher_main", 0, 1, "matview_scheduler launcher",
                               "matview_scheduler launcher");
    RegisterBackgroundWorker(&worker);
}

} // namespace mvs::pg

extern "C" void mvs_launcher_main(Datum) {
    using namespace mvs::pg;
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    pgstat_report_appname("matview_scheduler launcher");

    processes = static_cast<SchedulerProcess*>(
        MemoryContextAllocZero(TopMemoryContext, sizeof(SchedulerProcess) * slot_count()));
    MemoryContext scratch = AllocSetContextCreate(TopMemoryContext, "matview_scheduler launcher",
                                                  ALLOCSET_DEFAULT_SIZES);
    launcher_register_self();
    stop_adopted_schedulers();

    TimestampTz next_rescan = 0;
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        TimestampTz now = GetCurrentTimestamp();
        if (take_rescan_request() || now >= next_rescan || rescan_soon) {
            rescan_soon = false;
            rescan_databases(scratch);
            next_rescan = TimestampTzPlusMilliseconds(now, kRescanMs);
        }
        long wait_ms = supervise(now);
        if (rescan_soon)
            wait_ms = 0;
        wait_ms = std::min(wait_ms, TimestampDifferenceMilliseconds(now, next_rescan) + 1);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                        report_statistics_before_wait(wait_ms), wait_event(Wait::LauncherMain));
        ResetLatch(MyLatch);
    }
}
