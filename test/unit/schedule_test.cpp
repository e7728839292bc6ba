#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/cron.hpp"
#include "core/schedule.hpp"
#include "test_support.hpp"

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

Schedule once() {
    Schedule s;
    s.kind = ScheduleKind::Once;
    return s;
}

Schedule cron(const char* line) {
    const mvs::CronParse r = mvs::parse_cron(line);
    EXPECT_TRUE(r.ok) << line << ": " << r.message;
    Schedule s;
    s.kind = ScheduleKind::Cron;
    s.cron = r.spec;
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
                      // The longest accepted: 1000 years in each part.
                      IntervalCase{{12000, 366000, 31622400000000000},
                                   "interval 12000 366000 31622400000000000"}));

// Past the limit, the grid arithmetic could overflow: a stored spec like that is refused.
TEST(IntervalLimitTest, LongerThanAThousandYearsIsRefused) {
    for (const char* spec : {"interval 12001 0 0", "interval 0 366001 0",
                             "interval 0 0 31622400000000001", "interval 0 0 9223372036854775807",
                             "interval 2147483647 2147483647 9223372036854775807"}) {
        Schedule out = interval(7, 8, 9000000);
        EXPECT_FALSE(mvs::parse_spec(spec, &out)) << spec;
        EXPECT_TRUE(out == interval(7, 8, 9000000));
    }
    EXPECT_TRUE(mvs::interval_within_limit({12000, 366000, 31622400000000000}));
    EXPECT_FALSE(mvs::interval_within_limit({kMaxI32, 0, 0}));
}

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

// --- once -----------------------------------------------------------------------------------

TEST(Schedule, OnceFormatsAndRoundTrips) {
    EXPECT_EQ(format(once()), "once");
    Schedule back = interval(1, 2, 3);
    ASSERT_TRUE(mvs::parse_spec("once", &back));
    EXPECT_EQ(back.kind, ScheduleKind::Once);
    EXPECT_TRUE(back == once());
}

// --- cron -----------------------------------------------------------------------------------

struct CronTextCase {
    const char* line;
    const char* spec;
};

class CronSpecTest : public ::testing::TestWithParam<CronTextCase> {};

TEST_P(CronSpecTest, FormatsCanonically) {
    EXPECT_EQ(format(cron(GetParam().line)), GetParam().spec) << GetParam().line;
}

TEST_P(CronSpecTest, RoundTrips) {
    Schedule back = calendar(CalendarUnit::Day);
    ASSERT_TRUE(mvs::parse_spec(GetParam().spec, &back)) << GetParam().spec;
    EXPECT_EQ(back.kind, ScheduleKind::Cron);
    EXPECT_EQ(back.cron, cron(GetParam().line).cron) << GetParam().spec;
    EXPECT_TRUE(back == cron(GetParam().line));
}

TEST_P(CronSpecTest, ParsesOnlyTheExactText) {
    const std::string canonical = GetParam().spec;
    Schedule out = once();
    std::string upper = canonical;
    for (char& c : upper)
        c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    for (const std::string& bad :
         {canonical + " ", " " + canonical, canonical + "0", canonical + " 0", canonical + "\n",
          "cron  " + canonical.substr(5), "cron\t" + canonical.substr(5),
          "cron 0" + canonical.substr(5), "Cron " + canonical.substr(5),
          "cron +" + canonical.substr(5), "cron 0x" + canonical.substr(5), upper,
          canonical.substr(0, canonical.size() - 1) + "0" + canonical.substr(canonical.size() - 1),
          canonical.substr(0, canonical.size() - 2), canonical + std::string(1, '\0')})
        EXPECT_FALSE(mvs::parse_spec(bad, &out)) << "'" << bad << "'";
    EXPECT_TRUE(out == once());
}

