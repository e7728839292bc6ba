// next_cron on a real zone's wall clock, across daylight-saving changes: a reading the clock skips
// is due once, at the first instant after the gap (the change itself); a reading the clock shows
// twice is due once, at its first occurrence. Zones: Europe/Berlin, America/New_York,
// Australia/Lord_Howe (a 30-minute change), Antarctica/Casey (a 3-hour change back).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/cron.hpp"
#include "core/time_zone.hpp"
#include "cron_model.hpp"
#include "test_support.hpp"

namespace {

using mvs::CronParse;
using mvs::CronSpec;
using mvs::UtcMicros;
using mvs_test::floor_div;
using mvs_test::kDay;
using mvs_test::kHour;
using mvs_test::kMinute;
using mvs_test::kSecond;
using mvs_test::show;
using mvs_test::SystemZone;
using mvs_test::utc;

CronSpec parsed(const std::string& line) {
    const CronParse r = mvs::parse_cron(line);
    EXPECT_TRUE(r.ok) << "'" << line << "': " << r.message;
    return r.spec;
}

std::vector<std::string> shown(const std::vector<UtcMicros>& instants) {
    std::vector<std::string> out;
    for (UtcMicros t : instants)
        out.push_back(show(t));
    return out;
}

// ============================================================================================
// Tables: each due time is asked for from the one before
// ============================================================================================

struct ZoneCase {
    const char* name;
    const char* zone;
    const char* line;
    UtcMicros after;
    std::vector<UtcMicros> expected;
};

class CronZoneTest : public ::testing::TestWithParam<ZoneCase> {};

TEST_P(CronZoneTest, Sequence) {
    const ZoneCase& c = GetParam();
    const SystemZone zone(c.zone);
    const CronSpec s = parsed(c.line);
    std::vector<UtcMicros> got;
    UtcMicros after = c.after;
    for (std::size_t i = 0; i < c.expected.size(); ++i) {
        after = mvs::next_cron(s, after, zone);
        got.push_back(after);
    }
    EXPECT_EQ(shown(got), shown(c.expected)) << c.zone << " '" << c.line << "'";
}

// Every due time in the table is also what next_cron says from any instant between the one
// before and it.
TEST_P(CronZoneTest, SameFromAnyEarlierInstant) {
    const ZoneCase& c = GetParam();
    const SystemZone zone(c.zone);
    const CronSpec s = parsed(c.line);
    UtcMicros from = c.after;
    for (UtcMicros due : c.expected) {
        for (UtcMicros after : {from, from + (due - from) / 3, due - kSecond, due - 1}) {
            if (after < from)
                continue;
            EXPECT_INSTANT_EQ(mvs::next_cron(s, after, zone), due)
                << c.zone << " '" << c.line << "' after " << show(after);
        }
        from = due;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cron, CronZoneTest,
    ::testing::Values(
        // Europe/Berlin, spring forward on 2024-03-31 at 01:00 UTC: 02:00 CET becomes 03:00 CEST.
        ZoneCase{"Berlin_QuarterHoursThroughSpringForward",
                 "Europe/Berlin",
                 "*/15 * * * *",
                 utc(2024, 3, 31, 0, 30),
                 {utc(2024, 3, 31, 0, 45), utc(2024, 3, 31, 1, 0), utc(2024, 3, 31, 1, 15),
                  utc(2024, 3, 31, 1, 30)}},
        ZoneCase{"Berlin_HalfPastTwoRunsAtThree",
                 "Europe/Berlin",
                 "30 2 * * *",
                 utc(2024, 3, 29, 12),
                 {utc(2024, 3, 30, 1, 30), utc(2024, 3, 31, 1, 0), utc(2024, 4, 1, 0, 30)}},
        ZoneCase{"Berlin_TwoOClock",
                 "Europe/Berlin",
                 "0 2 * * *",
                 utc(2024, 3, 30, 12),
                 {utc(2024, 3, 31, 1, 0), utc(2024, 4, 1, 0, 0)}},
        ZoneCase{"Berlin_EndOfTheGap",
                 "Europe/Berlin",
                 "59 2 * * *",
                 utc(2024, 3, 30, 12),
                 {utc(2024, 3, 31, 1, 0), utc(2024, 4, 1, 0, 59)}},
        ZoneCase{"Berlin_ThreeOClockSharesTheInstant",
                 "Europe/Berlin",
                 "0 3 * * *",
                 utc(2024, 3, 30, 12),
                 {utc(2024, 3, 31, 1, 0), utc(2024, 4, 1, 1, 0)}},
        ZoneCase{"Berlin_GapReadingsRunOnce",
                 "Europe/Berlin",
                 "*/5 2 * * *",
                 utc(2024, 3, 31, 0, 0),
                 {utc(2024, 3, 31, 1, 0), utc(2024, 4, 1, 0, 0)}},
        ZoneCase{"Berlin_BeforeTheGap",
                 "Europe/Berlin",
                 "30 1 * * *",
                 utc(2024, 3, 30, 12),
                 {utc(2024, 3, 31, 0, 30), utc(2024, 3, 31, 23, 30)}},
        ZoneCase{"Berlin_HourlyThroughSpringForward",
                 "Europe/Berlin",
                 "0 * * * *",
                 utc(2024, 3, 30, 22, 30),
                 {utc(2024, 3, 30, 23, 0), utc(2024, 3, 31, 0, 0), utc(2024, 3, 31, 1, 0),
                  utc(2024, 3, 31, 2, 0)}},
        ZoneCase{
            "Berlin_SecondsThroughSpringForward",
            "Europe/Berlin",
            "* * * * * *",
            utc(2024, 3, 31, 0, 59, 58),
            {utc(2024, 3, 31, 0, 59, 59), utc(2024, 3, 31, 1, 0, 0), utc(2024, 3, 31, 1, 0, 1)}},
        ZoneCase{"Berlin_GapWithSeconds",
                 "Europe/Berlin",
                 "30 30 2 * * *",
                 utc(2024, 3, 30, 12),
                 {utc(2024, 3, 31, 1, 0), utc(2024, 4, 1, 0, 30, 30)}},
        // Europe/Berlin, fall back on 2024-10-27 at 01:00 UTC: 03:00 CEST becomes 02:00 CET.
        ZoneCase{"Berlin_QuarterHoursThroughFallBack",
                 "Europe/Berlin",
                 "*/15 * * * *",
                 utc(2024, 10, 26, 23, 50),
                 {utc(2024, 10, 27, 0, 0), utc(2024, 10, 27, 0, 15), utc(2024, 10, 27, 0, 30),
                  utc(2024, 10, 27, 0, 45), utc(2024, 10, 27, 2, 0), utc(2024, 10, 27, 2, 15)}},
        ZoneCase{"Berlin_RepeatedReadingRunsOnce",
                 "Europe/Berlin",
                 "30 2 * * *",
                 utc(2024, 10, 26, 12),
                 {utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30)}},
        ZoneCase{"Berlin_FromTheSecondPass",
                 "Europe/Berlin",
                 "*/15 * * * *",
                 utc(2024, 10, 27, 1, 10),
                 {utc(2024, 10, 27, 2, 0), utc(2024, 10, 27, 2, 15)}},
        ZoneCase{"Berlin_DailyFromTheSecondPass",
                 "Europe/Berlin",
                 "30 2 * * *",
                 utc(2024, 10, 27, 1, 10),
                 {utc(2024, 10, 28, 1, 30)}},
        ZoneCase{"Berlin_AtTheFirstOccurrence",
                 "Europe/Berlin",
                 "30 2 * * *",
                 utc(2024, 10, 27, 0, 30),
                 {utc(2024, 10, 28, 1, 30)}},
        ZoneCase{"Berlin_HourlyThroughFallBack",
                 "Europe/Berlin",
                 "0 * * * *",
                 utc(2024, 10, 26, 23, 30),
                 {utc(2024, 10, 27, 0, 0), utc(2024, 10, 27, 2, 0), utc(2024, 10, 27, 3, 0)}},
        ZoneCase{"Berlin_ThreeOClockAfterFallBack",
                 "Europe/Berlin",
                 "0 3 * * *",
                 utc(2024, 10, 26, 12),
                 {utc(2024, 10, 27, 2, 0), utc(2024, 10, 28, 2, 0)}},
        ZoneCase{"Berlin_BeforeTheRepeat",
                 "Europe/Berlin",
                 "59 1 * * *",
                 utc(2024, 10, 26, 12),
                 {utc(2024, 10, 26, 23, 59), utc(2024, 10, 28, 0, 59)}},
        ZoneCase{
            "Berlin_SecondsThroughFallBack",
            "Europe/Berlin",
            "* * * * * *",
            utc(2024, 10, 27, 0, 59, 58),
            {utc(2024, 10, 27, 0, 59, 59), utc(2024, 10, 27, 2, 0, 0), utc(2024, 10, 27, 2, 0, 1)}},
        ZoneCase{"Berlin_MinutesThroughFallBack",
                 "Europe/Berlin",
                 "* * * * *",
                 utc(2024, 10, 27, 0, 58, 30),
                 {utc(2024, 10, 27, 0, 59), utc(2024, 10, 27, 2, 0)}},
        // America/New_York, 2024-03-10 07:00 UTC: 02:00 EST becomes 03:00 EDT.
        ZoneCase{"NewYork_HalfPastTwoRunsAtThree",
                 "America/New_York",
                 "30 2 * * *",
                 utc(2024, 3, 9, 0),
                 {utc(2024, 3, 9, 7, 30), utc(2024, 3, 10, 7, 0), utc(2024, 3, 11, 6, 30)}},
        ZoneCase{"NewYork_QuarterHoursThroughSpringForward",
                 "America/New_York",
                 "*/15 * * * *",
                 utc(2024, 3, 10, 6, 40),
                 {utc(2024, 3, 10, 6, 45), utc(2024, 3, 10, 7, 0), utc(2024, 3, 10, 7, 15)}},
        ZoneCase{"NewYork_TwoOClockInSpring",
                 "America/New_York",
                 "0 2 * * *",
                 utc(2024, 3, 9, 12),
                 {utc(2024, 3, 10, 7, 0), utc(2024, 3, 11, 6, 0)}},
        // America/New_York, 2024-11-03 06:00 UTC: 02:00 EDT becomes 01:00 EST.
        ZoneCase{"NewYork_RepeatedReadingRunsOnce",
                 "America/New_York",
                 "30 1 * * *",
                 utc(2024, 11, 2, 12),
                 {utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30)}},
        ZoneCase{"NewYork_QuarterHoursThroughFallBack",
                 "America/New_York",
                 "*/15 * * * *",
                 utc(2024, 11, 3, 4, 50),
                 {utc(2024, 11, 3, 5, 0), utc(2024, 11, 3, 5, 15), utc(2024, 11, 3, 5, 30),
                  utc(2024, 11, 3, 5, 45), utc(2024, 11, 3, 7, 0)}},
        ZoneCase{"NewYork_HourlyThroughFallBack",
                 "America/New_York",
                 "0 * * * *",
                 utc(2024, 11, 3, 3, 30),
                 {utc(2024, 11, 3, 4, 0), utc(2024, 11, 3, 5, 0), utc(2024, 11, 3, 7, 0)}},
        ZoneCase{"NewYork_FromTheSecondPass",
                 "America/New_York",
                 "*/15 * * * *",
                 utc(2024, 11, 3, 6, 20),
                 {utc(2024, 11, 3, 7, 0)}},
        ZoneCase{"NewYork_TwoOClockInAutumn",
                 "America/New_York",
                 "0 2 * * *",
                 utc(2024, 11, 2, 12),
                 {utc(2024, 11, 3, 7, 0), utc(2024, 11, 4, 7, 0)}},
        ZoneCase{"NewYork_OneOClockInAutumn",
                 "America/New_York",
                 "0 1 * * *",
                 utc(2024, 11, 2, 12),
                 {utc(2024, 11, 3, 5, 0), utc(2024, 11, 4, 6, 0)}},
        // Australia/Lord_Howe, 2024-04-06 15:00 UTC: 02:00 +11 becomes 01:30 +10:30.
        ZoneCase{"LordHowe_QuarterHoursThroughFallBack",
                 "Australia/Lord_Howe",
                 "*/15 * * * *",
                 utc(2024, 4, 6, 14, 10),
                 {utc(2024, 4, 6, 14, 15), utc(2024, 4, 6, 14, 30), utc(2024, 4, 6, 14, 45),
                  utc(2024, 4, 6, 15, 30), utc(2024, 4, 6, 15, 45)}},
        ZoneCase{"LordHowe_RepeatedReadingRunsOnce",
                 "Australia/Lord_Howe",
                 "45 1 * * *",
                 utc(2024, 4, 6, 0),
                 {utc(2024, 4, 6, 14, 45), utc(2024, 4, 7, 15, 15)}},
        ZoneCase{"LordHowe_StartOfTheRepeat",
                 "Australia/Lord_Howe",
                 "30 1 * * *",
                 utc(2024, 4, 6, 0),
                 {utc(2024, 4, 6, 14, 30), utc(2024, 4, 7, 15, 0)}},
        ZoneCase{"LordHowe_BeforeTheRepeat",
                 "Australia/Lord_Howe",
                 "15 1 * * *",
                 utc(2024, 4, 6, 0),
                 {utc(2024, 4, 6, 14, 15), utc(2024, 4, 7, 14, 45)}},
        ZoneCase{"LordHowe_TwoOClockInAutumn",
                 "Australia/Lord_Howe",
                 "0 2 * * *",
                 utc(2024, 4, 6, 0),
                 {utc(2024, 4, 6, 15, 30), utc(2024, 4, 7, 15, 30)}},
        ZoneCase{"LordHowe_FromTheSecondPass",
                 "Australia/Lord_Howe",
                 "*/15 * * * *",
                 utc(2024, 4, 6, 15, 0),
                 {utc(2024, 4, 6, 15, 30)}},
        ZoneCase{"LordHowe_HourlyThroughFallBack",
                 "Australia/Lord_Howe",
                 "0 * * * *",
                 utc(2024, 4, 6, 13, 30),
                 {utc(2024, 4, 6, 14, 0), utc(2024, 4, 6, 15, 30), utc(2024, 4, 6, 16, 30)}},
        // Australia/Lord_Howe, 2024-10-05 15:30 UTC: 02:00 +10:30 becomes 02:30 +11.
        ZoneCase{"LordHowe_QuarterHoursThroughSpringForward",
                 "Australia/Lord_Howe",
                 "*/15 * * * *",
                 utc(2024, 10, 5, 15, 5),
                 {utc(2024, 10, 5, 15, 15), utc(2024, 10, 5, 15, 30), utc(2024, 10, 5, 15, 45)}},
        ZoneCase{"LordHowe_GapReadingRunsAtTheChange",
                 "Australia/Lord_Howe",
                 "15 2 * * *",
                 utc(2024, 10, 5, 0),
                 {utc(2024, 10, 5, 15, 30), utc(2024, 10, 6, 15, 15)}},
        ZoneCase{"LordHowe_EndOfTheGap",
                 "Australia/Lord_Howe",
                 "30 2 * * *",
                 utc(2024, 10, 5, 0),
                 {utc(2024, 10, 5, 15, 30), utc(2024, 10, 6, 15, 30)}},
        ZoneCase{"LordHowe_TwoOClockInSpring",
                 "Australia/Lord_Howe",
                 "0 2 * * *",
                 utc(2024, 10, 5, 0),
                 {utc(2024, 10, 5, 15, 30), utc(2024, 10, 6, 15, 0)}},
        ZoneCase{"LordHowe_BeforeTheGap",
                 "Australia/Lord_Howe",
                 "59 1 * * *",
                 utc(2024, 10, 5, 0),
                 {utc(2024, 10, 5, 15, 29), utc(2024, 10, 6, 14, 59)}},
        ZoneCase{"LordHowe_HourlyThroughSpringForward",
                 "Australia/Lord_Howe",
                 "0 * * * *",
                 utc(2024, 10, 5, 14, 0),
                 {utc(2024, 10, 5, 14, 30), utc(2024, 10, 5, 15, 30), utc(2024, 10, 5, 16, 0)}},
        // Antarctica/Casey, 2022-03-12 13:00 UTC: 00:00 +11 becomes 21:00 +08, three hours back.
        ZoneCase{"Casey_EverySecondThroughThreeHoursBack",
                 "Antarctica/Casey",
                 "* * * * * *",
                 utc(2022, 3, 12, 13, 0, 0),
                 {utc(2022, 3, 12, 16, 0, 0), utc(2022, 3, 12, 16, 0, 1)}},
        ZoneCase{"Casey_EverySecondFromTheLastFirstPassSecond",
                 "Antarctica/Casey",
                 "* * * * * *",
                 utc(2022, 3, 12, 12, 59, 58),
                 {utc(2022, 3, 12, 12, 59, 59), utc(2022, 3, 12, 16, 0, 0)}},
        ZoneCase{"Casey_EveryTwoSeconds",
                 "Antarctica/Casey",
                 "*/2 * * * * *",
                 utc(2022, 3, 12, 13, 0, 0),
                 {utc(2022, 3, 12, 16, 0, 0)}},
        ZoneCase{"Casey_EveryMinute",
                 "Antarctica/Casey",
                 "* * * * *",
                 utc(2022, 3, 12, 12, 58, 30),
                 {utc(2022, 3, 12, 12, 59), utc(2022, 3, 12, 16, 0)}},
        ZoneCase{"Casey_TenPmRunsOnce",
                 "Antarctica/Casey",
                 "0 22 * * *",
                 utc(2022, 3, 12, 0),
                 {utc(2022, 3, 12, 11, 0), utc(2022, 3, 13, 14, 0)}}),
    [](const ::testing::TestParamInfo<ZoneCase>& info) { return std::string(info.param.name); });

