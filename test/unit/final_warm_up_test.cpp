// When a refresh worker warms a view's query up for the last time before its due time.
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "core/final_warm_up.hpp"

namespace {

constexpr std::int64_t kDue = 1'000'000'000;

TEST(FinalWarmUp, StartsTwiceAsLongAheadAsTheLastOneTook) {
    EXPECT_EQ(mvs::final_warm_up_start(kDue, kDue - 50'000, 800), kDue - 1600);
    EXPECT_EQ(mvs::final_warm_up_start(kDue, kDue - 50'000, 2500), kDue - 5000);
}

TEST(FinalWarmUp, AtLeastTheMinimumLeadAhead) {
    EXPECT_EQ(mvs::final_warm_up_start(kDue, kDue - 50'000, 0), kDue - 1000);
    EXPECT_EQ(mvs::final_warm_up_start(kDue, kDue - 50'000, 200), kDue - 1000);
}

TEST(FinalWarmUp, NotMeasuredCountsAsTheLongestAllowed) {
    EXPECT_EQ(mvs::final_warm_up_start(kDue, kDue - 50'000, mvs::kFinalWarmUpNotMeasured),
              kDue - 2 * mvs::kFinalWarmUpMaxMicros);
}

TEST(FinalWarmUp, NoneForAViewWhoseWarmUpTakesTooLong) {
    EXPECT_FALSE(mvs::final_warm_up_start(kDue, kDue - 50'000, mvs::kFinalWarmUpMaxMicros + 1));
    EXPECT_FALSE(
        mvs::final_warm_up_start(kDue, kDue - 50'000, std::numeric_limits<std::int64_t>::max()));
}

TEST(FinalWarmUp, NoneWhenItsStartIsNotAhead) {
    EXPECT_FALSE(mvs::final_warm_up_start(kDue, kDue - 1000, 100));
    EXPECT_TRUE(mvs::final_warm_up_start(kDue, kDue - 1001, 100));
    EXPECT_FALSE(mvs::final_warm_up_start(kDue, kDue, 100));
    EXPECT_FALSE(mvs::final_warm_up_start(kDue, kDue + 5, 100));
}

TEST(FinalWarmUp, DueTimesAtTheEndsOfTheRangeDoNotOverflow) {
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    EXPECT_FALSE(mvs::final_warm_up_start(kMin, kDue, 100));
    EXPECT_EQ(mvs::final_warm_up_start(kMax, kDue, 100), kMax - 1000);
    EXPECT_FALSE(mvs::final_warm_up_start(kMax, kMin, 100));
    EXPECT_FALSE(mvs::final_warm_up_start(kMax, -1, 100));
}

} // namespace
