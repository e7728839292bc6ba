// Retries after a failed run: doubling from retry_delay, saturating, the bounds, max_retries.
#include <cstdint>

#include <gtest/gtest.h>

#include "core/retry_policy.hpp"
#include "test_support.hpp"

namespace {

using mvs::kNever;
using mvs::RunEnd;
using mvs::UtcMicros;
using mvs_test::kDay;
using mvs_test::kSecond;
using mvs_test::utc;

TEST(RetryPolicy, DelayDoublesFromRetryDelay) {
    EXPECT_EQ(mvs::retry_backoff(30 * kSecond, 0), 30 * kSecond);
    EXPECT_EQ(mvs::retry_backoff(30 * kSecond, 1), 60 * kSecond);
    EXPECT_EQ(mvs::retry_backoff(30 * kSecond, 2), 120 * kSecond);
    EXPECT_EQ(mvs::retry_backoff(1, 16), 65536);
}

TEST(RetryPolicy, DoublingStopsAt2To16) {
    EXPECT_EQ(mvs::retry_backoff(1, 17), 65536);
    EXPECT_EQ(mvs::retry_backoff(1, INT32_MAX), 65536);
    EXPECT_EQ(mvs::retry_backoff(1, INT64_MAX), 65536);
}

TEST(RetryPolicy, WaitIsAtMost30Days) {
    EXPECT_EQ(mvs::retry_backoff(kDay, 4), 16 * kDay);
    EXPECT_EQ(mvs::retry_backoff(kDay, 5), 30 * kDay);
    EXPECT_EQ(mvs::retry_backoff(7 * kDay, 16), 30 * kDay);
}

TEST(RetryPolicy, RetryDelayCountsAsAtMost7Days) {
    EXPECT_EQ(mvs::retry_backoff(7 * kDay, 0), 7 * kDay);
    EXPECT_EQ(mvs::retry_backoff(8 * kDay, 0), 7 * kDay);
    EXPECT_EQ(mvs::retry_backoff(INT64_MAX, 0), 7 * kDay);
    EXPECT_EQ(mvs::retry_backoff(INT64_MAX, INT64_MAX), 30 * kDay);
}

TEST(RetryPolicy, HandWrittenNegativeValuesSaturate) {
    EXPECT_EQ(mvs::retry_backoff(30 * kSecond, -1), 15 * kSecond);
    EXPECT_EQ(mvs::retry_backoff(3, -1), 2); // 1.5 rounds to even
    EXPECT_EQ(mvs::retry_backoff(30 * kSecond, INT64_MIN), 0);
    EXPECT_EQ(mvs::retry_backoff(-kSecond, 3), -8 * kSecond);
    EXPECT_EQ(mvs::retry_backoff(INT64_MIN, 16), INT64_MIN);
}

RunEnd failed_end(std::int32_t consecutive, std::int32_t max_retries) {
    RunEnd e;
    e.failed = true;
    e.consecutive_failures = consecutive;
    e.max_retries = max_retries;
    e.retry_delay_micros = 30 * kSecond;
    e.finished = utc(2026, 3, 1, 12);
    e.next_run = utc(2026, 3, 2);
    return e;
}

TEST(RetryPolicy, FailureRetriesAfterTheBackoff) {
    EXPECT_EQ(mvs::next_run_after_end(failed_end(0, 3)), utc(2026, 3, 1, 12, 0, 30));
    EXPECT_EQ(mvs::next_run_after_end(failed_end(2, 3)), utc(2026, 3, 1, 12, 2));
}

TEST(RetryPolicy, AtMostMaxRetriesInARow) {
    EXPECT_EQ(mvs::next_run_after_end(failed_end(3, 3)), utc(2026, 3, 2));
    EXPECT_EQ(mvs::next_run_after_end(failed_end(0, 0)), utc(2026, 3, 2)); // max_retries 0
    // max_retries 100: the 100th retry still comes, on the 30-day cap, never after next_run.
    RunEnd e = failed_end(99, 100);
    e.retry_delay_micros = 60 * kSecond; // x 2^16: 45 days, capped
    e.next_run = utc(2027, 1, 1);
    EXPECT_EQ(mvs::next_run_after_end(e), utc(2026, 3, 31, 12));
    EXPECT_EQ(mvs::next_run_after_end(failed_end(100, 100)), utc(2026, 3, 2));
    EXPECT_EQ(mvs::next_run_after_end(failed_end(INT32_MAX, 100)), utc(2026, 3, 2));
}

TEST(RetryPolicy, RetryNeverComesAfterTheNextDueTime) {
    RunEnd e = failed_end(10, 100); // 30 s x 1024 = 8.5 h
    e.next_run = utc(2026, 3, 1, 13);
    EXPECT_EQ(mvs::next_run_after_end(e), utc(2026, 3, 1, 13));
}

TEST(RetryPolicy, NoRetryForSuccessManualRunsOrFinishedSchedules) {
    RunEnd ok = failed_end(0, 3);
    ok.failed = false;
    EXPECT_EQ(mvs::next_run_after_end(ok), utc(2026, 3, 2));
    RunEnd manual = failed_end(0, 3);
    manual.manual = true;
    EXPECT_EQ(mvs::next_run_after_end(manual), utc(2026, 3, 2));
    RunEnd finished = failed_end(0, 3);
    finished.next_run = kNever;
    EXPECT_EQ(mvs::next_run_after_end(finished), kNever);
}

TEST(RetryPolicy, RetryNearTheEndOfTimeSaturates) {
    RunEnd e = failed_end(0, 3);
    e.finished = INT64_MAX - kSecond;
    e.next_run = INT64_MAX - 1;
    EXPECT_EQ(mvs::next_run_after_end(e), INT64_MAX - 1);
    e.retry_delay_micros = INT64_MIN;
    e.finished = INT64_MIN + 1;
    EXPECT_EQ(mvs::next_run_after_end(e), INT64_MIN);
}

TEST(RetryPolicy, ConsecutiveFailuresCount) {
    EXPECT_EQ(mvs::consecutive_failures_after(5, true, false), 0);
    EXPECT_EQ(mvs::consecutive_failures_after(5, false, true), 6);
    EXPECT_EQ(mvs::consecutive_failures_after(INT32_MAX, false, true), INT32_MAX);
    EXPECT_EQ(mvs::consecutive_failures_after(5, false, false), 5); // interrupted
}

} // namespace