// Zones the tz database does not have: a 10-hour change either way.
TEST(CronZone, LongFallBackPassesOverEveryRepeatedReading) {
    const std::int64_t change = utc(2024, 1, 1) / kSecond;
    const mvs_test::StepZone zone(10 * 3600, change, 0);
    // Readings 00:00 to 10:00 on Jan 1 were shown before the change and are shown again after.
    EXPECT_INSTANT_EQ(mvs::next_cron(parsed("* * * * * *"), change * kSecond, zone),
                      utc(2024, 1, 1, 10, 0, 0));
    EXPECT_INSTANT_EQ(mvs::next_cron(parsed("* * * * *"), change * kSecond, zone),
                      utc(2024, 1, 1, 10, 0));
    EXPECT_INSTANT_EQ(mvs::next_cron(parsed("30 5 * * *"), change * kSecond, zone),
                      utc(2024, 1, 2, 5, 30));
    // The first pass: 05:30 on Jan 1 was shown at 19:30 UTC the day before.
    EXPECT_INSTANT_EQ(mvs::next_cron(parsed("30 5 * * *"), utc(2023, 12, 31, 12), zone),
                      utc(2023, 12, 31, 19, 30));
}

TEST(CronZone, LongGapRunsOnceAtTheChange) {
    const std::int64_t change = utc(2024, 1, 1) / kSecond;
    const mvs_test::StepZone zone(0, change, 10 * 3600);
    // Readings 00:00 to 10:00 on Jan 1 are skipped: they are due at the change.
    const CronSpec every_second = parsed("* * * * * *");
    EXPECT_INSTANT_EQ(mvs::next_cron(every_second, change * kSecond - 1, zone), change * kSecond);
    EXPECT_INSTANT_EQ(mvs::next_cron(every_second, change * kSecond, zone),
                      change * kSecond + kSecond);
    EXPECT_INSTANT_EQ(mvs::next_cron(parsed("30 5 * * *"), utc(2023, 12, 31, 12), zone),
                      change * kSecond);
    EXPECT_INSTANT_EQ(mvs::next_cron(parsed("30 5 * * *"), change * kSecond, zone),
                      utc(2024, 1, 1, 19, 30));
}

