#include <algorithm>
#include <cstdint>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/next_run.hpp"
#include "core/schedule.hpp"
#include "core/time_zone.hpp"
#include "test_support.hpp"

namespace {

using mvs::CalendarUnit;
using mvs::CivilTime;
using mvs::IntervalSpec;
using mvs::Schedule;
using mvs::ScheduleKind;
using mvs::UtcMicros;
using mvs_test::calendar;
using mvs_test::civil;
using mvs_test::every;
using mvs_test::kDay;
using mvs_test::kHour;
using mvs_test::kMinute;
using mvs_test::kSecond;
using mvs_test::show;
using mvs_test::SystemZone;
using mvs_test::utc;

const char* unit_name(CalendarUnit unit) {
    switch (unit) {
    case CalendarUnit::Minute:
        return "Minute";
    case CalendarUnit::Hour:
        return "Hour";
    case CalendarUnit::Day:
        return "Day";
    case CalendarUnit::Week:
        return "Week";
    case CalendarUnit::Month:
        return "Month";
    case CalendarUnit::Quarter:
        return "Quarter";
    case CalendarUnit::Year:
        return "Year";
    }
    return "?";
}

std::string zone_id(const char* zone) {
    std::string name = zone;
    for (char& c : name)
        if (!isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return name;
}

const mvs::FixedOffsetZone kUtc(0);

// ============================================================================================
// Interval schedules
// ============================================================================================

// --- a 30 second grid: strictly after, before the anchor, far after it -----------------------

struct GridCase {
    std::int64_t after_minus_anchor;
    std::int64_t due_minus_anchor;
};

class ThirtySecondGridTest : public ::testing::TestWithParam<GridCase> {};

TEST_P(ThirtySecondGridTest, InAnyZone) {
    const UtcMicros anchor = utc(2024, 5, 1, 12, 0, 0, 123456);
    const SystemZone berlin("Europe/Berlin");
    const SystemZone lord_howe("Australia/Lord_Howe");
    const Schedule s = every(0, 0, 30 * kSecond);
    const UtcMicros after = anchor + GetParam().after_minus_anchor;
    const UtcMicros due = anchor + GetParam().due_minus_anchor;
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, after, kUtc), due);
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, after, berlin), due);
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, after, lord_howe), due);
}

constexpr std::int64_t k30s = 30 * kSecond;

INSTANTIATE_TEST_SUITE_P(
    NextRun, ThirtySecondGridTest,
    ::testing::Values(
        // Before the anchor: the anchor itself is the first due time.
        GridCase{-1, 0}, GridCase{-k30s, 0}, GridCase{-10 * kDay, 0},
        // Strictly after: a due time equal to `after` is not returned again.
        GridCase{0, k30s}, GridCase{1, k30s}, GridCase{k30s - 1, k30s}, GridCase{k30s, 2 * k30s},
        GridCase{k30s + 1, 2 * k30s}, GridCase{7 * k30s + 15 * kSecond, 8 * k30s},
        // Coalescing: long after the anchor, the first grid point after `after`, never a past one.
        GridCase{1000000 * k30s + 5, 1000001 * k30s}, GridCase{1000000 * k30s, 1000001 * k30s},
        GridCase{3650 * kDay + 1, 3650 * kDay + k30s}));

// --- 90 minutes: elapsed time, whatever the wall clock does ----------------------------------

TEST(NextRun, NinetyMinutesIsElapsedTimeAcrossDst) {
    const SystemZone berlin("Europe/Berlin");
    const Schedule s = every(0, 0, 90 * kMinute);
    const UtcMicros anchor = utc(2024, 3, 30, 22);
    const std::vector<UtcMicros> expected = {utc(2024, 3, 30, 23, 30), utc(2024, 3, 31, 1),
                                             utc(2024, 3, 31, 2, 30), utc(2024, 3, 31, 4),
                                             utc(2024, 3, 31, 5, 30)};
    UtcMicros t = anchor;
    for (const UtcMicros e : expected) {
        t = mvs::next_due_after(s, anchor, t, berlin);
        EXPECT_INSTANT_EQ(t, e);
    }
    // And across the autumn change, from an anchor months earlier.
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 10, 27, 0, 59), berlin),
                      utc(2024, 10, 27, 1));
}

// --- one day: the wall-clock time stays, through both DST changes ----------------------------

TEST(NextRun, DailyIntervalKeepsTheWallClockTimeAcrossDst) {
    const SystemZone berlin("Europe/Berlin");
    const Schedule s = every(0, 1, 0);
    const UtcMicros anchor = utc(2024, 3, 25, 4, 34); // 05:34 CET
    UtcMicros t = anchor;
    CivilTime expected = civil(2024, 3, 25, 5, 34);
    for (int i = 0; i < 400; ++i) {
        t = mvs::next_due_after(s, anchor, t, berlin);
        expected = mvs::add_days(expected, 1);
        ASSERT_EQ(mvs::to_local(berlin, t), expected) << "step " << i << ": " << show(t);
    }
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 3, 31), berlin),
                      utc(2024, 3, 31, 3, 34)); // 05:34 CEST
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 3, 30, 4, 34), berlin),
                      utc(2024, 3, 31, 3, 34));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 10, 27, 3, 34), berlin),
                      utc(2024, 10, 27, 4, 34)); // 05:34 CET
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 10, 27, 4, 34), berlin),
                      utc(2024, 10, 28, 4, 34));
}

// A daily grid whose wall time falls into the spring-forward gap on one day runs at the
// transition that day and is back at its time the day after; in the fall-back overlap it runs
// at the first occurrence.
TEST(NextRun, DailyIntervalThroughTheGapAndTheOverlap) {
    const SystemZone berlin("Europe/Berlin");
    const Schedule s = every(0, 1, 0);
    const UtcMicros anchor = utc(2024, 3, 29, 1, 30); // 02:30 CET
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, anchor, berlin), utc(2024, 3, 30, 1, 30));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 3, 30, 1, 30), berlin),
                      utc(2024, 3, 31, 1)); // 02:30 does not exist: 03:00 CEST
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 3, 31, 1), berlin),
                      utc(2024, 4, 1, 0, 30)); // 02:30 CEST
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 10, 26, 0, 30), berlin),
                      utc(2024, 10, 27, 0, 30)); // the first 02:30
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 10, 27, 0, 30), berlin),
                      utc(2024, 10, 28, 1, 30)); // not the second 02:30
}

