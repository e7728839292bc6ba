#include <cstdint>
#include <ctime>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "test_support.hpp"

namespace {

using mvs::CivilTime;
using mvs_test::civil;

// --- days_from_civil / civil_from_days: known dates -------------------------------------------

struct KnownDate {
    std::int64_t year;
    int month;
    int day;
    std::int64_t days; // since 1970-01-01
    int iso_weekday;   // 1 = Monday
};

class KnownDateTest : public ::testing::TestWithParam<KnownDate> {};

TEST_P(KnownDateTest, DaysFromCivil) {
    const KnownDate& k = GetParam();
    EXPECT_EQ(mvs::days_from_civil(k.year, k.month, k.day), k.days);
}

TEST_P(KnownDateTest, CivilFromDays) {
    const KnownDate& k = GetParam();
    std::int64_t year = 0;
    int month = 0;
    int day = 0;
    mvs::civil_from_days(k.days, &year, &month, &day);
    EXPECT_EQ(year, k.year);
    EXPECT_EQ(month, k.month);
    EXPECT_EQ(day, k.day);
}

TEST_P(KnownDateTest, IsoWeekday) {
    const KnownDate& k = GetParam();
    EXPECT_EQ(mvs::iso_weekday(k.days), k.iso_weekday);
}

// Values from Python's datetime (proleptic Gregorian) and Hinnant's paper for year 0.
INSTANTIATE_TEST_SUITE_P(
    CivilTime, KnownDateTest,
    ::testing::Values(KnownDate{1970, 1, 1, 0, 4}, KnownDate{1969, 12, 31, -1, 3},
                      KnownDate{1970, 1, 2, 1, 5}, KnownDate{2000, 1, 1, 10957, 6},
                      KnownDate{2000, 2, 29, 11016, 2}, KnownDate{2000, 3, 1, 11017, 3},
                      KnownDate{1900, 1, 1, -25567, 1}, KnownDate{1900, 2, 28, -25509, 3},
                      KnownDate{1900, 3, 1, -25508, 4}, KnownDate{2024, 2, 29, 19782, 4},
                      KnownDate{2100, 2, 28, 47540, 7}, KnownDate{2100, 3, 1, 47541, 1},
                      KnownDate{1600, 2, 29, -135081, 2}, KnownDate{2038, 1, 19, 24855, 2},
                      KnownDate{1, 1, 1, -719162, 1}, KnownDate{0, 3, 1, -719468, 3},
                      KnownDate{0, 1, 1, -719528, 6}, KnownDate{-1, 12, 31, -719529, 5},
                      KnownDate{9999, 12, 31, 2932896, 5}));

// --- days_from_civil / civil_from_days: wide ranges ------------------------------------------

// Every day in +-1,200,000 days (about 3,300 years either side of 1970) round-trips, and
// consecutive day numbers are consecutive dates.
TEST(CivilTime, DaysRoundTripAndConsecutiveOverWideRange) {
    std::int64_t prev_year = 0;
    int prev_month = 0;
    int prev_day = 0;
    mvs::civil_from_days(-1200001, &prev_year, &prev_month, &prev_day);
    int failures = 0;
    for (std::int64_t days = -1200000; days <= 1200000 && failures < 10; ++days) {
        std::int64_t year = 0;
        int month = 0;
        int day = 0;
        mvs::civil_from_days(days, &year, &month, &day);
        const bool next_day_same_month =
            year == prev_year && month == prev_month && day == prev_day + 1;
        const bool first_of_next_month =
            day == 1 && prev_day == mvs::days_in_month(prev_year, prev_month) &&
            ((year == prev_year && month == prev_month + 1) ||
             (year == prev_year + 1 && month == 1 && prev_month == 12));
        if (!(next_day_same_month || first_of_next_month)) {
            ADD_FAILURE() << "day " << days << " is " << year << "-" << month << "-" << day
                          << " after " << prev_year << "-" << prev_month << "-" << prev_day;
            ++failures;
        }
        if (mvs::days_from_civil(year, month, day) != days) {
            ADD_FAILURE() << "days_from_civil(" << year << "-" << month << "-" << day
                          << ") != " << days;
            ++failures;
        }
        prev_year = year;
        prev_month = month;
        prev_day = day;
    }
}

// libc's gmtime_r is an independent oracle for the date of a day number (and the weekday).
TEST(CivilTime, CivilFromDaysAgreesWithGmtime) {
    int failures = 0;
    for (std::int64_t days = -800000; days <= 800000 && failures < 10; days += 7) {
        const std::time_t t = static_cast<std::time_t>(days * 86400);
        std::tm tm{};
        ASSERT_NE(gmtime_r(&t, &tm), nullptr);
        std::int64_t year = 0;
        int month = 0;
        int day = 0;
        mvs::civil_from_days(days, &year, &month, &day);
        const int libc_iso_weekday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
        if (year != tm.tm_year + 1900 || month != tm.tm_mon + 1 || day != tm.tm_mday ||
            mvs::iso_weekday(days) != libc_iso_weekday) {
            ADD_FAILURE() << "day " << days << ": core says " << year << "-" << month << "-" << day
                          << " weekday " << mvs::iso_weekday(days) << ", libc says "
                          << tm.tm_year + 1900 << "-" << tm.tm_mon + 1 << "-" << tm.tm_mday
                          << " weekday " << libc_iso_weekday;
            ++failures;
        }
    }
}

TEST(CivilTime, FourHundredYearCycleIs146097Days) {
    for (std::int64_t year : {-2000, -400, -1, 0, 1, 1600, 1899, 1970, 2000, 2024, 2100}) {
        EXPECT_EQ(mvs::days_from_civil(year + 400, 1, 1) - mvs::days_from_civil(year, 1, 1), 146097)
            << year;
        EXPECT_EQ(mvs::days_from_civil(year + 1, 1, 1) - mvs::days_from_civil(year, 1, 1),
                  mvs::is_leap_year(year) ? 366 : 365)
            << year;
    }
}

// --- leap years, month lengths ----------------------------------------------------------------

struct LeapCase {
    std::int64_t year;
    bool leap;
};

class LeapYearTest : public ::testing::TestWithParam<LeapCase> {};

TEST_P(LeapYearTest, IsLeapYearAndFebruaryLength) {
    const LeapCase& c = GetParam();
    EXPECT_EQ(mvs::is_leap_year(c.year), c.leap);
    EXPECT_EQ(mvs::days_in_month(c.year, 2), c.leap ? 29 : 28);
    // Feb 29 exists exactly in leap years: the day after Feb 28 is Feb 29 or Mar 1.
    std::int64_t year = 0;
    int month = 0;
    int day = 0;
    mvs::civil_from_days(mvs::days_from_civil(c.year, 2, 28) + 1, &year, &month, &day);
    EXPECT_EQ(year, c.year);
    EXPECT_EQ(month, c.leap ? 2 : 3);
    EXPECT_EQ(day, c.leap ? 29 : 1);
}

INSTANTIATE_TEST_SUITE_P(
    CivilTime, LeapYearTest,
    ::testing::Values(LeapCase{1900, false}, LeapCase{2000, true}, LeapCase{2024, true},
                      LeapCase{2100, false}, LeapCase{2023, false}, LeapCase{1600, true},
                      LeapCase{1700, false}, LeapCase{2400, true}, LeapCase{1996, true},
                      LeapCase{2001, false}, LeapCase{0, true}, LeapCase{-4, true},
                      LeapCase{-1, false}, LeapCase{-100, false}, LeapCase{-400, true}));

TEST(CivilTime, DaysInMonth) {
    const int common[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int month = 1; month <= 12; ++month) {
        EXPECT_EQ(mvs::days_in_month(2023, month), common[month - 1]) << month;
        EXPECT_EQ(mvs::days_in_month(2024, month), month == 2 ? 29 : common[month - 1]) << month;
        // The month length is the distance to the first of the next month.
        const std::int64_t next_first = month == 12 ? mvs::days_from_civil(2024, 1, 1)
                                                    : mvs::days_from_civil(2023, month + 1, 1);
        EXPECT_EQ(next_first - mvs::days_from_civil(2023, month, 1), common[month - 1]) << month;
    }
}

// --- iso_weekday ----------------------------------------------------------------------------

TEST(CivilTime, IsoWeekdayCyclesThroughOneToSeven) {
    // 2024-01-01 was a Monday.
    const std::int64_t monday = mvs::days_from_civil(2024, 1, 1);
    for (std::int64_t offset = -7000; offset <= 7000; ++offset) {
        const int expected = static_cast<int>(((offset % 7) + 7) % 7) + 1;
        ASSERT_EQ(mvs::iso_weekday(monday + offset), expected) << offset;
    }
}

TEST(CivilTime, IsoWeekdayFarFromEpoch) {
    // Whole weeks away from 1970-01-01 (a Thursday), in both directions.
    for (std::int64_t weeks : {-1000000LL, -52LL, -1LL, 1LL, 52LL, 1000000LL}) {
        EXPECT_EQ(mvs::iso_weekday(weeks * 7), 4) << weeks;
        EXPECT_EQ(mvs::iso_weekday(weeks * 7 - 3), 1) << weeks;
        EXPECT_EQ(mvs::iso_weekday(weeks * 7 + 3), 7) << weeks;
    }
}

// --- wall_micros ----------------------------------------------------------------------------

struct WallCase {
    CivilTime civil;
    std::int64_t wall;
};

class WallMicrosTest : public ::testing::TestWithParam<WallCase> {};

TEST_P(WallMicrosTest, ToMicros) {
    EXPECT_EQ(mvs::wall_micros(GetParam().civil), GetParam().wall);
}

TEST_P(WallMicrosTest, FromMicros) {
    EXPECT_EQ(mvs::civil_from_wall_micros(GetParam().wall), GetParam().civil);
}

constexpr std::int64_t kS = mvs_test::kSecond;

INSTANTIATE_TEST_SUITE_P(
    CivilTime, WallMicrosTest,
    ::testing::Values(
        WallCase{civil(1970, 1, 1), 0}, WallCase{civil(1970, 1, 1, 0, 0, 0, 1), 1},
        WallCase{civil(1969, 12, 31, 23, 59, 59, 999999), -1},
        WallCase{civil(1969, 12, 31), -86400 * kS},
        WallCase{civil(1970, 1, 2, 1, 2, 3, 4), (86400 + 3723) * kS + 4},
        WallCase{civil(2000, 2, 29, 12, 0, 0), (11016LL * 86400 + 43200) * kS},
        WallCase{civil(1900, 1, 1, 23, 59, 59, 500000), (-25567LL * 86400 + 86399) * kS + 500000},
        WallCase{civil(2038, 1, 19, 3, 14, 8), 2147483648LL * kS},
        WallCase{civil(1, 1, 1), -719162LL * 86400 * kS},
        WallCase{civil(9999, 12, 31, 23, 59, 59, 999999), (2932897LL * 86400) * kS - 1}));

TEST(CivilTime, WallMicrosRoundTripRandom) {
    std::mt19937_64 rng(20240331);
    // About +-10,000 years around 1970.
    std::uniform_int_distribution<std::int64_t> dist(-315000000000LL * kS, 250000000000LL * kS);
    for (int i = 0; i < 100000; ++i) {
        const std::int64_t wall = dist(rng);
        const CivilTime t = mvs::civil_from_wall_micros(wall);
        ASSERT_TRUE(t.month >= 1 && t.month <= 12 && t.day >= 1 &&
                    t.day <= mvs::days_in_month(t.year, t.month) && t.hour >= 0 && t.hour < 24 &&
                    t.minute >= 0 && t.minute < 60 && t.second >= 0 && t.second < 60 &&
                    t.micro >= 0 && t.micro < 1000000)
            << wall;
        ASSERT_EQ(mvs::wall_micros(t), wall);
    }
}

TEST(CivilTime, CivilTimeEquality) {
    const CivilTime a = civil(2024, 2, 29, 1, 2, 3, 4);
    EXPECT_TRUE(a == civil(2024, 2, 29, 1, 2, 3, 4));
    EXPECT_FALSE(a != civil(2024, 2, 29, 1, 2, 3, 4));
    EXPECT_NE(a, civil(2025, 2, 29, 1, 2, 3, 4));
    EXPECT_NE(a, civil(2024, 3, 29, 1, 2, 3, 4));
    EXPECT_NE(a, civil(2024, 2, 28, 1, 2, 3, 4));
    EXPECT_NE(a, civil(2024, 2, 29, 2, 2, 3, 4));
    EXPECT_NE(a, civil(2024, 2, 29, 1, 3, 3, 4));
    EXPECT_NE(a, civil(2024, 2, 29, 1, 2, 4, 4));
    EXPECT_NE(a, civil(2024, 2, 29, 1, 2, 3, 5));
}

// --- add_months -----------------------------------------------------------------------------

struct MonthsCase {
    CivilTime from;
    std::int64_t months;
    CivilTime expected;
};

class AddMonthsTest : public ::testing::TestWithParam<MonthsCase> {};

TEST_P(AddMonthsTest, Adds) {
    const MonthsCase& c = GetParam();
    EXPECT_EQ(mvs::add_months(c.from, c.months), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    CivilTime, AddMonthsTest,
    ::testing::Values(
        // The month's last day when the target month is shorter.
        MonthsCase{civil(2023, 1, 31), 1, civil(2023, 2, 28)},
        MonthsCase{civil(2024, 1, 31), 1, civil(2024, 2, 29)},
        MonthsCase{civil(2023, 1, 31), 2, civil(2023, 3, 31)},
        MonthsCase{civil(2024, 1, 31), 2, civil(2024, 3, 31)},
        MonthsCase{civil(2023, 1, 31), 3, civil(2023, 4, 30)},
        MonthsCase{civil(2023, 3, 31), 1, civil(2023, 4, 30)},
        MonthsCase{civil(2023, 1, 30), 1, civil(2023, 2, 28)},
        MonthsCase{civil(2023, 1, 29), 1, civil(2023, 2, 28)},
        MonthsCase{civil(2023, 1, 28), 1, civil(2023, 2, 28)},
        MonthsCase{civil(2100, 1, 31), 1, civil(2100, 2, 28)},
        MonthsCase{civil(2000, 1, 31), 1, civil(2000, 2, 29)},
        MonthsCase{civil(1900, 1, 31), 1, civil(1900, 2, 28)},
        MonthsCase{civil(2024, 2, 29), 12, civil(2025, 2, 28)},
        MonthsCase{civil(2024, 2, 29), 48, civil(2028, 2, 29)},
        MonthsCase{civil(2023, 1, 31), 13, civil(2024, 2, 29)},
        // Across year ends, both ways.
        MonthsCase{civil(2023, 12, 15), 1, civil(2024, 1, 15)},
        MonthsCase{civil(2023, 11, 30), 3, civil(2024, 2, 29)},
        MonthsCase{civil(2024, 1, 15), -1, civil(2023, 12, 15)},
        MonthsCase{civil(2024, 1, 31), -1, civil(2023, 12, 31)},
        MonthsCase{civil(2024, 3, 31), -1, civil(2024, 2, 29)},
        MonthsCase{civil(2023, 3, 31), -1, civil(2023, 2, 28)},
        MonthsCase{civil(2024, 1, 15), -2, civil(2023, 11, 15)},
        MonthsCase{civil(2024, 1, 15), -12, civil(2023, 1, 15)},
        MonthsCase{civil(2024, 1, 15), -13, civil(2022, 12, 15)},
        MonthsCase{civil(2024, 2, 29), -12, civil(2023, 2, 28)},
        MonthsCase{civil(2024, 5, 31), -3, civil(2024, 2, 29)},
        MonthsCase{civil(2024, 5, 31), -25, civil(2022, 4, 30)},
        MonthsCase{civil(1, 1, 1), -1, civil(0, 12, 1)},
        MonthsCase{civil(0, 1, 31), -1, civil(-1, 12, 31)},
        MonthsCase{civil(0, 3, 31), -1, civil(0, 2, 29)},
        // Nothing else moves; zero months is the identity.
        MonthsCase{civil(2024, 1, 31, 5, 34, 12, 999999), 1, civil(2024, 2, 29, 5, 34, 12, 999999)},
        MonthsCase{civil(2024, 7, 4, 23, 59, 59, 1), 0, civil(2024, 7, 4, 23, 59, 59, 1)},
        MonthsCase{civil(2024, 1, 31), 1200, civil(2124, 1, 31)},
        MonthsCase{civil(2024, 1, 31), -1200 * 12, civil(824, 1, 31)}));

TEST(CivilTime, AddMonthsIsTheMonthIndexPlusMonths) {
    // For every start month and shift in +-50 years, the month index moves by exactly `months`
    // and the day is min(start day, length of the target month).
    for (int start_month = 1; start_month <= 12; ++start_month) {
        for (std::int64_t months = -600; months <= 600; ++months) {
            const CivilTime from = civil(2000, start_month,
                                         31 > mvs::days_in_month(2000, start_month)
                                             ? mvs::days_in_month(2000, start_month)
                                             : 31);
            const CivilTime to = mvs::add_months(from, months);
            const std::int64_t index_from = 2000LL * 12 + start_month - 1;
            const std::int64_t index_to = static_cast<std::int64_t>(to.year) * 12 + to.month - 1;
            ASSERT_EQ(index_to - index_from, months) << start_month << " " << months;
            const int last = mvs::days_in_month(to.year, to.month);
            ASSERT_EQ(to.day, from.day < last ? from.day : last) << start_month << " " << months;
        }
    }
}

// --- add_days -------------------------------------------------------------------------------

struct DaysCase {
    CivilTime from;
    std::int64_t days;
    CivilTime expected;
};

class AddDaysTest : public ::testing::TestWithParam<DaysCase> {};

TEST_P(AddDaysTest, Adds) {
    const DaysCase& c = GetParam();
    EXPECT_EQ(mvs::add_days(c.from, c.days), c.expected);
}

INSTANTIATE_TEST_SUITE_P(CivilTime, AddDaysTest,
                         ::testing::Values(DaysCase{civil(2023, 12, 31), 1, civil(2024, 1, 1)},
                                           DaysCase{civil(2024, 1, 1), -1, civil(2023, 12, 31)},
                                           DaysCase{civil(2024, 2, 28), 1, civil(2024, 2, 29)},
                                           DaysCase{civil(2024, 2, 29), 1, civil(2024, 3, 1)},
                                           DaysCase{civil(2023, 2, 28), 1, civil(2023, 3, 1)},
                                           DaysCase{civil(2024, 3, 1), -1, civil(2024, 2, 29)},
                                           DaysCase{civil(2100, 2, 28), 1, civil(2100, 3, 1)},
                                           DaysCase{civil(2000, 2, 28), 1, civil(2000, 2, 29)},
                                           DaysCase{civil(1900, 2, 28), 1, civil(1900, 3, 1)},
                                           DaysCase{civil(2024, 1, 31), 1, civil(2024, 2, 1)},
                                           DaysCase{civil(2024, 4, 30), 1, civil(2024, 5, 1)},
                                           DaysCase{civil(2024, 1, 1), 366, civil(2025, 1, 1)},
                                           DaysCase{civil(2023, 1, 1), 365, civil(2024, 1, 1)},
                                           DaysCase{civil(1970, 1, 1), -1, civil(1969, 12, 31)},
                                           DaysCase{civil(1970, 1, 1), -25567, civil(1900, 1, 1)},
                                           DaysCase{civil(2024, 3, 25), 7, civil(2024, 4, 1)},
                                           DaysCase{civil(2024, 3, 25), -7 * 52,
                                                    civil(2023, 3, 27)},
                                           DaysCase{civil(2024, 6, 15), 0, civil(2024, 6, 15)},
                                           DaysCase{civil(2000, 1, 1), 146097, civil(2400, 1, 1)},
                                           DaysCase{civil(2024, 3, 30, 5, 34, 56, 7), 1,
                                                    civil(2024, 3, 31, 5, 34, 56, 7)},
                                           DaysCase{civil(2024, 12, 31, 23, 59, 59, 999999), 1,
                                                    civil(2025, 1, 1, 23, 59, 59, 999999)}));

TEST(CivilTime, AddDaysMatchesDayNumbers) {
    const CivilTime from = civil(2024, 2, 29, 12);
    const std::int64_t base = mvs::days_from_civil(2024, 2, 29);
    for (std::int64_t days = -3000; days <= 3000; ++days) {
        const CivilTime to = mvs::add_days(from, days);
        ASSERT_EQ(mvs::days_from_civil(to.year, to.month, to.day) - base, days);
        ASSERT_EQ(to.hour, 12);
    }
}

} // namespace
