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
UtcMicros next_due_after(const Schedule& schedule, UtcMicros anchor, UtcMicros after,
                         const TimeZone& zone);

} // namespace mvs