INSTANTIATE_TEST_SUITE_P(
    Schedule, CronSpecTest,
    ::testing::Values(
        CronTextCase{"* * * * *", "cron 1 fffffffffffffff ffffff fffffffe 1ffe 7f 6"},
        CronTextCase{"* * * * * *",
                     "cron fffffffffffffff fffffffffffffff ffffff fffffffe 1ffe 7f 6"},
        CronTextCase{"0 0 L * *", "cron 1 1 1 0 1ffe 7f 5"},
        CronTextCase{"0 0 13 * 5", "cron 1 1 1 2000 1ffe 20 0"},
        CronTextCase{"0 0 1,L 2 0", "cron 1 1 1 2 4 1 1"},
        CronTextCase{"0 0 ? * mon", "cron 1 1 1 fffffffe 1ffe 2 2"},
        CronTextCase{"59 59 23 31 12 *",
                     "cron 800000000000000 800000000000000 800000 80000000 1000 7f 4"},
        CronTextCase{"*/15 9-17 * * mon-fri", "cron 1 200040008001 3fe00 fffffffe 1ffe 3e 2"},
        CronTextCase{"@yearly", "cron 1 1 1 2 2 7f 4"}),
    [](const ::testing::TestParamInfo<CronTextCase>& info) {
        std::string name = "c" + std::to_string(info.index);
        return name;
    });

mvs::CronSpec random_cron(std::mt19937_64& rng) {
    auto any = [&rng](int lo, int hi) {
        std::uint64_t m = 0;
        while (m == 0)
            for (int v = lo; v <= hi; ++v)
                if (rng() % 3 == 0)
                    m |= std::uint64_t{1} << v;
        return m;
    };
    mvs::CronSpec c;
    c.seconds = any(0, 59);
    c.minutes = any(0, 59);
    c.hours = static_cast<std::uint32_t>(any(0, 23));
    c.last_day = rng() % 4 == 0;
    c.days = c.last_day && rng() % 2 == 0 ? 0 : static_cast<std::uint32_t>(any(1, 31));
    c.months = static_cast<std::uint16_t>(any(1, 12));
    c.weekdays = static_cast<std::uint8_t>(any(0, 6));
    c.days_star = rng() % 2 == 0;
    c.weekdays_star = rng() % 2 == 0;
    return c;
}

TEST(Schedule, RandomCronSpecsRoundTrip) {
    std::mt19937_64 rng(17);
    for (int i = 0; i < 3000; ++i) {
        Schedule s;
        s.kind = ScheduleKind::Cron;
        s.cron = random_cron(rng);
        const std::string text = format(s);
        Schedule back;
        ASSERT_TRUE(mvs::parse_spec(text, &back)) << text;
        ASSERT_EQ(back.cron, s.cron) << text;
        ASSERT_EQ(format(back), text);
    }
}

// Whatever parse_spec accepts is exactly what format_spec writes for what it returns, with
// every mask in its range.
TEST(Schedule, DamagedSpecsAreRefusedOrCanonical) {
    std::mt19937_64 rng(18);
    const std::string alphabet = " 0123456789abcdefABCDEFx-+.\t";
    int accepted_changes = 0;
    for (int i = 0; i < 20000; ++i) {
        Schedule s;
        s.kind = ScheduleKind::Cron;
        s.cron = random_cron(rng);
        std::string text = format(s);
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % (text.size() + 1);
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
            case 0:
                if (at < text.size())
                    text[at] = c;
                break;
            case 1:
                if (at < text.size())
                    text.erase(at, 1);
                break;
            default:
                text.insert(at, 1, c);
                break;
            }
        }
        Schedule out;
        if (!mvs::parse_spec(text, &out))
            continue;
        ASSERT_EQ(out.kind, ScheduleKind::Cron) << text;
        ASSERT_EQ(format(out), text);
        const mvs::CronSpec& c = out.cron;
        ASSERT_NE(c.seconds, 0u) << text;
        ASSERT_EQ(c.seconds >> 60, 0u) << text;
        ASSERT_NE(c.minutes, 0u) << text;
        ASSERT_EQ(c.minutes >> 60, 0u) << text;
        ASSERT_NE(c.hours, 0u) << text;
        ASSERT_EQ(c.hours >> 24, 0u) << text;
        ASSERT_TRUE(c.days != 0 || c.last_day) << text;
        ASSERT_EQ(c.days & 1u, 0u) << text;
        ASSERT_NE(c.months, 0u) << text;
        ASSERT_EQ(c.months & ~0x1ffeu, 0u) << text;
        ASSERT_NE(c.weekdays, 0u) << text;
        ASSERT_EQ(c.weekdays >> 7, 0u) << text;
        ++accepted_changes;
    }
    // Some edits do make another valid spec (a digit for a digit).
    EXPECT_GT(accepted_changes, 0);
}

class DamagedCronSpecTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DamagedCronSpecTest, IsRejectedAndLeavesTheOutputAlone) {
    Schedule out = interval(7, 8, 9000000);
    EXPECT_FALSE(mvs::parse_spec(GetParam(), &out)) << "'" << GetParam() << "'";
    EXPECT_TRUE(out == interval(7, 8, 9000000));
}

INSTANTIATE_TEST_SUITE_P(
    Schedule, DamagedCronSpecTest,
    ::testing::Values(
        // Empty masks: the search for a due time would find none.
        "cron 0 1 1 2 4 1 1", "cron 1 0 1 2 4 1 1", "cron 1 1 0 2 4 1 1", "cron 1 1 1 0 4 1 0",
        "cron 1 1 1 0 4 1 2", "cron 1 1 1 0 4 1 6", "cron 1 1 1 2 0 1 1", "cron 1 1 1 2 4 0 1",
        // Bits out of range.
        "cron 1000000000000000 1 1 2 4 1 1", "cron 8000000000000000 1 1 2 4 1 1",
        "cron 1 1000000000000000 1 2 4 1 1", "cron 1 ffffffffffffffff 1 2 4 1 1",
        "cron 1 1 1000000 2 4 1 1", "cron 1 1 ffffffff 2 4 1 1", "cron 1 1 1 1 4 1 1",
        "cron 1 1 1 3 4 1 1", "cron 1 1 1 ffffffff 4 1 1", "cron 1 1 1 2 1 1 1",
        "cron 1 1 1 2 5 1 1", "cron 1 1 1 2 2000 1 1", "cron 1 1 1 2 8000 1 1",
        "cron 1 1 1 2 ffff 1 1", "cron 1 1 1 2 4 80 1", "cron 1 1 1 2 4 ff 1", "cron 1 1 1 2 4 1 8",
        "cron 1 1 1 2 4 1 9", "cron 1 1 1 2 4 1 -1", "cron 1 1 1 2 4 1 10",
        "cron 1 1 1 2 4 1 2147483648",
        // Too big for the field's type: must not wrap into a valid mask.
        "cron 10000000000000001 1 1 2 4 1 1", "cron 1 1 100000001 2 4 1 1",
        "cron 1 1 1 100000002 4 1 1", "cron 1 1 1 2 10004 1 1", "cron 1 1 1 2 4 101 1",
        // Shape.
        "cron", "cron ", "cron 1 1 1 2 4 1", "cron 1 1 1 2 4 1 1 1", "cron 1 1 1 2 4 1 1 ",
        " cron 1 1 1 2 4 1 1", "cron  1 1 1 2 4 1 1", "cron 1 1 1 2 4  1 1", "Cron 1 1 1 2 4 1 1",
        "CRON 1 1 1 2 4 1 1", "cron\t1 1 1 2 4 1 1", "cron 01 1 1 2 4 1 1", "cron 1 1 1 02 4 1 1",
        "cron 1 1 1 2 4 1 01", "cron 0x1 1 1 2 4 1 1", "cron +1 1 1 2 4 1 1", "cron -1 1 1 2 4 1 1",
        "cron 1 1 1 2 4 1 +1", "cron 1 1 1 2 4 1 -0", "cron 1 1 1 2 4 1 1.0", "cron 1 1 1 2 4 1 a",
        "cron 1 1 1 FFFFFFFE 4 1 1", "cron 1 1 1 fffffffe 1FFE 7f 6", "cron 1,1 1 2 4 1 1",
        "cron 1 1 1 2 4 1 1 # comment", "cron g 1 1 2 4 1 1",
        std::string("cron 1 1 1 2 4 1 1\0", 19), std::string("cron 1 1 1\0 2 4 1 1", 19),
        // Once, damaged.
        "once ", " once", "Once", "ONCE", "onc", "oncee", "once 1", "once\n",
        std::string("once\0", 5), "cron once", "once cron 1 1 1 2 4 1 1"));