// --- months: clamped to short months, never creeping -----------------------------------------

TEST(NextRun, MonthlyIntervalFromJanuary31) {
    const Schedule s = every(1, 0, 0);
    const UtcMicros anchor = utc(2023, 1, 31, 10);
    const std::vector<UtcMicros> expected = {
        utc(2023, 2, 28, 10),  utc(2023, 3, 31, 10),  utc(2023, 4, 30, 10),  utc(2023, 5, 31, 10),
        utc(2023, 6, 30, 10),  utc(2023, 7, 31, 10),  utc(2023, 8, 31, 10),  utc(2023, 9, 30, 10),
        utc(2023, 10, 31, 10), utc(2023, 11, 30, 10), utc(2023, 12, 31, 10), utc(2024, 1, 31, 10),
        utc(2024, 2, 29, 10),  utc(2024, 3, 31, 10),  utc(2024, 4, 30, 10)};
    UtcMicros t = anchor;
    for (const UtcMicros e : expected) {
        t = mvs::next_due_after(s, anchor, t, kUtc);
        ASSERT_INSTANT_EQ(t, e);
    }
    // Asked directly rather than step by step: the same points.
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2023, 3, 1), kUtc), utc(2023, 3, 31, 10));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 2, 29, 10), kUtc),
                      utc(2024, 3, 31, 10));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 2, 29, 9, 59, 59, 999999), kUtc),
                      utc(2024, 2, 29, 10));
    // Years later (coalescing): still the 31st where the month has one.
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2031, 7, 15), kUtc), utc(2031, 7, 31, 10));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2031, 7, 31, 10), kUtc),
                      utc(2031, 8, 31, 10));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2100, 2, 1), kUtc), utc(2100, 2, 28, 10));
}

TEST(NextRun, MonthlyIntervalFromJanuary31InANonLeapYear) {
    const Schedule s = every(1, 0, 0);
    const UtcMicros anchor = utc(2025, 1, 31, 0, 0, 0, 1);
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, anchor, kUtc), utc(2025, 2, 28, 0, 0, 0, 1));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2025, 2, 28, 0, 0, 0, 1), kUtc),
                      utc(2025, 3, 31, 0, 0, 0, 1));
}

TEST(NextRun, MonthlyIntervalKeepsTheWallClockTimeInBerlin) {
    const SystemZone berlin("Europe/Berlin");
    const Schedule s = every(1, 0, 0);
    const UtcMicros anchor = utc(2024, 1, 31, 11); // 12:00 CET
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, anchor, berlin), utc(2024, 2, 29, 11));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 2, 29, 11), berlin),
                      utc(2024, 3, 31, 10)); // 12:00 CEST
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 3, 31, 10), berlin),
                      utc(2024, 4, 30, 10));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 10, 31, 10), berlin),
                      utc(2024, 10, 31, 11)); // 12:00 CET again
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 10, 31, 11), berlin),
                      utc(2024, 11, 30, 11));
}

TEST(NextRun, QuarterlyAndYearlyIntervals) {
    const UtcMicros anchor = utc(2024, 2, 29, 6);
    EXPECT_INSTANT_EQ(mvs::next_due_after(every(3, 0, 0), anchor, anchor, kUtc),
                      utc(2024, 5, 29, 6));
    EXPECT_INSTANT_EQ(mvs::next_due_after(every(12, 0, 0), anchor, anchor, kUtc),
                      utc(2025, 2, 28, 6));
    EXPECT_INSTANT_EQ(mvs::next_due_after(every(12, 0, 0), anchor, utc(2027, 3, 1), kUtc),
                      utc(2028, 2, 29, 6));
    EXPECT_INSTANT_EQ(mvs::next_due_after(every(48, 0, 0), anchor, anchor, kUtc),
                      utc(2028, 2, 29, 6));
}

// --- mixed intervals: months and days on the wall clock, the rest elapsed --------------------

TEST(NextRun, DaysPlusHoursInBerlin) {
    const SystemZone berlin("Europe/Berlin");
    const Schedule s = every(0, 1, 2 * kHour);
    const UtcMicros anchor = utc(2024, 3, 29, 23); // Mar 30 00:00 CET
    // n-th point: (anchor's wall clock + n days) + n * 2 hours.
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, anchor, berlin), utc(2024, 3, 31, 1));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 3, 31, 1), berlin),
                      utc(2024, 4, 1, 2));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 4, 1, 1, 59), berlin),
                      utc(2024, 4, 1, 2));
}

TEST(NextRun, MonthPlusHalfADayInUtc) {
    const Schedule s = every(1, 0, 12 * kHour);
    const UtcMicros anchor = utc(2024, 1, 31);
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, anchor, kUtc), utc(2024, 2, 29, 12));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 2, 29, 12), kUtc), utc(2024, 4, 1));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, utc(2024, 4, 1), kUtc), utc(2024, 5, 1, 12));
}

// --- properties ------------------------------------------------------------------------------

// A micros-only grid: due = anchor + k * step with k >= 0, due > after, and due - step <= after.
TEST(NextRun, ElapsedGridProperty) {
    std::mt19937_64 rng(1234);
    std::uniform_int_distribution<UtcMicros> anchors(utc(2020, 1, 1), utc(2026, 1, 1));
    std::uniform_int_distribution<std::int64_t> steps(kSecond, 10 * kDay);
    std::uniform_int_distribution<std::int64_t> offsets(-400 * kDay, 5 * 366 * kDay);
    const SystemZone lord_howe("Australia/Lord_Howe");
    for (int i = 0; i < 20000; ++i) {
        const UtcMicros anchor = anchors(rng);
        std::int64_t step = steps(rng);
        if (i % 4 == 0)
            step = step / kSecond * kSecond; // whole seconds, as intervals usually are
        const UtcMicros after = anchor + offsets(rng);
        const mvs::TimeZone& zone =
            i % 2 == 0 ? static_cast<const mvs::TimeZone&>(kUtc) : lord_howe;
        const UtcMicros due = mvs::next_due_after(every(0, 0, step), anchor, after, zone);
        ASSERT_GT(due, after) << i;
        ASSERT_GE(due, anchor) << i;
        ASSERT_EQ((due - anchor) % step, 0) << i;
        if (due > anchor)
            ASSERT_LE(due - step, after) << i;
        else
            ASSERT_LT(after, anchor) << i;
    }
}

