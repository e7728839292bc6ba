// When a schedule retries after a failed run: retry_delay doubling per consecutive failure,
// saturating, never after the next due time, at most max_retries times in a row. Pure functions
// on plain data; instants are UtcMicros, kNever meaning "no due time".
#pragma once

#include <cstdint>

#include "civil_time.hpp"

namespace mvs {

// retry_delay is at most 7 days (schedule_refresh refuses longer ones); a longer one written into
// the catalog counts as 7 days. It doubles at most 2^16 times, and a retry waits 30 days at most.
constexpr std::int64_t kMaxRetryDelayMicros = 7 * kMicrosPerDay;
constexpr int kMaxBackoffExponent = 16;
constexpr std::int64_t kMaxBackoffMicros = 30 * kMicrosPerDay;

// The wait before the retry that follows `consecutive_failures` earlier failures in a row (0 for
// the first failure): retry_delay x 2^consecutive_failures, within the bounds above. Every value
// is taken, also negative ones written by hand (a negative count halves, as PostgreSQL's
// interval * power(2, n) does; a negative delay stays negative and saturates).
std::int64_t retry_backoff(std::int64_t retry_delay_micros,
                           std::int64_t consecutive_failures) noexcept;

// A schedule's state when one of its runs ends. Plain data.
struct RunEnd {
    bool failed = false;
    bool manual = false;                   // refresh_now(): never retried, its schedule unchanged
    UtcMicros next_run = kNever;           // the schedule's next due time (kNever: finished)
    std::int32_t consecutive_failures = 0; // before this run
    std::int32_t max_retries = 0;
    std::int64_t retry_delay_micros = 0;
    UtcMicros finished = 0; // when the run ended
};

// The schedule's next due time after the run: a retry when it failed and may retry (never after
// the due time it already has), otherwise next_run unchanged.
UtcMicros next_run_after_end(const RunEnd& end) noexcept;

// consecutive_failures after the run: 0 after a success, one more after a failure (stopping at
// INT32_MAX), unchanged otherwise (an interrupted run).
std::int32_t consecutive_failures_after(std::int32_t before, bool succeeded, bool failed) noexcept;

} // namespace mvs
