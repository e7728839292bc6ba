// Retries after a failed run: doubling from retry_delay, saturating, the bounds, max_retries.
// Expected intervals are what PostgreSQL's own expression gives:
// LEAST(LEAST(retry_delay, '7 days') * power(2, LEAST(consecutive_failures, 16)), '30 days').
#include <cstdint>

#include <gtest/gtest.h>

#include "core/retry_policy.hpp"

namespace {

using mvs::IntervalParts;

constexpr std::int64_t kSecond = 1000000;
constexpr std::int64_t kHour = 3600 * kSecond;

IntervalParts iv(std::int32_t months, std::int32_t days, std::int64_t micros) {
    IntervalParts i;
    i.months = months;
    i.days = days;
    i.micros = micros;
    return i;
}

void expect_interval(const IntervalParts& got, const IntervalParts& want) {
    EXPECT_EQ(got.months, want.months);
    EXPECT_EQ(got.days, want.days);
    EXPECT_EQ(got.micros, want.micros);
}

TEST(RetryPolicy, IntervalsCompareAsPostgreSQLDoes) {
    EXPECT_EQ(mvs::compare_intervals(iv(1, 0, 0), iv(0, 30, 0)), 0);
    EXPECT_EQ(mvs::compare_intervals(iv(0, 1, 0), iv(0, 0, 24 * kHour)), 0);
    EXPECT_EQ(mvs::compare_intervals(iv(0, 7, 1), iv(0, 7, 0)), 1);
    EXPECT_EQ(mvs::compare_intervals(iv(INT32_MIN, INT32_MIN, INT64_MIN),
                                     iv(INT32_MAX, INT32_MAX, INT64_MAX)),
              -1);
}

TEST(RetryPolicy, DelayDoublesFromRetryDelay) {
    expect_interval(mvs::retry_backoff(iv(0, 0, 30 * kSecond), 0), iv(0, 0, 30 * kSecond));
    expect_interval(mvs::retry_backoff(iv(0, 0, 30 * kSecond), 1), iv(0, 0, 60 * kSecond));
    expect_interval(mvs::retry_backoff(iv(0, 0, 30 * kSecond), 2), iv(0, 0, 120 * kSecond));
    expect_interval(mvs::retry_backoff(iv(0, 1, 0), 3), iv(0, 8, 0)); // calendar days stay days
}

TEST(RetryPolicy, DoublingStopsAt2To16) {
    expect_interval(mvs::retry_backoff(iv(0, 0, 1), 16), iv(0, 0, 65536));
    expect_interval(mvs::retry_backoff(iv(0, 0, 1), 17), iv(0, 0, 65536));
    expect_interval(mvs::retry_backoff(iv(0, 0, 1), INT32_MAX), iv(0, 0, 65536));
    expect_interval(mvs::retry_backoff(iv(0, 0, 1), INT64_MAX), iv(0, 0, 65536));
}

TEST(RetryPolicy, WaitIsAtMost30Days) {
    expect_interval(mvs::retry_backoff(iv(0, 1, 0), 4), iv(0, 16, 0));
    expect_interval(mvs::retry_backoff(iv(0, 1, 0), 5), iv(0, 30, 0));
    expect_interval(mvs::retry_backoff(iv(0, 0, 30 * kSecond), 16), iv(0, 0, 1966080 * kSecond));
    expect_interval(mvs::retry_backoff(iv(0, 0, 60 * kSecond), 16), iv(0, 30, 0));
    // Equal to the cap: the doubled delay itself (LEAST keeps the first of equals).
    expect_interval(mvs::retry_backoff(iv(0, 0, 90 * kHour), 3), iv(0, 0, 720 * kHour));
}

TEST(RetryPolicy, RetryDelayCountsAsAtMost7Days) {
    expect_interval(mvs::retry_backoff(iv(0, 7, 0), 0), iv(0, 7, 0));
    expect_interval(mvs::retry_backoff(iv(0, 0, 168 * kHour), 0), iv(0, 0, 168 * kHour));
    expect_interval(mvs::retry_backoff(iv(0, 8, 0), 0), iv(0, 7, 0));
    expect_interval(mvs::retry_backoff(iv(1, 0, 0), 0), iv(0, 7, 0));
    expect_interval(mvs::retry_backoff(iv(INT32_MAX, INT32_MAX, INT64_MAX), 0), iv(0, 7, 0));
    expect_interval(mvs::retry_backoff(iv(INT32_MAX, INT32_MAX, INT64_MAX), INT64_MAX),
                    iv(0, 30, 0));
}

TEST(RetryPolicy, HandWrittenNegativeCountsHalve) {
    expect_interval(mvs::retry_backoff(iv(0, 0, 30 * kSecond), -1), iv(0, 0, 15 * kSecond));
    expect_interval(mvs::retry_backoff(iv(0, 0, 3), -1), iv(0, 0, 2)); // 1.5 rounds to even
    expect_interval(mvs::retry_backoff(iv(0, 1, 0), -1), iv(0, 0, 12 * kHour));
    expect_interval(mvs::retry_backoff(iv(0, 0, 30 * kSecond), INT64_MIN), iv(0, 0, 0));
}

TEST(RetryPolicy, HandWrittenNegativeDelaysSaturate) {
    expect_interval(mvs::retry_backoff(iv(0, 0, -kSecond), 3), iv(0, 0, -8 * kSecond));
    // PostgreSQL raises "interval out of range" here; the policy saturates instead.
    const IntervalParts far_back = mvs::retry_backoff(iv(INT32_MIN, 0, 0), 16);
    EXPECT_EQ(far_back.months, INT32_MIN);
    EXPECT_EQ(far_back.days, INT32_MIN); // the months' fraction cascades into days
    expect_interval(mvs::retry_backoff(iv(0, 0, INT64_MIN), 16), iv(0, 0, INT64_MIN));
}

TEST(RetryPolicy, ScalingCascadesFractionsDown) {
    expect_interval(mvs::scale_interval(iv(1, 0, 0), 0.5), iv(0, 15, 0));
    expect_interval(mvs::scale_interval(iv(1, 1, 0), 0.5), iv(0, 15, 12 * kHour));
    expect_interval(mvs::scale_interval(iv(3, 0, 0), 0.25), iv(0, 22, 12 * kHour));
}

mvs::RunEnd failed_end(std::int32_t consecutive, std::int32_t max_retries) {
    mvs::RunEnd e;
    e.failed = true;
    e.has_next_run = true;
    e.consecutive_failures = consecutive;
    e.max_retries = max_retries;
    return e;
}

TEST(RetryPolicy, AtMostMaxRetriesInARow) {
    EXPECT_TRUE(mvs::retries_after(failed_end(0, 3)));
    EXPECT_TRUE(mvs::retries_after(failed_end(2, 3)));
    EXPECT_FALSE(mvs::retries_after(failed_end(3, 3)));
    EXPECT_FALSE(mvs::retries_after(failed_end(0, 0))); // max_retries 0
    EXPECT_TRUE(mvs::retries_after(failed_end(99, 100)));
    EXPECT_FALSE(mvs::retries_after(failed_end(100, 100)));
    EXPECT_FALSE(mvs::retries_after(failed_end(INT32_MAX, 100)));
    EXPECT_TRUE(mvs::retries_after(failed_end(INT32_MIN, 0))); // written by hand
}

TEST(RetryPolicy, NoRetryForSuccessManualRunsOrFinishedSchedules) {
    mvs::RunEnd ok = failed_end(0, 3);
    ok.failed = false;
    EXPECT_FALSE(mvs::retries_after(ok));
    mvs::RunEnd manual = failed_end(0, 3);
    manual.manual = true;
    EXPECT_FALSE(mvs::retries_after(manual));
    mvs::RunEnd finished = failed_end(0, 3);
    finished.has_next_run = false;
    EXPECT_FALSE(mvs::retries_after(finished));
}

TEST(RetryPolicy, ConsecutiveFailuresCount) {
    EXPECT_EQ(mvs::consecutive_failures_after(5, true, false), 0);
    EXPECT_EQ(mvs::consecutive_failures_after(5, false, true), 6);
    EXPECT_EQ(mvs::consecutive_failures_after(INT32_MAX, false, true), INT32_MAX);
    EXPECT_EQ(mvs::consecutive_failures_after(5, false, false), 5); // interrupted
}

} // namespace
