// When a schedule is due.
#pragma once

#include "civil_time.hpp"
#include "schedule.hpp"
#include "time_zone.hpp"

namespace mvs {

// The first due time strictly after `after`.
//
// Interval schedules are a fixed grid: the n-th due time (n >= 0) is anchor + n x interval, so runs
// never drift whatever earlier runs took. An interval with months or days moves the wall clock in
// `zone` (a monthly grid anchored on the 31st uses the last day of shorter months and comes back to
// the 31st); the rest of it is elapsed time.
//
// Calendar schedules ignore the anchor: minutely and hourly fall on the zone's :00 seconds and
// minutes; daily at 00:00, weekly on Monday 00:00, monthly on the 1st, quarterly on Jan/Apr/Jul/Oct
// 1st, yearly on Jan 1st, all on the zone's wall clock.
//
// Cron schedules follow the zone's wall clock (see next_cron). A once schedule is due at the
// anchor only. Returns kNever when there is no further due time before kEndOfTime. Any anchor and
// `after` are taken (outside [kStartOfTime, kEndOfTime] as its ends), and every call is bounded:
// an interval of months or days takes at most 46 grid points (about 1,200 offset lookups), a word
// at most 17 from_local calls or 8 rounds, a cron line a few rounds of about 50 lookups in real
// zones (10,000 rounds at most, in any zone).
UtcMicros next_due_after(const Schedule& schedule, UtcMicros anchor, UtcMicros after,
                         const TimeZone& zone);

// A calendar word that repeats from a start time instead (as Django-Q does): "daily" from 05:34
// is every day at 05:34. Other schedules are returned as they are.
Schedule repeat_from_start(const Schedule& schedule) noexcept;

// A new schedule's grid and first due time. Without start_at, the anchor is `now` and the first
// due time the first one after it (once: `now`, at once). With start_at, words repeat from it, and
// the first due time is the first one at or after start_at that is not before `now`.
struct FirstRun {
    Schedule schedule;
    UtcMicros anchor = 0;
    UtcMicros first = 0; // kNever: none (a once schedule whose start_at has passed)
};
FirstRun first_run(const Schedule& schedule, bool has_start_at, UtcMicros start_at, UtcMicros now,
                   const TimeZone& zone);

// After the run due at `due` starts at `now`: missed due times are coalesced, so `next` is the
// first due time after both, and `skipped` counts the due times in (due, now] that were passed
// over (counting stops at kMaxCounted).
struct Advance {
    UtcMicros next = 0;
    std::int64_t skipped = 0;
};
constexpr std::int64_t kMaxCounted = 100000;
Advance advance_after_run(const Schedule& schedule, UtcMicros anchor, UtcMicros due, UtcMicros now,
                          const TimeZone& zone);

} // namespace mvs