// The n-th point of a months/days grid in UTC, computed with libc alone: the anchor's date moved
// by n x months (the day clamped to the month's length), then by n x days, at the anchor's time
// of day, plus n x micros.
int month_length(std::int64_t year, int month) {
    static const int kLength[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kLength[month - 1];
}

UtcMicros libc_grid_point(UtcMicros anchor, const IntervalSpec& e, std::int64_t n) {
    const std::int64_t secs = mvs_test::floor_div(anchor, kSecond);
    const std::int64_t micro = anchor - secs * kSecond;
    const std::time_t tt = static_cast<std::time_t>(secs);
    std::tm a{};
    gmtime_r(&tt, &a);
    const std::int64_t index = (a.tm_year + 1900LL) * 12 + a.tm_mon + n * e.months;
    const std::int64_t year = mvs_test::floor_div(index, 12);
    const int month = static_cast<int>(index - year * 12) + 1;
    std::tm t{};
    t.tm_year = static_cast<int>(year - 1900);
    t.tm_mon = month - 1;
    t.tm_mday = std::min(a.tm_mday, month_length(year, month)) + static_cast<int>(n * e.days);
    t.tm_hour = a.tm_hour;
    t.tm_min = a.tm_min;
    t.tm_sec = a.tm_sec;
    return static_cast<UtcMicros>(timegm(&t)) * kSecond + micro + n * e.micros;
}

struct WallGridCase {
    IntervalSpec every;
    int anchor_day;
};

class WallGridPropertyTest : public ::testing::TestWithParam<WallGridCase> {};

TEST_P(WallGridPropertyTest, MatchesLibcInUtc) {
    const IntervalSpec e = GetParam().every;
    std::mt19937_64 rng(
        static_cast<std::uint64_t>(e.months * 1000 + e.days * 10 + GetParam().anchor_day));
    std::uniform_int_distribution<int> months(1, 12);
    std::uniform_int_distribution<std::int64_t> time_of_day(0, kDay - 1);
    std::uniform_int_distribution<std::int64_t> offsets(-60 * kDay, 15 * 366 * kDay);
    for (int i = 0; i < 150; ++i) {
        const int month = months(rng);
        const int day = std::min(GetParam().anchor_day, month_length(2022, month));
        const UtcMicros anchor = utc(2022, month, day) + time_of_day(rng);
        const UtcMicros after = anchor + offsets(rng);
        UtcMicros expected = 0;
        for (std::int64_t n = 0;; ++n) {
            expected = libc_grid_point(anchor, e, n);
            if (expected > after)
                break;
        }
        ASSERT_INSTANT_EQ(
            mvs::next_due_after(every(e.months, e.days, e.micros), anchor, after, kUtc), expected)
            << "anchor " << show(anchor) << ", after " << show(after);
    }
}

INSTANTIATE_TEST_SUITE_P(
    NextRun, WallGridPropertyTest,
    ::testing::Values(WallGridCase{{1, 0, 0}, 31}, WallGridCase{{1, 0, 0}, 30},
                      WallGridCase{{1, 0, 0}, 29}, WallGridCase{{1, 0, 0}, 28},
                      WallGridCase{{2, 0, 0}, 31}, WallGridCase{{3, 0, 0}, 31},
                      WallGridCase{{12, 0, 0}, 29}, WallGridCase{{13, 0, 0}, 31},
                      WallGridCase{{0, 1, 0}, 15}, WallGridCase{{0, 7, 0}, 31},
                      WallGridCase{{1, 1, 0}, 31}, WallGridCase{{0, 1, 3600000000}, 10},
                      WallGridCase{{1, 0, 43200000000}, 31}, WallGridCase{{0, 30, 1}, 1}));

// The n-th point of a grid whose wall-clock time is never in a gap or overlap (12:00 in Berlin):
// the instant whose Berlin reading is that wall time, found with the tz database.
TEST(NextRun, MonthlyIntervalInBerlinMatchesTheTzDatabase) {
    const SystemZone berlin("Europe/Berlin");
    const Schedule s = every(1, 0, 0);
    const UtcMicros anchor = utc(2023, 8, 31, 10); // 12:00 CEST
    UtcMicros t = anchor;
    for (int n = 1; n <= 60; ++n) {
        t = mvs::next_due_after(s, anchor, t, berlin);
        const UtcMicros wall = libc_grid_point(utc(2023, 8, 31, 12), IntervalSpec{1, 0, 0}, n);
        const UtcMicros expected = berlin.utc_offset_seconds(wall / kSecond - 7200) == 7200
                                       ? wall - 2 * kHour
                                       : wall - kHour;
        ASSERT_INSTANT_EQ(t, expected) << "month " << n;
        ASSERT_EQ(mvs::to_local(berlin, t).hour, 12) << show(t);
    }
}

// ============================================================================================
// Calendar schedules
// ============================================================================================

struct CalendarCase {
    const char* zone;
    CalendarUnit unit;
    UtcMicros after;
    UtcMicros due;
};

class CalendarTableTest : public ::testing::TestWithParam<CalendarCase> {};

TEST_P(CalendarTableTest, Due) {
    const CalendarCase& c = GetParam();
    const SystemZone zone(c.zone);
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(c.unit), 0, c.after, zone), c.due)
        << c.zone << " " << unit_name(c.unit) << " after " << show(c.after);
    // The anchor plays no part.
    EXPECT_INSTANT_EQ(
        mvs::next_due_after(calendar(c.unit), c.after + 17 * kMinute + 3, c.after, zone), c.due);
}

