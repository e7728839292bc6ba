#include "pg/scheduler/plan_step.hpp"

#include <algorithm>

extern "C" {
#include "utils/timestamp.h"
}

#include "core/schedule.hpp"
#include "pg/due_times.hpp"
#include "pg/error_bridge.hpp"
#include "pg/scheduler/quarantine.hpp"
#include "pg/worker/refresh_lock.hpp"
#include "pg/spi_support.hpp"
#include "pg/subtransaction.hpp"
#include "pg/scheduler/waiting_runs.hpp"
#include "pg/shmem/worker_pool.hpp"

namespace mvs::pg {

namespace {

// Where a due schedule goes next, after a run (or a skip) at `now`: missed due times are
// coalesced, so the next one is always in the future; until and repeats finish the schedule
// (next = DT_NOEND). Returns false with *why set when the schedule cannot be computed.
bool compute_next_run(const DueSchedule& due, TimestampTz now, bool runs_now, Advance* out,
                      const char** why) {
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
    *out = advance_after(schedule, due.anchor, due.next_run, now, tz);
    if (runs_now && due.has_repeats && due.runs_total + 1 >= due.repeats)
        out->next = DT_NOEND;
    if (due.has_until && out->next != DT_NOEND && out->next > due.until)
        out->next = DT_NOEND;
    return true;
}

void plan_one(void* arg) {
    PlanStep& step = *static_cast<PlanStep*>(arg);
    const DueSchedule& d = *step.due;
    // Due within the lead: the run happens at its due time, not now.
    const TimestampTz at = std::max(step.now, d.next_run);
    // Due while its previous run is still going (started here, or by an earlier scheduler), or
    // found only after its end: skipped, never queued. One not due yet is looked at again when it
    // is.
    const bool busy =
        pool_is_running(d.id) || waiting_for_schedule(d.id) || view_refresh_in_progress(d.view);
    if (busy && d.next_run > step.now)
        return;
    const bool too_late = d.has_until && at > d.until;
    const bool runs_now = !busy && !too_late;
    if (runs_now && !step.worker_free) {
        step.outcome = PlanStep::kNeedsWorker;
        return;
    }
    Advance next{0, 0};
    const char* why = nullptr;
    step.outcome = PlanStep::kMovedOn;
    if (!compute_next_run(d, at, runs_now, &next, &why)) {
        catalog_fail_schedule(d, step.now, "XX000", why, DT_NOEND);
    } else if (!runs_now) {
        catalog_skip_run(d.id, too_late ? DT_NOEND : next.next, next.skipped + 1);
    } else {
        step.run_id = catalog_start_run(d, at, next.next, next.skipped);
        step.at = at;
        step.outcome = PlanStep::kStarted;
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
    Advance next{0, 0};
    const char* why = nullptr;
    const bool computed = compute_next_run(*f.due, f.now, false, &next, &why);
    catalog_fail_schedule(*f.due, f.now, unpack_sql_state(f.error->sqlerrcode),
                          psprintf("the scheduler could not start the run: %s", f.error->message),
                          computed ? next.next : DT_NOEND);
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

void plan_schedule(PlanStep* step) {
    ErrorData* error = in_subtransaction(plan_one, step);
    if (error == nullptr)
        return;
    planning_failed(*step->due, step->now, error);
    step->outcome = PlanStep::kMovedOn;
}

} // namespace mvs::pg
