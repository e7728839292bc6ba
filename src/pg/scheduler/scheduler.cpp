#include "pg/scheduler/scheduler.hpp"

#include <algorithm>

extern "C" {
#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include "core/fair_share.hpp"
#include "core/next_wake.hpp"
#include "core/worker_places.hpp"
#include "pg/background_worker.hpp"
#include "pg/catalog/run_catalog.hpp"
#include "pg/catalog/schedule_catalog.hpp"
#include "pg/pg_time.hpp"
#include "pg/scheduler/plan_step.hpp"
#include "pg/scheduler/quarantine.hpp"
#include "pg/scheduler/restore_guard.hpp"
#include "pg/scheduler/source_hold.hpp"
#include "pg/scheduler/view_sources_cache.hpp"
#include "pg/shmem/change_counters.hpp"
#include "pg/shmem/refresh_places.hpp"
#include "pg/settings.hpp"
#include "pg/shmem/shared_state.hpp"
#include "pg/spi_support.hpp"
#include "pg/statistics.hpp"
#include "pg/scheduler/waiting_runs.hpp"
#include "pg/shmem/worker_pool.hpp"
#include "pg/wait_events.hpp"

namespace mvs::pg {

namespace {

// A bookkeeping error is retried after this, so a persistent one cannot spin.
constexpr long kErrorRetryMs = 1000;
// Due schedules one pass looks at, at most (oldest due first); more are taken by the next passes.
constexpr int kMaxDueCandidates = 100000;

// Run ids whose worker stopped before recording them, still to be marked interrupted.
int64 stopped_runs[2 * kPoolCapacity];
int stopped_count = 0;

bool first_iteration = true;

// Between passes (file scope, so that the error recovery's longjmp leaves it intact).
struct LoopState {
    long planned_ms = 0;      // the sleep the last pass asked for; 0: pass at once
    instr_time slept_since{}; // when that sleep began, on a monotonic clock
    uint64 changes_seen = 0;  // slot_changes() when the last pass began
    // Due runs wait for a place or for their sources: a worker or place that frees is theirs.
    bool waiting_for_place = false;
    bool held = false; // some of them wait for their sources: any run that ends may free them
    // The generation of watched writes the last pass looked at, and when a pass last looked at
    // new ones ('on change').
    uint64 watch_seen = 0;
    bool watch_passed = false;
    instr_time watch_pass_at{};
};
LoopState loop;

int64 elapsed_ms(instr_time since) {
    instr_time now;
    INSTR_TIME_SET_CURRENT(now);
    INSTR_TIME_SUBTRACT(now, since);
    return static_cast<int64>(INSTR_TIME_GET_MILLISEC(now));
}

int64 since_watch_pass() {
    return loop.watch_passed ? elapsed_ms(loop.watch_pass_at) : -1;
}

struct Dispatch {
    int64 schedule_id;
    int64 run_id;
    Oid role;
    TimestampTz start_at;
    int start;   // run_id 0: its place in the pass's StartBatch
    bool queued; // behind a worker's current run of the same role
};

struct IterationResult {
    Dispatch* dispatches;
    int dispatch_count;
    long wait_ms;           // -1: until woken
    bool no_worker_starts;  // disabled, or a restore is in progress
    bool waiting_for_place; // a due run found no free place, or waits for its sources
    bool held;              // a due run waits for its sources
};

static_assert(kMaxWindowCount > kPoolCapacity, "the window's count must reach past every worker");

// Rounds of choosing the batch again without the runs held for their sources.
constexpr int kHoldRounds = 4;
// Change-aware due schedules beyond the batch looked at in one pass, at most.
constexpr int kMaxExtraChecks = 10000;

// Removes the held schedules of `due` from the `*n_left` candidates (keeping their order);
// returns how many.
int drop_held(mvs::DueCandidate* candidates, int* n_left, const DueSchedule* due, int n,
              const bool* held) {
    int dropped = 0;
    int kept = 0;
    for (int c = 0; c < *n_left; ++c) {
        bool is_held = false;
        for (int i = 0; i < n && !is_held; ++i)
            is_held = held[i] && due[i].id == candidates[c].id;
        if (is_held)
            ++dropped;
        else
            candidates[kept++] = candidates[c];
    }
    *n_left = kept;
    return dropped;
}

// One transaction: reads what is due, records the runs to start, and moves schedules on.
IterationResult plan_runs(MemoryContext keep) {
    IterationResult result{nullptr, 0, -1, false, false, false};
    const uint64 requests_seen = slot_requests(MyDatabaseId);
    start_catalog_transaction();
    pgstat_report_activity(STATE_RUNNING, "matview_scheduler: planning refreshes");

    if (!OidIsValid(get_extension_oid("matview_scheduler", true))) {
        commit_catalog_transaction();
        // Created since this transaction looked: go round again and see it.
        if (!scheduler_mark_unwanted(MyDatabaseId, requests_seen)) {
            result.wait_ms = 0;
            return result;
        }
        ereport(DEBUG1, (errmsg("matview_scheduler: extension not installed in this database, "
                                "scheduler stopping")));
        proc_exit(0);
    }
    if (first_iteration) {
        // The launcher now counts this database as served, not only looked at.
        scheduler_found_extension(MyDatabaseId);
        // Runs left 'running' by a crash or restart, whose refresh no longer holds its lock.
        catalog_interrupt_abandoned_runs("the server or scheduler restarted during the run");
        // What earlier schedulers looked at belongs to their generations of watched writes.
        catalog_forget_change_seen();
        // Runs an earlier scheduler left waiting for a worker slot wait here now.
        int64* run_ids = nullptr;
        int64* schedule_ids = nullptr;
        const int n = catalog_waiting_runs(&run_ids, &schedule_ids);
        for (int i = 0; i < n; ++i)
            waiting_resume(run_ids[i], schedule_ids[i]);
        first_iteration = false;
    }
    if (stopped_count > 0) {
        catalog_interrupt_runs(stopped_runs, stopped_count,
                               "the refresh worker stopped before recording a result");
        stopped_count = 0;
    }

    if (!setting_enabled) {
        // Turned off: nothing is due until a reload turns it on (SIGHUP sets the latch).
        commit_catalog_transaction();
        result.no_worker_starts = true;
        pgstat_report_activity(STATE_IDLE, nullptr);
        return result;
    }
    const TimestampTz now = GetCurrentTimestamp();
    // Runs are recorded and handed to workers a little before their due time, so that the worker
    // has done its catalog work when the time comes and the refresh starts on the dot.
    const TimestampTz horizon = pg_instant(mvs::plus_horizon(core_instant(now)));
    const int busy_workers = pool_busy_count();
    // Places under way stay reserved; refresh_now() workers may hold some of the rest.
    const int places_in_use = busy_workers + waiting_count();
    mvs::PlaceBudget places{
        places_reserve_pool(places_in_use, std::max(0, database_place_limit() - places_in_use))};
    // Runs of one role may also be queued behind that role's runs in the workers (one each), so
    // that a worker takes its next run without waiting for a pass. Not while several roles are
    // due: a queued run would take its role's place again before the others had a turn.
    bool may_queue = catalog_has_run_history();
    // Room behind the busy workers, and behind each run given a place in this pass.
    int queue_room = may_queue ? pool_queue_room_total() : 0;
    int limit = mvs::due_fetch_limit(places.free, busy_workers) +
                (may_queue ? queue_room + places.free : 0);
    // The places each role holds or waits for, so that due runs are shared fairly between roles.
    RoleUsage* usage = static_cast<RoleUsage*>(palloc(sizeof(RoleUsage)));
    usage->n = 0;
    pool_usage(usage);
    waiting_usage(usage);
    places_manual_usage(usage);
    int64 excluded[kMaxQuarantined];
    const int n_excluded = quarantined(now, excluded);
    mvs::DueCandidate* candidates = nullptr;
    const int n_candidates = catalog_due_candidates(
        horizon, excluded, n_excluded, kMaxDueCandidates, loop.watch_seen, &candidates);
    for (int c = 1; c < n_candidates && may_queue; ++c)
        may_queue = candidates[c].role == candidates[0].role;
    // Workers of another role are busy: that role may want a place.
    if (may_queue && n_candidates > 0 && pool_queue_room(candidates[0].role) != queue_room)
        may_queue = false;
    if (!may_queue)
        queue_room = 0;
    const mvs::RolePlaces role_places{usage->roles, usage->counts, usage->n};
    int chosen = mvs::fair_order(candidates, n_candidates, role_places, role_place_limit(), limit);
    int busy_due = 0;
    for (int c = 0; c < chosen; ++c)
        busy_due +=
            pool_is_running(candidates[c].id) || waiting_for_schedule(candidates[c].id) ? 1 : 0;
    limit = mvs::trim_fetch_limit(limit, busy_workers, busy_due);
    chosen = std::min(chosen, limit);
    DueSchedule* due = nullptr;
    int n = chosen > 0 ? catalog_lock_due(horizon, candidates, chosen, &due) : 0;
    if ((n > 0 || waiting_count() > 0) && restore_in_progress()) {
        commit_catalog_transaction();
        pgstat_report_activity(STATE_IDLE, nullptr);
        result.no_worker_starts = true;
        result.wait_ms = mvs::kLookAgainMs;
        return result;
    }
    bool waiting_for_worker = false;
    bool not_yet = false; // a run without a place, due beyond the cold lead: handed over later
    int progress = 0;
    // A view waits, still due, while a view it reads is refreshed or due ahead of it. What it
    // would have taken of the batch goes to the due runs behind it: the candidates are chosen
    // again without the held ones (a few rounds at most), so held runs cannot crowd others out.
    bool* held = static_cast<bool*>(palloc(sizeof(bool) * (n > 0 ? n : 1)));
    hold_for_sources(due, n, horizon, loop.watch_seen, held);
    int held_before = 0; // held in earlier rounds, left out of the batch
    int n_left = n_candidates;
    for (int round = 1; round < kHoldRounds && chosen == limit; ++round) {
        const int dropped = drop_held(candidates, &n_left, due, n, held);
        if (dropped == 0)
            break;
        held_before += dropped;
        chosen = mvs::fair_order(candidates, n_left, role_places, role_place_limit(), limit);
        n = chosen > 0 ? catalog_lock_due(horizon, candidates, chosen, &due) : 0;
        held = static_cast<bool*>(palloc(sizeof(bool) * (n > 0 ? n : 1)));
        hold_for_sources(due, n, horizon, loop.watch_seen, held);
    }
    // A source may have finished while the batch was read: a run let go because of it starts
    // now, not at the pass's start, which can be before that source's end.
    const TimestampTz decided = GetCurrentTimestamp();
    UnchangedBatch* unchanged = unchanged_batch(n + std::min(n_left, kMaxExtraChecks));
    result.dispatches =
        static_cast<Dispatch*>(MemoryContextAlloc(keep, sizeof(Dispatch) * (n > 0 ? n : 1)));
    StartBatch* starts = start_batch(n);
    int held_count = held_before;
    for (int i = 0; i < n; ++i) {
        if (held[i]) {
            ++held_count;
            continue;
        }
        // A role at its max_workers_per_role waits its turn, as when every worker is busy.
        const bool place = places.available(due[i].over_limit);
        const bool queue = !place && queue_room > 0;
        PlanStep step{&due[i], decided,         place || queue, PlanStep::kLater, 0,
                      0,       loop.watch_seen, unchanged,      starts,           -1,
                      queue};
        plan_schedule(&step);
        switch (step.outcome) {
        case PlanStep::kLater:
            break;
        case PlanStep::kNeedsWorker:
            if (mvs::needs_place_now(core_instant(due[i].next_run), core_instant(decided)))
                waiting_for_worker = true;
            else
                not_yet = true;
            break;
        case PlanStep::kStarted:
            // A run noted in the batch gets its id when the batch is recorded, below.
            result.dispatches[result.dispatch_count++] =
                Dispatch{due[i].id, step.run_id, due[i].owner, step.at, step.start, queue};
            if (queue) {
                --queue_room;
            } else {
                places.take();
                if (may_queue)
                    ++queue_room; // the worker it goes to can take one more after it
            }
            ++progress;
            break;
        case PlanStep::kMovedOn:
            ++progress;
            break;
        }
    }

    record_starts(starts, decided);
    int kept = 0;
    for (int i = 0; i < result.dispatch_count; ++i) {
        Dispatch d = result.dispatches[i];
        if (d.run_id == 0)
            d.run_id = starts->run_ids[d.start];
        if (d.run_id != 0)
            result.dispatches[kept++] = d;
    }
    result.dispatch_count = kept;

    // Change-aware schedules due beyond the batch: one that nothing changed for passes without a
    // place, so as many as kMaxExtraChecks are looked at in this pass rather than a batch's worth
    // per pass. One that changed waits for the next pass, where it takes its turn for a place.
    bool extras_left = false;
    int n_extra = 0;
    mvs::DueCandidate* extra = static_cast<mvs::DueCandidate*>(palloc(
        sizeof(mvs::DueCandidate) * std::max(1, std::min(n_left - chosen, kMaxExtraChecks))));
    for (int c = chosen; c < n_left; ++c) {
        if (!candidates[c].change_aware)
            continue;
        if (n_extra == kMaxExtraChecks) {
            extras_left = true;
            break;
        }
        extra[n_extra++] = candidates[c];
    }
    if (n_extra > 0) {
        DueSchedule* more = nullptr;
        const int m = catalog_lock_due(horizon, extra, n_extra, &more);
        bool* more_held = static_cast<bool*>(palloc(sizeof(bool) * (m > 0 ? m : 1)));
        hold_for_sources(more, m, horizon, loop.watch_seen, more_held);
        for (int i = 0; i < m; ++i) {
            if (more_held[i]) {
                ++held_count;
                continue;
            }
            PlanStep step{&more[i], decided,         false,     PlanStep::kLater, 0,
                          0,        loop.watch_seen, unchanged, nullptr,          -1,
                          false};
            plan_schedule(&step);
            if (step.outcome == PlanStep::kNeedsWorker)
                extras_left = true;
            else if (step.outcome == PlanStep::kMovedOn)
                ++progress;
        }
    }

    record_unchanged(unchanged, decided, loop.watch_seen);

    mvs::PassResult pass;
    pass.batch_full = mvs::pass_batch_full(n == limit, not_yet, extras_left, progress);
    pass.progress = progress;
    pass.waiting_for_place = waiting_for_worker;
    pass.held_for_sources = held_count;
    TimestampTz earliest = 0;
    int in_window = 0;
    pass.has_earliest =
        mvs::wake_needs_earliest(pass) &&
        catalog_first_due(loop.watch_seen, mvs::kWarmWindowMicros, &earliest, &in_window);
    if (pass.has_earliest) {
        // Workers free at the warm hand-over, less those the runs waiting for a slot take and
        // those this pass's runs still hold then.
        const mvs::UtcMicros wake = mvs::minus_lead(core_instant(earliest), mvs::kWarmLeadMicros);
        const TimestampTz due_by = pg_instant(mvs::minus_lead(wake, mvs::kFreeAfterDueMicros));
        int free = pool_workers_free_at(pg_instant(wake), due_by) - waiting_count();
        for (int i = 0; i < result.dispatch_count; ++i)
            free -= result.dispatches[i].start_at > due_by ? 1 : 0;
        pass.warm = mvs::warm_hand_over(free, in_window);
    }
    // While due runs wait for places, a schedule not yet due may belong to a role with a place
    // free: wake for it on time.
    TimestampTz upcoming = 0;
    result.waiting_for_place = waiting_for_worker || held_count > 0;
    result.held = held_count > 0;
    pass.has_upcoming = (waiting_for_worker || held_count > 0) &&
                        catalog_earliest_next_run(horizon, loop.watch_seen, &upcoming);
    commit_catalog_transaction();
    pgstat_report_activity(STATE_IDLE, nullptr);

    pass.now = core_instant(GetCurrentTimestamp());
    pass.earliest = core_instant(earliest);
    pass.upcoming = core_instant(upcoming);
    result.wait_ms = static_cast<long>(mvs::wake_after_pass(pass));
    return result;
}

// Starts the workers for planned runs, after the runs already waiting for a worker slot. A run
// whose worker cannot start waits for a slot, and is recorded as waiting.
void start_workers(const IterationResult& plan) {
    waiting_dispatch(database_place_limit());
    int64* now_waiting = static_cast<int64*>(palloc(sizeof(int64) * (plan.dispatch_count + 1)));
    int count = 0;
    for (int i = 0; i < plan.dispatch_count; ++i) {
        const Dispatch& d = plan.dispatches[i];
        if (d.queued) {
            if (waiting_count() == 0 && pool_queue(d.run_id, d.schedule_id, d.role, d.start_at))
                continue;
            // No worker of its role to queue behind (one stopped since the pass, or runs wait for
            // a slot): the next pass records it interrupted; the schedule has moved on already.
            if (stopped_count < static_cast<int>(lengthof(stopped_runs))) {
                stopped_runs[stopped_count++] = d.run_id;
                continue;
            }
        }
        if (waiting_count() == 0 && pool_dispatch(d.run_id, d.schedule_id, d.role, d.start_at))
            continue;
        waiting_add(d.run_id, d.schedule_id, d.role, d.start_at);
        now_waiting[count++] = d.run_id;
    }
    if (count == 0)
        return;
    start_catalog_transaction();
    // A 0.1 catalog has no 'waiting' status: its runs wait as 'running'.
    char version[NAMEDATALEN];
    if (catalog_extension_version(version, sizeof version) && strcmp(version, "0.1") != 0)
        catalog_mark_waiting(now_waiting, count);
    commit_catalog_transaction();
}

} // namespace

void describe_scheduler_worker(BackgroundWorker* worker, Oid dboid) {
    char name[BGW_MAXLEN];
    snprintf(name, sizeof name, "matview_scheduler scheduler for database %u", dboid);
    // The launcher restarts it.
    describe_background_worker(worker, "mvs_scheduler_main", ObjectIdGetDatum(dboid),
                               BGW_NEVER_RESTART, name, "matview_scheduler scheduler");
}

} // namespace mvs::pg

extern "C" void mvs_scheduler_main(Datum arg) {
    using namespace mvs::pg;
    const Oid dboid = DatumGetObjectId(arg);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
    scheduler_register_self(dboid);
    places_scheduler_attach(MyLatch);
    view_sources_cache_init();
    mark_own_background_process();
    pgstat_report_appname("matview_scheduler scheduler");
    pool_create();

    MemoryContext loop_context =
        AllocSetContextCreate(TopMemoryContext, "matview_scheduler loop", ALLOCSET_DEFAULT_SIZES);

    // An error in the scheduler's own bookkeeping is logged and retried; it never ends the process.
    sigjmp_buf local_sigjmp_buf;
    if (sigsetjmp(local_sigjmp_buf, 1) != 0) {
        // Not PG_TRY: the error context stack must be reset by hand.
        error_context_stack = nullptr;
        HOLD_INTERRUPTS();
        EmitErrorReport();
        AbortOutOfAnyTransaction();
        FlushErrorState();
        MemoryContextSwitchTo(TopMemoryContext);
        MemoryContextReset(loop_context);
        RESUME_INTERRUPTS();
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kErrorRetryMs,
                        wait_event(Wait::ErrorPause));
        ResetLatch(MyLatch);
        loop.planned_ms = 0; // the failed pass again
    }
    PG_exception_stack = &local_sigjmp_buf;

    for (;;) {
        CHECK_FOR_INTERRUPTS();
        bool reloaded = false;
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
            reloaded = true;
        }
        MemoryContextSwitchTo(loop_context);
        // Every finished run wakes the scheduler until it has looked (below), and the latch is
        // reset before it looks, so neither a wake-up during the pass nor a run that finishes
        // meanwhile is lost.
        pool_wake_on_finish(mvs::FinishWake::kEach);
        ResetLatch(MyLatch);
        // Workers that finished give their places back at once, pass or not.
        if (stopped_count == 0)
            stopped_count = pool_reap(stopped_runs);
        (void)places_reserve_pool(pool_busy_count() + waiting_count(), 0);
        const uint64 changes = slot_changes(MyDatabaseId);
        const uint64 watched = change_watch_generation(MyDatabaseId, false);
        mvs::Wakeup wakeup;
        wakeup.sleep_left_ms = mvs::sleep_left(loop.planned_ms, elapsed_ms(loop.slept_since));
        wakeup.catalog_changed = changes != loop.changes_seen;
        wakeup.config_reloaded = reloaded;
        wakeup.workers_stopped = stopped_count > 0;
        // Runs that wait only for a place, while runs are queued in the workers: a pass when a
        // place is free or half of the queue room is, not each time a worker moves on.
        bool for_place = loop.waiting_for_place;
        if (for_place && !loop.held)
            for_place =
                mvs::place_pass_due(database_place_limit() - pool_busy_count() - waiting_count(),
                                    pool_queue_room_total(), pool_busy_count());
        wakeup.runs_waiting = waiting_count() > 0 || for_place;
        wakeup.watched_writes = mvs::watch_pass_due(watched != loop.watch_seen, since_watch_pass());
        long wait_ms = static_cast<long>(wakeup.sleep_left_ms);
        if (mvs::pass_needed(wakeup)) {
            loop.changes_seen = changes;
            if (watched != loop.watch_seen) {
                INSTR_TIME_SET_CURRENT(loop.watch_pass_at);
                loop.watch_passed = true;
            }
            loop.watch_seen = watched;
            const IterationResult plan = plan_runs(loop_context);
            MemoryContextSwitchTo(loop_context);
            if (!plan.no_worker_starts)
                start_workers(plan);
            // Places reserved and not used go back to refresh_now().
            (void)places_reserve_pool(pool_busy_count() + waiting_count(), 0);
            // Runs waiting for a worker slot try again soon: a slot other processes free sends no
            // wake-up.
            wait_ms = static_cast<long>(mvs::wake_with_waiting_runs(plan.wait_ms, waiting_count()));
            loop.planned_ms = wait_ms;
            INSTR_TIME_SET_CURRENT(loop.slept_since);
            loop.waiting_for_place = plan.waiting_for_place;
            loop.held = plan.held;
        }
        // Watched writes the pass did not see: looked at as soon as the rate allows. None: the next
        // one wakes the scheduler (armed before looking, so none is missed).
        bool unseen = change_watch_generation(MyDatabaseId, false) != loop.watch_seen;
        if (!unseen)
            unseen = change_watch_generation(MyDatabaseId, true) != loop.watch_seen;
        wait_ms = static_cast<long>(mvs::sleep_for_watch(wait_ms, unseen, since_watch_pass()));
        // A finished run is worth a wake-up only to what waits for a place or for its sources
        // (runs that wait only for places: when a pass for them is due); otherwise its place and
        // worker are noted at the next wake-up, before the next pass.
        pool_wake_on_finish(mvs::finish_wake(
            loop.held || waiting_count() > 0 || places_manual_waiting(), loop.waiting_for_place));
        MemoryContextSwitchTo(TopMemoryContext);
        MemoryContextReset(loop_context);
        wait_ms = report_statistics_before_wait(wait_ms);
        if (wait_ms != 0)
            (void)WaitLatch(MyLatch,
                            WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (wait_ms > 0 ? WL_TIMEOUT : 0),
                            wait_ms, wait_event(Wait::NextDue));
    }
}