std::string calendar_case_name(const ::testing::TestParamInfo<CalendarCase>& info) {
    return zone_id(info.param.zone) + "_" + unit_name(info.param.unit) + "_" +
           std::to_string(info.index);
}

using CU = CalendarUnit;

const CalendarCase kUtcCases[] = {
    {"UTC", CU::Minute, utc(2024, 5, 1, 12, 34, 56, 500000), utc(2024, 5, 1, 12, 35)},
    {"UTC", CU::Minute, utc(2024, 5, 1, 12, 35), utc(2024, 5, 1, 12, 36)},
    {"UTC", CU::Minute, utc(2024, 5, 1, 12, 34, 59, 999999), utc(2024, 5, 1, 12, 35)},
    {"UTC", CU::Minute, utc(2024, 12, 31, 23, 59, 1), utc(2025, 1, 1)},
    {"UTC", CU::Hour, utc(2024, 5, 1, 12, 34), utc(2024, 5, 1, 13)},
    {"UTC", CU::Hour, utc(2024, 5, 1, 13), utc(2024, 5, 1, 14)},
    {"UTC", CU::Hour, utc(2024, 12, 31, 23, 59, 59), utc(2025, 1, 1)},
    {"UTC", CU::Day, utc(2024, 2, 28, 13), utc(2024, 2, 29)},
    {"UTC", CU::Day, utc(2024, 2, 29), utc(2024, 3, 1)},
    {"UTC", CU::Day, utc(2023, 12, 31, 23, 59, 59, 999999), utc(2024, 1, 1)},
    {"UTC", CU::Week, utc(2024, 5, 1), utc(2024, 5, 6)},
    {"UTC", CU::Week, utc(2024, 5, 6), utc(2024, 5, 13)},
    {"UTC", CU::Week, utc(2024, 5, 5, 23, 59, 59), utc(2024, 5, 6)},
    {"UTC", CU::Week, utc(2024, 12, 31), utc(2025, 1, 6)},
    {"UTC", CU::Week, utc(2023, 12, 31, 12), utc(2024, 1, 1)},
    {"UTC", CU::Month, utc(2024, 1, 31), utc(2024, 2, 1)},
    {"UTC", CU::Month, utc(2024, 2, 1), utc(2024, 3, 1)},
    {"UTC", CU::Month, utc(2024, 2, 29, 23, 59), utc(2024, 3, 1)},
    {"UTC", CU::Month, utc(2024, 12, 15), utc(2025, 1, 1)},
    {"UTC", CU::Quarter, utc(2024, 1, 1), utc(2024, 4, 1)},
    {"UTC", CU::Quarter, utc(2024, 2, 15), utc(2024, 4, 1)},
    {"UTC", CU::Quarter, utc(2024, 4, 1), utc(2024, 7, 1)},
    {"UTC", CU::Quarter, utc(2024, 6, 30, 23, 59), utc(2024, 7, 1)},
    {"UTC", CU::Quarter, utc(2024, 9, 30), utc(2024, 10, 1)},
    {"UTC", CU::Quarter, utc(2024, 10, 1, 0, 0, 0, 1), utc(2025, 1, 1)},
    {"UTC", CU::Quarter, utc(2024, 12, 31), utc(2025, 1, 1)},
    {"UTC", CU::Year, utc(2024, 6, 1), utc(2025, 1, 1)},
    {"UTC", CU::Year, utc(2024, 1, 1), utc(2025, 1, 1)},
    {"UTC", CU::Year, utc(2023, 12, 31, 23, 59, 59, 999999), utc(2024, 1, 1)},
    {"UTC", CU::Year, utc(1969, 7, 20), utc(1970, 1, 1)},
    {"UTC", CU::Day, -1, 0},
};

INSTANTIATE_TEST_SUITE_P(Utc, CalendarTableTest, ::testing::ValuesIn(kUtcCases),
                         calendar_case_name);

const CalendarCase kBerlinCases[] = {
    {"Europe/Berlin", CU::Minute, utc(2024, 3, 31, 0, 59, 30), utc(2024, 3, 31, 1)},
    {"Europe/Berlin", CU::Hour, utc(2024, 3, 30, 23), utc(2024, 3, 31, 0)},
    {"Europe/Berlin", CU::Hour, utc(2024, 3, 31, 0, 30), utc(2024, 3, 31, 1)},   // 01:30 -> 03:00
    {"Europe/Berlin", CU::Hour, utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1)}, // 02:30 -> 02:00
    {"Europe/Berlin", CU::Hour, utc(2024, 10, 27, 1), utc(2024, 10, 27, 2)},
    {"Europe/Berlin", CU::Day, utc(2024, 3, 30, 12), utc(2024, 3, 30, 23)},
    {"Europe/Berlin", CU::Day, utc(2024, 3, 30, 22, 59, 59, 999999), utc(2024, 3, 30, 23)},
    {"Europe/Berlin", CU::Day, utc(2024, 3, 30, 23), utc(2024, 3, 31, 22)},
    {"Europe/Berlin", CU::Day, utc(2024, 10, 26, 22), utc(2024, 10, 27, 23)},
    {"Europe/Berlin", CU::Week, utc(2024, 3, 27), utc(2024, 3, 31, 22)},
    {"Europe/Berlin", CU::Week, utc(2024, 10, 23), utc(2024, 10, 27, 23)},
    {"Europe/Berlin", CU::Week, utc(2024, 3, 31, 22), utc(2024, 4, 7, 22)},
    {"Europe/Berlin", CU::Month, utc(2024, 3, 15), utc(2024, 3, 31, 22)},
    {"Europe/Berlin", CU::Month, utc(2024, 3, 31, 21, 59, 59), utc(2024, 3, 31, 22)},
    {"Europe/Berlin", CU::Month, utc(2024, 3, 31, 22, 30), utc(2024, 4, 30, 22)},
    {"Europe/Berlin", CU::Month, utc(2024, 10, 15), utc(2024, 10, 31, 23)},
    {"Europe/Berlin", CU::Quarter, utc(2024, 2, 10), utc(2024, 3, 31, 22)},
    {"Europe/Berlin", CU::Quarter, utc(2024, 8, 1), utc(2024, 9, 30, 22)},
    {"Europe/Berlin", CU::Quarter, utc(2024, 11, 1), utc(2024, 12, 31, 23)},
    {"Europe/Berlin", CU::Year, utc(2024, 12, 31, 22, 59, 59), utc(2024, 12, 31, 23)},
    {"Europe/Berlin", CU::Year, utc(2024, 12, 31, 23), utc(2025, 12, 31, 23)},
};

