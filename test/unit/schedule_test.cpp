#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/schedule.hpp"

namespace {

using mvs::CalendarUnit;
using mvs::IntervalSpec;
using mvs::Schedule;
using mvs::ScheduleKind;

Schedule calendar(CalendarUnit unit) {
    Schedule s;
    s.kind = ScheduleKind::Calendar;
    s.unit = unit;
    return s;
}

Schedule interval(std::int32_t months, std::int32_t days, std::int64_t micros) {
    Schedule s;
    s.kind = ScheduleKind::Interval;
    s.every = IntervalSpec{months, days, micros};
    return s;
}

std::string format(const Schedule& s) {
    char buffer[128];
    std::memset(buffer, 'x', sizeof buffer);
    EXPECT_TRUE(mvs::format_spec(s, buffer, sizeof buffer));
    return buffer;
}

// --- calendar units -------------------------------------------------------------------------

struct UnitCase {
    CalendarUnit unit;
    const char* name;
};

class CalendarSpecTest : public ::testing::TestWithParam<UnitCase> {};

TEST_P(CalendarSpecTest, UnitName) {
    EXPECT_STREQ(mvs::calendar_unit_name(GetParam().unit), GetParam().name);
}

TEST_P(CalendarSpecTest, FormatsCanonically) {
    EXPECT_EQ(format(calendar(GetParam().unit)), std::string("calendar ") + GetParam().name);
}

TEST_P(CalendarSpecTest, RoundTrips) {
    const Schedule s = calendar(GetParam().unit);
    Schedule back = interval(1, 2, 3);
    ASSERT_TRUE(mvs::parse_spec(format(s), &back));
    EXPECT_EQ(back.kind, ScheduleKind::Calendar);
    EXPECT_EQ(back.unit, GetParam().unit);
    EXPECT_TRUE(back == s);
}

TEST_P(CalendarSpecTest, ParsesOnlyTheExactText) {
    const std::string canonical = std::string("calendar ") + GetParam().name;
    Schedule out;
    for (const std::string& bad :
         {canonical + " ", " " + canonical, canonical + "s", canonical + "\n",
          std::string("calendar  ") + GetParam().name, std::string("calendar\t") + GetParam().name,
          std::string("Calendar ") + GetParam().name, std::string("calendar") + GetParam().name,
          canonical.substr(0, canonical.size() - 1), canonical + " hour",
          std::string("interval ") + GetParam().name})
        EXPECT_FALSE(mvs::parse_spec(bad, &out)) << "'" << bad << "'";
    std::string upper = canonical;
    for (char& c : upper)
        c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(mvs::parse_spec(upper, &out)) << upper;
}

INSTANTIATE_TEST_SUITE_P(
    Schedule, CalendarSpecTest,
    ::testing::Values(UnitCase{CalendarUnit::Minute, "minute"},
                      UnitCase{CalendarUnit::Hour, "hour"}, UnitCase{CalendarUnit::Day, "day"},
                      UnitCase{CalendarUnit::Week, "week"}, UnitCase{CalendarUnit::Month, "month"},
                      UnitCase{CalendarUnit::Quarter, "quarter"},
                      UnitCase{CalendarUnit::Year, "year"}),
    [](const ::testing::TestParamInfo<UnitCase>& info) { return std::string(info.param.name); });

TEST(Schedule, UnknownUnitHasAPlaceholderName) {
    EXPECT_STREQ(mvs::calendar_unit_name(static_cast<CalendarUnit>(200)), "?");
}

// --- intervals ------------------------------------------------------------------------------

struct IntervalCase {
    IntervalSpec every;
    const char* text;
};

class IntervalSpecTest : public ::testing::TestWithParam<IntervalCase> {};

TEST_P(IntervalSpecTest, FormatsCanonically) {
    const IntervalSpec& e = GetParam().every;
    EXPECT_EQ(format(interval(e.months, e.days, e.micros)), GetParam().text);
}

TEST_P(IntervalSpecTest, RoundTrips) {
    const IntervalSpec& e = GetParam().every;
    Schedule back = calendar(CalendarUnit::Year);
    ASSERT_TRUE(mvs::parse_spec(GetParam().text, &back)) << GetParam().text;
    EXPECT_EQ(back.kind, ScheduleKind::Interval);
    EXPECT_EQ(back.every.months, e.months);
    EXPECT_EQ(back.every.days, e.days);
    EXPECT_EQ(back.every.micros, e.micros);
    EXPECT_TRUE(back == interval(e.months, e.days, e.micros));
}

constexpr std::int32_t kMaxI32 = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxI64 = std::numeric_limits<std::int64_t>::max();

INSTANTIATE_TEST_SUITE_P(
    Schedule, IntervalSpecTest,
    ::testing::Values(IntervalCase{{0, 0, 1000000}, "interval 0 0 1000000"},
                      IntervalCase{{0, 0, 30000000}, "interval 0 0 30000000"},
                      IntervalCase{{0, 0, 5400000000}, "interval 0 0 5400000000"},
                      IntervalCase{{0, 0, 86400000000}, "interval 0 0 86400000000"},
                      IntervalCase{{0, 1, 0}, "interval 0 1 0"},
                      IntervalCase{{1, 0, 0}, "interval 1 0 0"},
                      IntervalCase{{12, 0, 0}, "interval 12 0 0"},
                      IntervalCase{{1, 2, 3}, "interval 1 2 3"},
                      IntervalCase{{0, 1, 7200000000}, "interval 0 1 7200000000"},
                      IntervalCase{{0, 0, 1000000000000000}, "interval 0 0 1000000000000000"},
                      IntervalCase{{0, 0, kMaxI64}, "interval 0 0 9223372036854775807"},
                      IntervalCase{{kMaxI32, kMaxI32, kMaxI64},
                                   "interval 2147483647 2147483647 9223372036854775807"}));

// --- garbage --------------------------------------------------------------------------------

class GarbageSpecTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GarbageSpecTest, IsRejectedAndLeavesTheOutputAlone) {
    Schedule out = interval(7, 8, 9000000);
    EXPECT_FALSE(mvs::parse_spec(GetParam(), &out)) << "'" << GetParam() << "'";
    EXPECT_TRUE(out == interval(7, 8, 9000000));
}

