// How often a finished run trims its view's history.
#include <climits>
#include <cstdint>

#include <gtest/gtest.h>

#include "core/history_trim.hpp"

namespace {

TEST(HistoryTrim, EveryASixteenthOfWhatIsKeptBetweenOneAndSixtyFour) {
    EXPECT_EQ(mvs::trim_every(1), 1);
    EXPECT_EQ(mvs::trim_every(3), 1);
    EXPECT_EQ(mvs::trim_every(16), 1);
    EXPECT_EQ(mvs::trim_every(32), 2);
    EXPECT_EQ(mvs::trim_every(1000), 62);
    EXPECT_EQ(mvs::trim_every(1024), 64);
    EXPECT_EQ(mvs::trim_every(INT_MAX), mvs::kMaxTrimEvery);
    EXPECT_EQ(mvs::trim_every(0), 1);
    EXPECT_EQ(mvs::trim_every(-5), 1);
}

TEST(HistoryTrim, ScheduledRunsTrimOnTheMultiples) {
    int trims = 0;
    for (std::int64_t n = 1; n <= 620; ++n)
        trims += mvs::trim_due(true, n, 1000) ? 1 : 0;
    EXPECT_EQ(trims, 10);
    EXPECT_TRUE(mvs::trim_due(true, 62, 1000));
    EXPECT_FALSE(mvs::trim_due(true, 63, 1000));
    // Small histories stay exact: every run trims.
    for (std::int64_t n = 1; n <= 20; ++n)
        EXPECT_TRUE(mvs::trim_due(true, n, 3));
}

TEST(HistoryTrim, OtherRunsAlwaysTrim) {
    // refresh_now()'s runs do not move runs_total: a paused schedule refreshed by hand still
    // trims.
    EXPECT_TRUE(mvs::trim_due(false, 63, 1000));
    EXPECT_TRUE(mvs::trim_due(false, 0, 1000));
    // A count that was reset (the schedule replaced) or never moved.
    EXPECT_TRUE(mvs::trim_due(true, 0, 1000));
    EXPECT_TRUE(mvs::trim_due(true, -1, 1000));
    EXPECT_TRUE(mvs::trim_due(true, INT64_MAX - INT64_MAX % 64, 1024));
}

} // namespace
