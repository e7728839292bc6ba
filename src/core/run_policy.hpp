// What the scheduler does with one due schedule at `now`: start a run, skip the due time, wait
// for a place, or leave it for later; and where the schedule goes next. Pure functions on plain
// data and an injected clock; instants are UtcMicros, kNever meaning "no due time".
#pragma once

#include <cstdint>

#include "civil_time.hpp"
#include "next_run.hpp"
#include "schedule.hpp"
#include "time_zone.hpp"

namespace mvs {

// A due schedule as the scheduler sees it. Plain data.
struct DueFacts {
    UtcMicros next_run = 0; // its due time (it may lie a little after now: runs are handed over
                            // early, to start on the dot)
    bool has_until = false;
    UtcMicros until = 0;
    bool has_repeats = false;
    std::int32_t repeats = 0;
    std::int64_t runs_total = 0; // runs started so far (counters written by hand included)
    bool busy = false;           // its previous run is still going or waiting for a worker
    bool place_free = false;     // a worker place is free for it, and its role is under its cap
};

enum class DueAction : std::uint8_t {
    Later,      // its previous run is still going and it is not due yet: look again when it is
    NeedsPlace, // it would run, but no place is free: it waits (and is not moved on)
    Run,        // a run starts at `at`
    Skip,       // the due time passes without a run (the previous run is still going, or the
                // run would start after until)
};

struct DueDecision {
    DueAction action = DueAction::Later;
    UtcMicros at = 0;      // the run's start: the due time, or now if that is later
    bool too_late = false; // Skip: the start would be after until, so the schedule is finished
};

// Whether a schedule is due by `horizon` (now plus the hand-over lead): not paused, and not
// finished (next_run kNever).
bool schedule_due(UtcMicros next_run, bool paused, UtcMicros horizon) noexcept;

// Missed due times are never queued: one that finds its previous run going is skipped.
DueDecision decide_due(const DueFacts& due, UtcMicros now) noexcept;

// Where the schedule goes after `advanced` (the first due time after the run or skip, from
// advance_after_run): kNever when repeats (counting a run starting now) or until end it.
UtcMicros next_run_after(const DueFacts& due, bool runs_now, UtcMicros advanced) noexcept;

// The schedule's next due time and the due times coalesced away, for a Run or a Skip decision
// and the advance computed at decision.at. A Skip counts its own due time as skipped too.
struct DueOutcome {
    UtcMicros next_run = kNever;
    std::int64_t skipped = 0;
};
DueOutcome settle_due(const DueFacts& due, const DueDecision& decision,
                      const Advance& advance) noexcept;

// Where the schedule goes after a due time (a Run or NeedsPlace decision) passed without a run
// because nothing its view reads changed (only_if_changed): as a run, but no run counts toward
// repeats; the due times coalesced before it count as skipped.
DueOutcome settle_unchanged(const DueFacts& due, const Advance& advance) noexcept;
// An 'on change' schedule with nothing changed waits at its next_run for a change (nothing
// skipped); past its until it is finished.
DueOutcome settle_waiting_for_change(const DueFacts& due, UtcMicros now) noexcept;

// The same, computing the advance from the schedule itself (advance_after_run at decision.at).
DueOutcome settle_due(const DueFacts& due, const DueDecision& decision, const Schedule& schedule,
                      UtcMicros anchor, const TimeZone& zone);

} // namespace mvs