INSTANTIATE_TEST_SUITE_P(
    Schedule, GarbageSpecTest,
    ::testing::Values(
        "", " ", "calendar", "calendar ", "calendar hourly", "calendar hours", "calendar minutes",
        "calendar fortnight", "calendar ?", "calendar aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "hourly",
        "hour", "interval", "interval ", "interval 1", "interval 1 2", "interval 1 2 ",
        "interval 1 2 3 ", " interval 1 2 3", "interval 1 2 3 4", "interval a b c",
        "interval 1 2 3x", "interval 1.5 0 0", "interval 0 0 1e6", "interval 0x10 0 0",
        "interval 1,2,3", "Interval 1 2 3", "interval\t1 2 3", "interval  1 2 3", "interval 1  2 3",
        "interval +1 2 3", "interval 01 2 3", "interval 1 2 03", "interval -0 0 1000000",
        // Intervals next_due_after cannot step by.
        "interval 0 0 0", "interval -1 0 0", "interval 0 -1 0", "interval 0 0 -1000000",
        "interval 1 -1 0", "interval -2147483648 0 0", "interval 0 0 -9223372036854775808",
        // Out of range: must not wrap or saturate into some other schedule.
        "interval 2147483648 0 0", "interval 4294967297 0 0", "interval 0 2147483648 0",
        "interval 0 0 9223372036854775808", "interval 0 0 99999999999999999999",
        std::string("calendar hour\0", 14), std::string("interval 0 0 1000000\0junk", 25)));

// --- buffers --------------------------------------------------------------------------------

TEST(Schedule, FormatSpecNeedsRoomForTheTerminator) {
    for (const Schedule& s : {calendar(CalendarUnit::Quarter), interval(1, 2, 3),
                              interval(kMaxI32, kMaxI32, kMaxI64)}) {
        const std::string full = format(s);
        char buffer[128];
        for (std::size_t size = 1; size <= full.size(); ++size) {
            EXPECT_FALSE(mvs::format_spec(s, buffer, size)) << full << " in " << size;
            // snprintf still terminates what it wrote.
            EXPECT_EQ(std::strlen(buffer), size - 1);
        }
        EXPECT_TRUE(mvs::format_spec(s, buffer, full.size() + 1)) << full;
        EXPECT_EQ(full, buffer);
    }
    char unused = 'x';
    EXPECT_FALSE(mvs::format_spec(calendar(CalendarUnit::Day), &unused, 0));
    EXPECT_EQ(unused, 'x');
}

// --- equality -------------------------------------------------------------------------------

TEST(Schedule, Equality) {
    EXPECT_TRUE(interval(1, 2, 3) == interval(1, 2, 3));
    EXPECT_FALSE(interval(1, 2, 3) == interval(0, 2, 3));
    EXPECT_FALSE(interval(1, 2, 3) == interval(1, 0, 3));
    EXPECT_FALSE(interval(1, 2, 3) == interval(1, 2, 4));
    EXPECT_TRUE(calendar(CalendarUnit::Day) == calendar(CalendarUnit::Day));
    EXPECT_FALSE(calendar(CalendarUnit::Day) == calendar(CalendarUnit::Week));
    EXPECT_FALSE(calendar(CalendarUnit::Hour) == interval(0, 0, 3600000000));
    // A calendar schedule is its unit: leftover interval fields do not matter, and the other way.
    Schedule a = calendar(CalendarUnit::Month);
    a.every = IntervalSpec{5, 6, 7};
    EXPECT_TRUE(a == calendar(CalendarUnit::Month));
    Schedule b = interval(1, 2, 3);
    b.unit = CalendarUnit::Year;
    EXPECT_TRUE(b == interval(1, 2, 3));
}

} // namespace
