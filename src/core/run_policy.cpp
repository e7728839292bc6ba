#include "run_policy.hpp"

namespace mvs {

bool schedule_due(UtcMicros next_run, bool paused, UtcMicros horizon) noexcept {
    return !paused && next_run != kNever && next_run <= horizon;
}

DueDecision decide_due(const DueFacts& due, UtcMicros now) noexcept {
    DueDecision d;
    // Due within the lead: the run happens at its due time, not now.
    d.at = due.next_run > now ? due.next_run : now;
    // Due while its previous run is still going, or found only after its end: skipped, never
    // queued. One not due yet is looked at again when it is.
    if (due.busy && due.next_run > now)
        return d;
    d.too_late = due.has_until && d.at > due.until;
    const bool runs_now = !due.busy && !d.too_late;
    if (runs_now && !due.place_free)
        d.action = DueAction::NeedsPlace;
    else
        d.action = runs_now ? DueAction::Run : DueAction::Skip;
    return d;
}

UtcMicros next_run_after(const DueFacts& due, bool runs_now, UtcMicros advanced) noexcept {
    // runs_total + 1 >= repeats, without the + 1: a counter written by hand may be INT64_MAX.
    if (runs_now && due.has_repeats && due.runs_total >= std::int64_t{due.repeats} - 1)
        return kNever;
    if (due.has_until && advanced != kNever && advanced > due.until)
        return kNever;
    return advanced;
}

DueOutcome settle_due(const DueFacts& due, const DueDecision& decision,
                      const Advance& advance) noexcept {
    const bool runs_now = decision.action == DueAction::Run;
    DueOutcome out;
    out.next_run = next_run_after(due, runs_now, advance.next);
    out.skipped = advance.skipped;
    if (!runs_now) {
        // Skipped past until: finished. advance.skipped stops at kMaxCounted, so + 1 fits.
        if (decision.too_late)
            out.next_run = kNever;
        out.skipped = advance.skipped + 1;
    }
    return out;
}

DueOutcome settle_unchanged(const DueFacts& due, const Advance& advance) noexcept {
    DueOutcome out;
    out.next_run = next_run_after(due, false, advance.next);
    out.skipped = advance.skipped;
    return out;
}

DueOutcome settle_waiting_for_change(const DueFacts& due, UtcMicros now) noexcept {
    DueOutcome out;
    out.next_run = due.has_until && now > due.until ? kNever : due.next_run;
    return out;
}

DueOutcome settle_due(const DueFacts& due, const DueDecision& decision, const Schedule& schedule,
                      UtcMicros anchor, const TimeZone& zone) {
    return settle_due(due, decision,
                      advance_after_run(schedule, anchor, due.next_run, decision.at, zone));
}

} // namespace mvs