// ============================================================================================
// Property: random lines near daylight-saving changes, against a brute-force scan of instants
// ============================================================================================

// The zone's offsets over a window, looked up once (SystemZone asks libc every time).
class OffsetTable {
  public:
    OffsetTable(const mvs::TimeZone& zone, UtcMicros from, UtcMicros to) {
        first_ = zone.utc_offset_seconds(from / kSecond);
        for (UtcMicros change : mvs_test::offset_changes(zone, from, to))
            changes_.push_back({change / kSecond, zone.utc_offset_seconds(change / kSecond)});
    }
    std::int64_t at(std::int64_t secs) const {
        std::int64_t offset = first_;
        for (const auto& c : changes_)
            if (secs >= c.first)
                offset = c.second;
        return offset;
    }

  private:
    std::int64_t first_ = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> changes_;
};

// Every due instant in (after, end], found by walking the instants minute by minute (every
// change of offset in these zones falls on a whole minute): an instant is due when the clock
// shows a reading for the first time and that reading, or one the clock jumped over to get
// there, matches.
std::vector<UtcMicros> brute_force_dues(const mvs_test::CronModel& m, const OffsetTable& offsets,
                                        UtcMicros after, UtcMicros end) {
    std::vector<UtcMicros> dues;
    const std::int64_t first_minute = floor_div(after, kMinute) - 26 * 60;
    std::int64_t newest = 0; // the latest reading (in minutes) shown so far
    bool started = false;
    for (std::int64_t minute = first_minute; minute * kMinute <= end; ++minute) {
        const std::int64_t secs = minute * 60;
        const std::int64_t reading = floor_div(secs + offsets.at(secs), 60);
        if (started && reading <= newest)
            continue; // shown before
        bool due = false;
        for (std::int64_t r = started ? newest + 1 : reading; r <= reading; ++r)
            due = due || mvs_test::model_matches(m, mvs_test::utc_tm(r * 60));
        newest = reading;
        started = true;
        if (due && minute * kMinute > after)
            dues.push_back(minute * kMinute);
    }
    return dues;
}

