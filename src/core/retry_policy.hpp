// Whether a schedule retries after a run ends, and after how long: retry_delay doubling per
// consecutive failure, saturating, at most max_retries times in a row. Pure functions on plain
// data. The wait is an interval in PostgreSQL's three parts, so that the server adds it to the
// run's end as PostgreSQL adds any interval (days on the calendar), and the retry is never later
// than the schedule's next due time (the shell takes the earlier of the two).
#pragma once

#include <cstdint>

namespace mvs {

// An interval as PostgreSQL keeps it. Plain data.
struct IntervalParts {
    std::int32_t months = 0;
    std::int32_t days = 0;
    std::int64_t micros = 0;
};

// PostgreSQL's interval order: a month counts 30 days, a day 24 hours. -1, 0 or 1.
int compare_intervals(const IntervalParts& a, const IntervalParts& b) noexcept;

// interval * factor as PostgreSQL computes it (fractions of months and days cascade down to days
// and microseconds), saturating where PostgreSQL would raise "interval out of range".
IntervalParts scale_interval(const IntervalParts& span, double factor) noexcept;

// retry_delay is at most 7 days (schedule_refresh refuses longer ones; a longer one written into
// the catalog counts as 7 days); it doubles at most 2^16 times; a retry waits 30 days at most.
constexpr int kMaxRetryDelayDays = 7;
constexpr int kMaxBackoffExponent = 16;
constexpr int kMaxBackoffDays = 30;

// The wait before the retry that follows `consecutive_failures` earlier failures in a row (0 for
// the first failure): LEAST(LEAST(retry_delay, 7 days) x 2^LEAST(consecutive_failures, 16),
// 30 days). Every value is taken, also those written by hand (a negative count halves).
IntervalParts retry_backoff(const IntervalParts& retry_delay,
                            std::int64_t consecutive_failures) noexcept;

// A run's end and its schedule, as the worker reads them. Plain data.
struct RunEnd {
    bool failed = false;
    bool manual = false;                   // refresh_now(): never retried
    bool has_next_run = false;             // a finished schedule is not retried
    std::int32_t consecutive_failures = 0; // before this run
    std::int32_t max_retries = 0;
};

// Whether the schedule retries after the run.
bool retries_after(const RunEnd& end) noexcept;

// consecutive_failures after the run: 0 after a success, one more after a failure (stopping at
// INT32_MAX), unchanged otherwise (an interrupted run).
std::int32_t consecutive_failures_after(std::int32_t before, bool succeeded, bool failed) noexcept;

} // namespace mvs