TEST(Schedule, CronAndOnceNeedRoomForTheTerminatorToo) {
    for (const Schedule& s : {cron("* * * * * *"), cron("0 0 L * *"), once()}) {
        const std::string full = format(s);
        char buffer[128];
        for (std::size_t size = 1; size <= full.size(); ++size)
            EXPECT_FALSE(mvs::format_spec(s, buffer, size)) << full << " in " << size;
        EXPECT_TRUE(mvs::format_spec(s, buffer, full.size() + 1)) << full;
        EXPECT_EQ(full, buffer);
    }
}

TEST(Schedule, CronAndOnceEquality) {
    EXPECT_TRUE(once() == once());
    EXPECT_FALSE(once() == cron("* * * * *"));
    EXPECT_FALSE(once() == interval(0, 0, 1000000));
    EXPECT_FALSE(cron("* * * * *") == calendar(CalendarUnit::Minute));
    EXPECT_TRUE(cron("*/15 * * * *") == cron("0,15,30,45 * * * *"));
    for (const char* other : {"1 * * * * *", "1 * * * *", "* 1 * * *", "* * 1 * *", "* * * 1 *",
                              "* * * * 1", "* * L * *", "* * 1-31 * *", "* * * * 0-6"})
        EXPECT_FALSE(cron("* * * * *") == cron(other)) << other;
    // Leftover fields of other kinds do not matter.
    Schedule a = once();
    a.every = IntervalSpec{5, 6, 7};
    a.cron = cron("1 2 3 4 5").cron;
    EXPECT_TRUE(a == once());
    Schedule b = cron("1 2 3 4 5");
    b.every = IntervalSpec{5, 6, 7};
    b.unit = CalendarUnit::Year;
    EXPECT_TRUE(b == cron("1 2 3 4 5"));
}

// --- on change -------------------------------------------------------------------------------

Schedule on_change(std::int64_t micros) {
    Schedule s;
    s.kind = ScheduleKind::OnChange;
    s.every.micros = micros;
    return s;
}

TEST(OnChangeSpec, FormatsAndRoundTrips) {
    EXPECT_EQ(format(on_change(60000000)), "on change 60000000");
    Schedule back = interval(1, 2, 3);
    ASSERT_TRUE(mvs::parse_spec("on change 1000000", &back));
    EXPECT_EQ(back.kind, ScheduleKind::OnChange);
    EXPECT_EQ(back.every.micros, 1000000);
    EXPECT_TRUE(back == on_change(1000000));
    EXPECT_FALSE(back == on_change(2000000));
    EXPECT_FALSE(back == once());
}

TEST(OnChangeSpec, RefusesWhatItCannotRun) {
    Schedule out;
    for (const char* bad :
         {"on change", "on change ", "on change 999999", "on change 0", "on change -1000000",
          "on change 1000000 ", "on change 1e6", "On change 1000000", "on  change 1000000",
          "on change 99999999999999999999", "on change 40000000000000000"})
        EXPECT_FALSE(mvs::parse_spec(bad, &out)) << "'" << bad << "'";
}

TEST(OnChangeSpec, MinIntervalLimits) {
    EXPECT_FALSE(mvs::min_interval_valid(999999));
    EXPECT_TRUE(mvs::min_interval_valid(1000000));
    EXPECT_TRUE(mvs::min_interval_valid(std::int64_t{366000} * 86400 * 1000000));
    EXPECT_FALSE(mvs::min_interval_valid(std::int64_t{366000} * 86400 * 1000000 + 1));
    EXPECT_FALSE(mvs::min_interval_valid(INT64_MIN));
}

} // namespace