INSTANTIATE_TEST_SUITE_P(Berlin, CalendarTableTest, ::testing::ValuesIn(kBerlinCases),
                         calendar_case_name);

const CalendarCase kNewYorkCases[] = {
    {"America/New_York", CU::Hour, utc(2024, 3, 10, 6, 30), utc(2024, 3, 10, 7)},
    {"America/New_York", CU::Hour, utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 6)},
    {"America/New_York", CU::Hour, utc(2024, 11, 3, 6), utc(2024, 11, 3, 7)},
    {"America/New_York", CU::Minute, utc(2024, 11, 3, 5, 59, 59), utc(2024, 11, 3, 6)},
    {"America/New_York", CU::Day, utc(2024, 3, 10, 4, 59, 59), utc(2024, 3, 10, 5)},
    {"America/New_York", CU::Day, utc(2024, 3, 10, 5), utc(2024, 3, 11, 4)},
    {"America/New_York", CU::Day, utc(2024, 11, 3, 4), utc(2024, 11, 4, 5)},
    {"America/New_York", CU::Week, utc(2024, 3, 6), utc(2024, 3, 11, 4)},
    {"America/New_York", CU::Month, utc(2024, 3, 15), utc(2024, 4, 1, 4)},
    {"America/New_York", CU::Month, utc(2024, 4, 1, 3, 30), utc(2024, 4, 1, 4)},
    {"America/New_York", CU::Month, utc(2024, 11, 15), utc(2024, 12, 1, 5)},
    {"America/New_York", CU::Quarter, utc(2024, 12, 31, 23), utc(2025, 1, 1, 5)},
    {"America/New_York", CU::Year, utc(2025, 1, 1, 2), utc(2025, 1, 1, 5)},
};

INSTANTIATE_TEST_SUITE_P(NewYork, CalendarTableTest, ::testing::ValuesIn(kNewYorkCases),
                         calendar_case_name);

const CalendarCase kKolkataCases[] = {
    {"Asia/Kolkata", CU::Minute, utc(2024, 5, 1, 12, 34, 56), utc(2024, 5, 1, 12, 35)},
    {"Asia/Kolkata", CU::Hour, utc(2024, 5, 1, 12), utc(2024, 5, 1, 12, 30)},
    {"Asia/Kolkata", CU::Hour, utc(2024, 5, 1, 12, 30), utc(2024, 5, 1, 13, 30)},
    {"Asia/Kolkata", CU::Day, utc(2024, 5, 1, 12), utc(2024, 5, 1, 18, 30)},
    {"Asia/Kolkata", CU::Day, utc(2024, 5, 1, 18, 30), utc(2024, 5, 2, 18, 30)},
    {"Asia/Kolkata", CU::Week, utc(2024, 5, 1, 12), utc(2024, 5, 5, 18, 30)},
    {"Asia/Kolkata", CU::Month, utc(2024, 5, 31, 18, 29, 59), utc(2024, 5, 31, 18, 30)},
    {"Asia/Kolkata", CU::Quarter, utc(2024, 5, 1), utc(2024, 6, 30, 18, 30)},
    {"Asia/Kolkata", CU::Year, utc(2024, 5, 1), utc(2024, 12, 31, 18, 30)},
};

INSTANTIATE_TEST_SUITE_P(Kolkata, CalendarTableTest, ::testing::ValuesIn(kKolkataCases),
                         calendar_case_name);

const CalendarCase kKathmanduCases[] = {
    {"Asia/Kathmandu", CU::Minute, utc(2024, 5, 1, 12, 15), utc(2024, 5, 1, 12, 16)},
    {"Asia/Kathmandu", CU::Hour, utc(2024, 5, 1, 12), utc(2024, 5, 1, 12, 15)},
    {"Asia/Kathmandu", CU::Hour, utc(2024, 5, 1, 12, 15), utc(2024, 5, 1, 13, 15)},
    {"Asia/Kathmandu", CU::Day, utc(2024, 5, 1, 12), utc(2024, 5, 1, 18, 15)},
    {"Asia/Kathmandu", CU::Week, utc(2024, 5, 1), utc(2024, 5, 5, 18, 15)},
    {"Asia/Kathmandu", CU::Month, utc(2024, 5, 15), utc(2024, 5, 31, 18, 15)},
    {"Asia/Kathmandu", CU::Quarter, utc(2024, 5, 15), utc(2024, 6, 30, 18, 15)},
    {"Asia/Kathmandu", CU::Year, utc(2024, 5, 15), utc(2024, 12, 31, 18, 15)},
    // 1986-01-01: +05:30 became +05:45, and the clock skipped 00:00-00:15.
    {"Asia/Kathmandu", CU::Day, utc(1985, 12, 31, 12), utc(1985, 12, 31, 18, 30)},
    {"Asia/Kathmandu", CU::Year, utc(1985, 6, 1), utc(1985, 12, 31, 18, 30)},
    {"Asia/Kathmandu", CU::Hour, utc(1985, 12, 31, 18), utc(1985, 12, 31, 19, 15)},
    {"Asia/Kathmandu", CU::Hour, utc(1985, 12, 31, 17), utc(1985, 12, 31, 17, 30)},
};

INSTANTIATE_TEST_SUITE_P(Kathmandu, CalendarTableTest, ::testing::ValuesIn(kKathmanduCases),
                         calendar_case_name);

