#include "pg/scheduler/plan_step.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "core/run_policy.hpp"
#include "core/schedule.hpp"
#include "pg/due_times.hpp"
#include "pg/scheduler/change_check.hpp"
#include "pg/error_bridge.hpp"
#include "pg/scheduler/quarantine.hpp"
#include "pg/worker/refresh_lock.hpp"
#include "pg/spi_support.hpp"
#include "pg/subtransaction.hpp"
#include "pg/scheduler/waiting_runs.hpp"
#include "pg/shmem/worker_pool.hpp"

namespace mvs::pg {

namespace {

// The due schedule as core's policy sees it.
mvs::DueFacts due_facts(const DueSchedule& due, bool busy, bool place_free) {
    mvs::DueFacts f;
    f.next_run = core_instant(due.next_run);
    f.has_until = due.has_until;
    f.until = core_instant(due.until);
    f.has_repeats = due.has_repeats;
    f.repeats = due.repeats;
    f.runs_total = due.runs_total;
    f.busy = busy;
    f.place_free = place_free;
    return f;
}

// Where a due schedule goes next, after a run (or a skip) at `at`: missed due times are coalesced
// and until/repeats finish the schedule (core's settle_due). Returns false with *why set when the
// schedule cannot be computed.
bool compute_next_run(const DueSchedule& due, const mvs::DueFacts& facts,
                      const mvs::DueDecision& decision, mvs::DueOutcome* out, const char** why,
                      bool unchanged = false) {
    mvs::Schedule schedule;
    bool parsed = false;
    const CppFailure failure = run_cpp([&] { parsed = mvs::parse_spec(due.spec, &schedule); });
    if (failure.failed || !parsed) {
        *why = "the stored schedule could not be read";
        return false;
    }
    const pg_tz* tz = pg_tzset(due.timezone);
    if (tz == nullptr) {
        *why = "the schedule's time zone is not known to this server";
        return false;
    }
    const Advance advance =
        advance_after(schedule, due.anchor, due.next_run, pg_instant(decision.at), tz);
    const mvs::Advance core_advance{core_instant(advance.next), advance.skipped};
    *out = unchanged ? mvs::settle_unchanged(facts, core_advance)
                     : mvs::settle_due(facts, decision, core_advance);
    return true;
}

void plan_one(void* arg) {
    PlanStep& step = *static_cast<PlanStep*>(arg);
    const DueSchedule& d = *step.due;
    const bool busy =
        pool_is_running(d.id) || waiting_for_schedule(d.id) || view_refresh_in_progress(d.view);
    const mvs::DueFacts facts = due_facts(d, busy, step.worker_free);
    const mvs::DueDecision decision = mvs::decide_due(facts, core_instant(step.now));
    if (decision.action == mvs::DueAction::Later)
        return;
    // only_if_changed: a due time with nothing changed passes without a run, a worker or a place.
    const bool would_run =
        decision.action == mvs::DueAction::Run || decision.action == mvs::DueAction::NeedsPlace;
    ChangeCheck check{mvs::ChangeVerdict::Refresh, false, mvs::ChangeMark{}};
    if (would_run && (d.only_if_changed || d.on_change))
        check = check_changes(d);
    if (check.verdict == mvs::ChangeVerdict::Unchanged) {
        mvs::DueOutcome next;
        const char* why = nullptr;
        step.outcome = PlanStep::kMovedOn;
        if (d.on_change)
            next = mvs::settle_waiting_for_change(facts, core_instant(step.now));
        else if (!compute_next_run(d, facts, decision, &next, &why, true)) {
            catalog_fail_schedule(d, step.now, "XX000", why, DT_NOEND);
            return;
        }
        UnchangedBatch* batch = step.unchanged;
        if (batch != nullptr && batch->n < batch->capacity) {
            batch->ids[batch->n] = d.id;
            batch->next_runs[batch->n] = pg_instant(next.next_run);
            batch->skipped[batch->n] = next.skipped;
            ++batch->n;
            return;
        }
        catalog_skip_unchanged(d.id, pg_instant(next.next_run), next.skipped, step.now,
                               step.watch_generation);
        return;
    }
    if (decision.action == mvs::DueAction::NeedsPlace) {
        step.outcome = PlanStep::kNeedsWorker;
        return;
    }
    mvs::DueOutcome next;
    const char* why = nullptr;
    step.outcome = PlanStep::kMovedOn;
    if (!compute_next_run(d, facts, decision, &next, &why)) {
        catalog_fail_schedule(d, step.now, "XX000", why, DT_NOEND);
    } else if (decision.action == mvs::DueAction::Skip) {
        catalog_skip_run(d.id, pg_instant(next.next_run), next.skipped);
    } else {
        const TimestampTz at = pg_instant(decision.at);
        StartBatch* batch = step.starts;
        step.at = at;
        step.outcome = PlanStep::kStarted;
        if (batch != nullptr && batch->n < batch->capacity && !d.only_if_changed && !d.on_change) {
            const int k = batch->n++;
            batch->due[k] = &d;
            batch->ids[k] = d.id;
            batch->views[k] = d.view;
            batch->scheduled_for[k] = d.next_run;
            batch->started[k] = at;
            batch->next_runs[k] = pg_instant(next.next_run);
            batch->skipped[k] = next.skipped;
            batch->waiting[k] = step.queue ? 1 : 0;
            batch->run_ids[k] = 0;
            step.run_id = 0;
            step.start = k;
            return;
        }
        step.run_id = catalog_start_run(d, at, pg_instant(next.next_run), next.skipped, step.queue);
        if (d.only_if_changed || d.on_change)
            catalog_note_change_reading(d.id, check.keep, check.mark, step.now,
                                        step.watch_generation);
    }
}

struct FailureRecord {
    const DueSchedule* due;
    TimestampTz now;
    const ErrorData* error;
};

// The failed planning recorded as the schedule's run; the schedule moves on to its next due time.
void record_planning_failure(void* arg) {
    const FailureRecord& f = *static_cast<const FailureRecord*>(arg);
    // Moved on as by a skip at now: coalesced, until applies, repeats do not.
    const mvs::DueFacts facts = due_facts(*f.due, false, false);
    mvs::DueDecision skip;
    skip.action = mvs::DueAction::Skip;
    skip.at = core_instant(f.now);
    mvs::DueOutcome next;
    const char* why = nullptr;
    const bool computed = compute_next_run(*f.due, facts, skip, &next, &why);
    catalog_fail_schedule(*f.due, f.now, unpack_sql_state(f.error->sqlerrcode),
                          psprintf("the scheduler could not start the run: %s", f.error->message),
                          computed ? pg_instant(next.next_run) : DT_NOEND);
}

// An error in one schedule's bookkeeping: logged, recorded as a failed run of that schedule if
// that can be done, otherwise the schedule is left alone for kQuarantineUs.
void planning_failed(const DueSchedule& due, TimestampTz now, const ErrorData* error) {
    ereport(WARNING, (errmsg("matview_scheduler: could not start the scheduled refresh of "
                             "materialized view with OID %u: %s",
                             due.view, error->message)));
    FailureRecord record{&due, now, error};
    ErrorData* again = in_subtransaction(record_planning_failure, &record);
    if (again == nullptr)
        return;
    ereport(WARNING, (errmsg("matview_scheduler: could not record that failure either (%s); the "
                             "schedule is left alone for %d seconds",
                             again->message, static_cast<int>(kQuarantineUs / USECS_PER_SEC))));
    quarantine_add(due.id, now);
}

} // namespace

UnchangedBatch* unchanged_batch(int capacity) {
    UnchangedBatch* b = static_cast<UnchangedBatch*>(palloc(sizeof(UnchangedBatch)));
    const int room = capacity > 0 ? capacity : 1;
    b->n = 0;
    b->capacity = capacity;
    b->ids = static_cast<int64*>(palloc(sizeof(int64) * room));
    b->next_runs = static_cast<TimestampTz*>(palloc(sizeof(TimestampTz) * room));
    b->skipped = static_cast<int64*>(palloc(sizeof(int64) * room));
    return b;
}

namespace {

struct UnchangedRecord {
    const UnchangedBatch* batch;
    int one; // -1: all of them
    TimestampTz checked;
    uint64 watch_generation;
};

void record_unchanged_step(void* arg) {
    const UnchangedRecord& r = *static_cast<const UnchangedRecord*>(arg);
    const UnchangedBatch& b = *r.batch;
    if (r.one >= 0)
        catalog_skip_unchanged(b.ids[r.one], b.next_runs[r.one], b.skipped[r.one], r.checked,
                               r.watch_generation);
    else
        catalog_skip_unchanged_many(b.ids, b.next_runs, b.skipped, b.n, r.checked,
                                    r.watch_generation);
}

} // namespace

void record_unchanged(const UnchangedBatch* batch, TimestampTz checked, uint64 watch_generation) {
    if (batch->n == 0)
        return;
    UnchangedRecord all{batch, -1, checked, watch_generation};
    if (in_subtransaction(record_unchanged_step, &all) == nullptr)
        return;
    for (int i = 0; i < batch->n; ++i) {
        UnchangedRecord one{batch, i, checked, watch_generation};
        ErrorData* error = in_subtransaction(record_unchanged_step, &one);
        if (error == nullptr)
            continue;
        ereport(WARNING, (errmsg("matview_scheduler: could not record that nothing changed for "
                                 "schedule %lld: %s",
                                 static_cast<long long>(batch->ids[i]), error->message)));
        quarantine_add(batch->ids[i], checked);
    }
}

StartBatch* start_batch(int capacity) {
    StartBatch* b = static_cast<StartBatch*>(palloc(sizeof(StartBatch)));
    const int room = capacity > 0 ? capacity : 1;
    b->n = 0;
    b->capacity = capacity;
    b->due = static_cast<const DueSchedule**>(palloc(sizeof(DueSchedule*) * room));
    b->ids = static_cast<int64*>(palloc(sizeof(int64) * room));
    b->views = static_cast<Oid*>(palloc(sizeof(Oid) * room));
    b->scheduled_for = static_cast<TimestampTz*>(palloc(sizeof(TimestampTz) * room));
    b->started = static_cast<TimestampTz*>(palloc(sizeof(TimestampTz) * room));
    b->next_runs = static_cast<TimestampTz*>(palloc(sizeof(TimestampTz) * room));
    b->skipped = static_cast<int64*>(palloc(sizeof(int64) * room));
    b->waiting = static_cast<int32*>(palloc(sizeof(int32) * room));
    b->run_ids = static_cast<int64*>(palloc(sizeof(int64) * room));
    return b;
}

namespace {

struct StartRecord {
    StartBatch* batch;
    int one; // -1: all of them
};

void record_starts_step(void* arg) {
    const StartRecord& r = *static_cast<const StartRecord*>(arg);
    StartBatch& b = *r.batch;
    if (r.one >= 0)
        b.run_ids[r.one] = catalog_start_run(*b.due[r.one], b.started[r.one], b.next_runs[r.one],
                                             b.skipped[r.one], b.waiting[r.one] != 0);
    else
        catalog_start_runs(b.ids, b.views, b.scheduled_for, b.started, b.next_runs, b.skipped,
                           b.waiting, b.n, b.run_ids);
}

} // namespace

void record_starts(StartBatch* batch, TimestampTz now) {
    if (batch->n == 0)
        return;
    StartRecord all{batch, -1};
    if (in_subtransaction(record_starts_step, &all) == nullptr)
        return;
    for (int i = 0; i < batch->n; ++i) {
        batch->run_ids[i] = 0;
        StartRecord one{batch, i};
        ErrorData* error = in_subtransaction(record_starts_step, &one);
        if (error != nullptr) {
            batch->run_ids[i] = 0;
            planning_failed(*batch->due[i], now, error);
        }
    }
}

void plan_schedule(PlanStep* step) {
    ErrorData* error = in_subtransaction(plan_one, step);
    if (error == nullptr)
        return;
    planning_failed(*step->due, step->now, error);
    step->outcome = PlanStep::kMovedOn;
}

} // namespace mvs::pg