void check_zone_against_brute_force(const char* zone_name, std::uint64_t seed, int cases) {
    const SystemZone zone(zone_name);
    const std::vector<UtcMicros> changes =
        mvs_test::offset_changes(zone, utc(2020, 1, 1), utc(2030, 1, 1));
    ASSERT_GE(changes.size(), 18u) << zone_name;
    mvs_test::CronGenerator gen(seed);
    for (int i = 0; i < cases; ++i) {
        mvs_test::CronModel m;
        do
            m = gen.line(false, true);
        while (!mvs_test::model_can_fire(m));
        const CronSpec s = parsed(m.text);
        UtcMicros after;
        if (gen.chance(80)) {
            const UtcMicros change = changes[gen.uniform(0, static_cast<int>(changes.size()) - 1)];
            after = change + gen.uniform(-36 * 60, 6 * 60) * kMinute;
            if (gen.chance(50))
                after += gen.uniform(-59999999, 59999999);
        } else {
            after = utc(2020, 1, 1) + std::uniform_int_distribution<std::int64_t>(
                                          0, 3650 * (kDay / kSecond))(gen.rng()) *
                                          kSecond;
        }
        const UtcMicros end = after + 2 * kDay;
        const OffsetTable offsets(zone, after - 2 * kDay, end + kDay);
        const std::vector<UtcMicros> expected = brute_force_dues(m, offsets, after, end);
        std::vector<UtcMicros> got;
        for (UtcMicros t = mvs::next_cron(s, after, zone); t <= end; t = mvs::next_cron(s, t, zone))
            got.push_back(t);
        ASSERT_EQ(shown(got), shown(expected))
            << zone_name << " '" << m.text << "' after " << show(after);
    }
}

TEST(CronZoneProperty, BerlinMatchesBruteForce) {
    check_zone_against_brute_force("Europe/Berlin", 11, 300);
}

TEST(CronZoneProperty, NewYorkMatchesBruteForce) {
    check_zone_against_brute_force("America/New_York", 12, 300);
}

TEST(CronZoneProperty, LordHoweMatchesBruteForce) {
    check_zone_against_brute_force("Australia/Lord_Howe", 13, 300);
}

} // namespace