const CalendarCase kLordHoweCases[] = {
    {"Australia/Lord_Howe", CU::Hour, utc(2024, 10, 5, 14, 29), utc(2024, 10, 5, 14, 30)},
    {"Australia/Lord_Howe", CU::Hour, utc(2024, 10, 5, 14, 30), utc(2024, 10, 5, 16)},
    {"Australia/Lord_Howe", CU::Hour, utc(2025, 4, 5, 14), utc(2025, 4, 5, 15, 30)},
    {"Australia/Lord_Howe", CU::Minute, utc(2024, 10, 5, 15, 29, 30), utc(2024, 10, 5, 15, 30)},
    {"Australia/Lord_Howe", CU::Day, utc(2024, 10, 5, 12), utc(2024, 10, 5, 13, 30)},
    {"Australia/Lord_Howe", CU::Day, utc(2024, 10, 5, 13, 30), utc(2024, 10, 6, 13)},
    {"Australia/Lord_Howe", CU::Day, utc(2025, 4, 5, 13), utc(2025, 4, 6, 13, 30)},
    {"Australia/Lord_Howe", CU::Week, utc(2024, 10, 5, 12), utc(2024, 10, 6, 13)},
    {"Australia/Lord_Howe", CU::Month, utc(2024, 10, 15), utc(2024, 10, 31, 13)},
    {"Australia/Lord_Howe", CU::Month, utc(2024, 6, 15), utc(2024, 6, 30, 13, 30)},
    {"Australia/Lord_Howe", CU::Quarter, utc(2024, 8, 1), utc(2024, 9, 30, 13, 30)},
    {"Australia/Lord_Howe", CU::Year, utc(2024, 6, 1), utc(2024, 12, 31, 13)},
};

INSTANTIATE_TEST_SUITE_P(LordHowe, CalendarTableTest, ::testing::ValuesIn(kLordHoweCases),
                         calendar_case_name);

// --- hourly, step by step across both DST changes ---------------------------------------------

struct HourlyWalkCase {
    const char* zone;
    UtcMicros start;
    std::vector<UtcMicros> due;
};

class HourlyWalkTest : public ::testing::TestWithParam<HourlyWalkCase> {};

TEST_P(HourlyWalkTest, LandsOnLocalHours) {
    const SystemZone zone(GetParam().zone);
    UtcMicros t = GetParam().start;
    for (const UtcMicros e : GetParam().due) {
        t = mvs::next_due_after(calendar(CalendarUnit::Hour), 0, t, zone);
        ASSERT_INSTANT_EQ(t, e);
        const CivilTime local = mvs::to_local(zone, t);
        EXPECT_EQ(local.minute, 0);
        EXPECT_EQ(local.second, 0);
        EXPECT_EQ(local.micro, 0);
    }
}

INSTANTIATE_TEST_SUITE_P(
    NextRun, HourlyWalkTest,
    ::testing::Values(
        // Berlin spring: 01:00 CET, then 03:00 CEST an hour later.
        HourlyWalkCase{"Europe/Berlin",
                       utc(2024, 3, 30, 23, 30),
                       {utc(2024, 3, 31, 0), utc(2024, 3, 31, 1), utc(2024, 3, 31, 2)}},
        // Berlin autumn: 02:00 twice, an hour apart.
        HourlyWalkCase{"Europe/Berlin",
                       utc(2024, 10, 26, 23, 30),
                       {utc(2024, 10, 27, 0), utc(2024, 10, 27, 1), utc(2024, 10, 27, 2)}},
        HourlyWalkCase{"America/New_York",
                       utc(2024, 3, 10, 5, 1),
                       {utc(2024, 3, 10, 6), utc(2024, 3, 10, 7), utc(2024, 3, 10, 8)}},
        HourlyWalkCase{"America/New_York",
                       utc(2024, 11, 3, 4, 1),
                       {utc(2024, 11, 3, 5), utc(2024, 11, 3, 6), utc(2024, 11, 3, 7)}},
        // Lord Howe spring: 01:00 +10:30, then 03:00 +11 ninety minutes later.
        HourlyWalkCase{"Australia/Lord_Howe",
                       utc(2024, 10, 5, 12),
                       {utc(2024, 10, 5, 12, 30), utc(2024, 10, 5, 13, 30),
                        utc(2024, 10, 5, 14, 30), utc(2024, 10, 5, 16), utc(2024, 10, 5, 17)}},
        // Lord Howe autumn: 01:00 +11, then 02:00 +10:30 ninety minutes later.
        HourlyWalkCase{"Australia/Lord_Howe",
                       utc(2025, 4, 5, 12, 1),
                       {utc(2025, 4, 5, 13), utc(2025, 4, 5, 14), utc(2025, 4, 5, 15, 30),
                        utc(2025, 4, 5, 16, 30)}}),
    [](const ::testing::TestParamInfo<HourlyWalkCase>& info) {
        return zone_id(info.param.zone) + "_" + std::to_string(info.index);
    });

// --- zones with offsets that are not whole quarter hours --------------------------------------

TEST(NextRun, LocalMeanTimeOffsets) {
    // +00:19:32 (Amsterdam mean time).
    const mvs::FixedOffsetZone amt(1172);
    const UtcMicros after = utc(1910, 1, 1); // 00:19:32 local
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(CU::Minute), 0, after, amt),
                      utc(1910, 1, 1, 0, 0, 28));
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(CU::Hour), 0, after, amt),
                      utc(1910, 1, 1, 0, 40, 28));
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(CU::Day), 0, after, amt),
                      utc(1910, 1, 1, 23, 40, 28));
    // -00:44:30 (Monrovia mean time).
    const mvs::FixedOffsetZone mmt(-2670);
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(CU::Hour), 0, utc(1960, 1, 1), mmt),
                      utc(1960, 1, 1, 0, 44, 30));
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(CU::Minute), 0, utc(1960, 1, 1), mmt),
                      utc(1960, 1, 1, 0, 0, 30));
}

// Amsterdam, 1937-07-01: +01:19:32 became +01:20, the clock skipping 28 seconds at midnight.
// Minutely runs on the old offset's minutes up to the change, then on the new offset's.
TEST(NextRun, MinutelyUpToAChangeBetweenOddOffsets) {
    const std::int64_t change = utc(1937, 6, 30, 22, 40, 28) / kSecond; // 00:00:00 local
    const mvs_test::StepZone zone(4772, change, 4800);
    const UtcMicros before = change * kSecond - 10 * kMinute; // 23:50:00 local
    UtcMicros t = before;
    for (int i = 1; i <= 9; ++i) {
        t = mvs::next_due_after(calendar(CU::Minute), 0, t, zone);
        ASSERT_INSTANT_EQ(t, before + i * kMinute);
    }
    // 23:59:00 local, then the change (local 00:00:28, not a whole minute), then 00:01:00.
    t = mvs::next_due_after(calendar(CU::Minute), 0, t, zone);
    EXPECT_INSTANT_EQ(t, utc(1937, 6, 30, 22, 41));
    EXPECT_EQ(mvs::to_local(zone, t), civil(1937, 7, 1, 0, 1));
}

// A one-hour fall-back between odd offsets: minutely keeps running through the repeated hour.
TEST(NextRun, MinutelyThroughAnOverlapBetweenOddOffsets) {
    const std::int64_t change = utc(1916, 9, 30, 22, 40, 28) / kSecond; // 00:00 -> 23:00 local
    const mvs_test::StepZone zone(4772, change, 1172);
    UtcMicros t = change * kSecond + 10 * kMinute + 5 * kSecond; // second pass, 23:10:05
    for (int i = 0; i < 120; ++i) {
        const UtcMicros next = mvs::next_due_after(calendar(CU::Minute), 0, t, zone);
        ASSERT_GT(next, t);
        ASSERT_LE(next - t, kMinute) << show(t) << " -> " << show(next);
        ASSERT_EQ(mvs::to_local(zone, next).second, 0) << show(next);
        t = next;
    }
    // Hourly likewise: 23:00 came at the change itself; next is 00:00 an hour later, not 01:00.
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(CU::Hour), 0, change * kSecond, zone),
                      change * kSecond + kHour);
    EXPECT_INSTANT_EQ(mvs::next_due_after(calendar(CU::Hour), 0, change * kSecond - kSecond, zone),
                      change * kSecond);
}

// ============================================================================================
// Property: for random `after`, the due time is after it, aligned, and nothing aligned lies
// between the two.
// ============================================================================================

// The calendar period a wall-clock reading belongs to, as a number that grows with time. Weeks
// are counted from a Monday with libc, not with the code under test.
std::int64_t period_key(CalendarUnit unit, const CivilTime& t) {
    switch (unit) {
    case CalendarUnit::Day:
        return t.year * 10000LL + t.month * 100 + t.day;
    case CalendarUnit::Week: {
        std::tm tm{};
        tm.tm_year = t.year - 1900;
        tm.tm_mon = t.month - 1;
        tm.tm_mday = t.day;
        const std::int64_t days = static_cast<std::int64_t>(timegm(&tm)) / 86400;
        return mvs_test::floor_div(days + 3, 7); // 1969-12-29 was a Monday
    }
    case CalendarUnit::Month:
        return t.year * 12LL + t.month - 1;
    case CalendarUnit::Quarter:
        return t.year * 4LL + (t.month - 1) / 3;
    default:
        return t.year;
    }
}

bool on_the_minute(const CivilTime& t) {
    return t.second == 0 && t.micro == 0;
}

struct PropertyCase {
    const char* zone;
    CalendarUnit unit;
};

class CalendarPropertyTest : public ::testing::TestWithParam<PropertyCase> {
  protected:
    // Checks one due time; returns false (after recording failures) when it is wrong.
    bool check(const mvs::TimeZone& zone, UtcMicros after, UtcMicros due) {
        const CalendarUnit unit = GetParam().unit;
        const std::string where = std::string(GetParam().zone) + " " + unit_name(unit) + " after " +
                                  show(after) + ": due " + show(due);
        EXPECT_GT(due, after) << where;
        if (due <= after)
            return false;
        const CivilTime local = mvs::to_local(zone, due);
        if (unit == CalendarUnit::Minute || unit == CalendarUnit::Hour) {
            // Aligned: the wall clock shows :00 seconds (and :00 minutes for hourly). Every
            // offset here is whole minutes, so such instants are whole UTC minutes: step them.
            const auto aligned = [&](UtcMicros t) {
                const CivilTime l = mvs::to_local(zone, t);
                return on_the_minute(l) && (unit == CalendarUnit::Minute || l.minute == 0);
            };
            EXPECT_TRUE(aligned(due)) << where;
            EXPECT_LE(due - after, unit == CalendarUnit::Minute ? kMinute : 2 * kHour) << where;
            for (UtcMicros t = (mvs_test::floor_div(after, kMinute) + 1) * kMinute; t < due;
                 t += kMinute) {
                EXPECT_FALSE(aligned(t)) << where << ": skipped " << show(t);
                if (aligned(t))
                    return false;
            }
            return !::testing::Test::HasFailure();
        }
        // Day and longer: a due time is where the wall clock enters a new period; normally at
        // 00:00 on the period's first day, or at the transition when the clock skips that.
        const std::int64_t key_before = period_key(unit, mvs::to_local(zone, due - 1));
        EXPECT_GT(period_key(unit, local), key_before) << where;
        if (zone.utc_offset_seconds(mvs_test::floor_div(due, kSecond) - 1) ==
            zone.utc_offset_seconds(mvs_test::floor_div(due, kSecond))) {
            EXPECT_TRUE(local.hour == 0 && local.minute == 0 && on_the_minute(local)) << where;
            if (unit == CalendarUnit::Month || unit == CalendarUnit::Quarter ||
                unit == CalendarUnit::Year) {
                EXPECT_EQ(local.day, 1) << where;
            }
            if (unit == CalendarUnit::Quarter) {
                EXPECT_EQ((local.month - 1) % 3, 0) << where;
            }
            if (unit == CalendarUnit::Year) {
                EXPECT_EQ(local.month, 1) << where;
            }
            if (unit == CalendarUnit::Week) {
                EXPECT_EQ(period_key(CalendarUnit::Week, local),
                          period_key(CalendarUnit::Week, mvs::add_days(local, -1)) + 1)
                    << where << ": not a Monday";
            }
        }
        // No period starts between `after` and the due time: step through it and watch the
        // period never change (and never go back).
        const std::int64_t step =
            unit == CalendarUnit::Day || unit == CalendarUnit::Week ? 15 * kMinute : kHour;
        std::int64_t key = period_key(unit, mvs::to_local(zone, after));
        for (UtcMicros t = (mvs_test::floor_div(after, step) + 1) * step; t < due; t += step) {
            const std::int64_t k = period_key(unit, mvs::to_local(zone, t));
            EXPECT_EQ(k, key) << where << ": a new period began by " << show(t);
            if (k != key)
                return false;
        }
        EXPECT_EQ(key_before, key) << where;
        return !::testing::Test::HasFailure();
    }
};

TEST_P(CalendarPropertyTest, RandomAfterInstants) {
    const SystemZone zone(GetParam().zone);
    const CalendarUnit unit = GetParam().unit;
    const Schedule s = calendar(unit);
    std::mt19937_64 rng(static_cast<std::uint64_t>(std::hash<std::string>()(GetParam().zone)) +
                        static_cast<std::uint64_t>(unit));
    std::uniform_int_distribution<UtcMicros> uniform(utc(2019, 1, 1), utc(2031, 1, 1));
    // Transitions in the range, to put many samples right around them.
    const std::vector<UtcMicros> transitions =
        mvs_test::offset_changes(zone, utc(2019, 1, 1), utc(2031, 1, 1));
    const std::string name = GetParam().zone;
    if (name == "Europe/Berlin" || name == "America/New_York" || name == "Australia/Lord_Howe") {
        // 2019-2025 alone had 14 changes; later rules may still change.
        ASSERT_GE(transitions.size(), 14u);
    }
    std::uniform_int_distribution<std::int64_t> near(-2 * kDay, 2 * kDay);
    const int samples = unit == CalendarUnit::Year ? 80 : unit == CalendarUnit::Quarter ? 150 : 400;
    for (int i = 0; i < samples; ++i) {
        UtcMicros after = uniform(rng);
        if (i % 2 == 1 && !transitions.empty())
            after = transitions[static_cast<std::size_t>(rng() % transitions.size())] + near(rng);
        if (i % 5 == 0)
            after = after / kMinute * kMinute; // on a whole minute, as a scheduler often asks
        const UtcMicros due = mvs::next_due_after(s, 0, after, zone);
        ASSERT_TRUE(check(zone, after, due));
        // Asking again from the due time itself gives the next one, strictly later.
        const UtcMicros next = mvs::next_due_after(s, 0, due, zone);
        ASSERT_TRUE(check(zone, due, next));
    }
}

std::vector<PropertyCase> property_cases() {
    std::vector<PropertyCase> cases;
    for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
                             "Asia/Kathmandu", "Australia/Lord_Howe"})
        for (CalendarUnit unit :
             {CU::Minute, CU::Hour, CU::Day, CU::Week, CU::Month, CU::Quarter, CU::Year})
            cases.push_back(PropertyCase{zone, unit});
    return cases;
}

INSTANTIATE_TEST_SUITE_P(NextRun, CalendarPropertyTest, ::testing::ValuesIn(property_cases()),
                         [](const ::testing::TestParamInfo<PropertyCase>& info) {
                             return zone_id(info.param.zone) + "_" + unit_name(info.param.unit);
                         });

// ============================================================================================
// 'on change': not a grid, the least time between two refreshes
// ============================================================================================

TEST(OnChange, NextIsMinIntervalAfterTheRunEvenAcrossAZoneChange) {
    Schedule s;
    s.kind = ScheduleKind::OnChange;
    s.every.micros = 30 * kSecond;
    const SystemZone berlin("Europe/Berlin");
    // 02:00 local on the night summer time starts: elapsed time, not wall clock.
    const UtcMicros run = utc(2024, 3, 31, 0, 59, 50, 0);
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, run, run, berlin), run + 30 * kSecond);
    // A run that starts late (at `now`): min_interval from its start.
    const mvs::Advance late = mvs::advance_after_run(s, run, run, run + 5 * kSecond, kUtc);
    EXPECT_INSTANT_EQ(late.next, run + 35 * kSecond);
    EXPECT_EQ(late.skipped, 0);
    // Handed over early (due after now): from the due time.
    const mvs::Advance early = mvs::advance_after_run(s, run, run, run - 40000, kUtc);
    EXPECT_INSTANT_EQ(early.next, run + 30 * kSecond);
}

TEST(OnChange, FirstLookIsNowOrStartAt) {
    Schedule s;
    s.kind = ScheduleKind::OnChange;
    s.every.micros = kMinute;
    const UtcMicros now = utc(2025, 1, 1, 12, 0, 0, 0);
    const mvs::FirstRun plain = mvs::first_run(s, false, 0, now, kUtc);
    EXPECT_INSTANT_EQ(plain.first, now);
    EXPECT_TRUE(plain.schedule == s);
    const mvs::FirstRun later = mvs::first_run(s, true, now + kHour, now, kUtc);
    EXPECT_INSTANT_EQ(later.first, now + kHour);
    EXPECT_TRUE(later.schedule == s);
    const mvs::FirstRun past = mvs::first_run(s, true, now - kHour, now, kUtc);
    EXPECT_INSTANT_EQ(past.first, now);
}

TEST(OnChange, NothingAfterTheEndOfTime) {
    Schedule s;
    s.kind = ScheduleKind::OnChange;
    s.every.micros = std::int64_t{366000} * kDay; // the longest
    const UtcMicros late = utc(9999, 12, 31, 0, 0, 0, 0);
    EXPECT_EQ(mvs::next_due_after(s, late, late, kUtc), mvs::kNever);
    EXPECT_EQ(mvs::next_due_after(s, late, INT64_MAX, kUtc), mvs::kNever);
}

} // namespace
