// A schedule's life: next_due_after for cron and once schedules, repeat_from_start, the first due
// time (first_run) and the next one after each run (advance_after_run, coalescing missed runs).
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/cron.hpp"
#include "core/next_run.hpp"
#include "core/schedule.hpp"
#include "core/time_zone.hpp"
#include "cron_model.hpp"
#include "test_support.hpp"

namespace {

using mvs::Advance;
using mvs::CalendarUnit;
using mvs::FirstRun;
using mvs::IntervalSpec;
using mvs::kMaxCounted;
using mvs::kNever;
using mvs::Schedule;
using mvs::ScheduleKind;
using mvs::UtcMicros;
using mvs_test::calendar;
using mvs_test::every;
using mvs_test::kDay;
using mvs_test::kHour;
using mvs_test::kMinute;
using mvs_test::kSecond;
using mvs_test::show;
using mvs_test::SystemZone;
using mvs_test::utc;

Schedule cron(const char* line) {
    const mvs::CronParse r = mvs::parse_cron(line);
    EXPECT_TRUE(r.ok) << line << ": " << r.message;
    Schedule s;
    s.kind = ScheduleKind::Cron;
    s.cron = r.spec;
    return s;
}

Schedule once() {
    Schedule s;
    s.kind = ScheduleKind::Once;
    return s;
}

std::string describe(const Schedule& s) {
    char text[128];
    if (!mvs::format_spec(s, text, sizeof text))
        return "?";
    return text;
}

const char* const kUtc = "UTC";
const char* const kBerlin = "Europe/Berlin";
const char* const kLordHowe = "Australia/Lord_Howe";

const UtcMicros kT0 = utc(2024, 5, 1, 10);

// ============================================================================================
// next_due_after: once and cron
// ============================================================================================

TEST(NextDueAfter, OnceIsDueAtTheAnchorOnly) {
    const SystemZone zone(kBerlin);
    const UtcMicros anchor = utc(2024, 5, 1, 12);
    EXPECT_INSTANT_EQ(mvs::next_due_after(once(), anchor, anchor - 365 * kDay, zone), anchor);
    EXPECT_INSTANT_EQ(mvs::next_due_after(once(), anchor, anchor - kHour, zone), anchor);
    EXPECT_INSTANT_EQ(mvs::next_due_after(once(), anchor, anchor - 1, zone), anchor);
    EXPECT_EQ(mvs::next_due_after(once(), anchor, anchor, zone), kNever);
    EXPECT_EQ(mvs::next_due_after(once(), anchor, anchor + 1, zone), kNever);
    EXPECT_EQ(mvs::next_due_after(once(), anchor, anchor + 365 * kDay, zone), kNever);
}

TEST(NextDueAfter, CronIgnoresTheAnchor) {
    const SystemZone zone(kBerlin);
    const Schedule s = cron("*/15 * * * *");
    const UtcMicros after = utc(2024, 5, 1, 10, 7, 13);
    for (UtcMicros anchor : {UtcMicros{0}, after, after - 7 * kMinute, after + kDay, kNever})
        EXPECT_INSTANT_EQ(mvs::next_due_after(s, anchor, after, zone), utc(2024, 5, 1, 10, 15));
}

TEST(NextDueAfter, CronFollowsTheZonesWallClock) {
    // 09:00 on the wall clock of each zone.
    const Schedule s = cron("0 9 * * *");
    const UtcMicros after = utc(2024, 7, 1, 12);
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, 0, after, SystemZone(kUtc)), utc(2024, 7, 2, 9));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, 0, after, SystemZone(kBerlin)), utc(2024, 7, 2, 7));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, 0, after, SystemZone("America/New_York")),
                      utc(2024, 7, 1, 13));
    EXPECT_INSTANT_EQ(mvs::next_due_after(s, 0, after, SystemZone(kLordHowe)),
                      utc(2024, 7, 1, 22, 30));
}

// ============================================================================================
// repeat_from_start
// ============================================================================================

struct RepeatCase {
    CalendarUnit unit;
    IntervalSpec every;
};

class RepeatFromStartTest : public ::testing::TestWithParam<RepeatCase> {};

TEST_P(RepeatFromStartTest, WordBecomesItsInterval) {
    const Schedule s = mvs::repeat_from_start(calendar(GetParam().unit));
    EXPECT_EQ(s.kind, ScheduleKind::Interval);
    EXPECT_EQ(s.every.months, GetParam().every.months);
    EXPECT_EQ(s.every.days, GetParam().every.days);
    EXPECT_EQ(s.every.micros, GetParam().every.micros);
    // A schedule that format_spec and parse_spec can store.
    Schedule back;
    char text[128];
    ASSERT_TRUE(mvs::format_spec(s, text, sizeof text));
    ASSERT_TRUE(mvs::parse_spec(text, &back)) << text;
    EXPECT_TRUE(back == s);
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, RepeatFromStartTest,
                         ::testing::Values(RepeatCase{CalendarUnit::Minute, {0, 0, 60 * kSecond}},
                                           RepeatCase{CalendarUnit::Hour, {0, 0, 3600 * kSecond}},
                                           RepeatCase{CalendarUnit::Day, {0, 1, 0}},
                                           RepeatCase{CalendarUnit::Week, {0, 7, 0}},
                                           RepeatCase{CalendarUnit::Month, {1, 0, 0}},
                                           RepeatCase{CalendarUnit::Quarter, {3, 0, 0}},
                                           RepeatCase{CalendarUnit::Year, {12, 0, 0}}),
                         [](const ::testing::TestParamInfo<RepeatCase>& info) {
                             return std::string(mvs::calendar_unit_name(info.param.unit));
                         });

TEST(RepeatFromStart, OtherSchedulesStayAsTheyAre) {
    for (const Schedule& s : {every(0, 0, 5 * kMinute), every(1, 2, 3), cron("*/5 * * * *"),
                              cron("0 30 9 * * mon-fri"), once()}) {
        const Schedule r = mvs::repeat_from_start(s);
        EXPECT_EQ(r.kind, s.kind) << describe(s);
        EXPECT_TRUE(r == s) << describe(s);
    }
}

// ============================================================================================
// first_run
// ============================================================================================

struct FirstCase {
    const char* name;
    Schedule schedule;
    const char* zone;
    bool has_start_at;
    UtcMicros start_at;
    UtcMicros now;
    Schedule expected_schedule;
    UtcMicros expected_anchor;
    UtcMicros expected_first;
};

class FirstRunTest : public ::testing::TestWithParam<FirstCase> {};

TEST_P(FirstRunTest, GridAndFirstDueTime) {
    const FirstCase& c = GetParam();
    const SystemZone zone(c.zone);
    const FirstRun r = mvs::first_run(c.schedule, c.has_start_at, c.start_at, c.now, zone);
    EXPECT_EQ(describe(r.schedule), describe(c.expected_schedule));
    EXPECT_TRUE(r.schedule == c.expected_schedule);
    EXPECT_INSTANT_EQ(r.anchor, c.expected_anchor);
    EXPECT_INSTANT_EQ(r.first, c.expected_first);
    if (r.first != kNever) {
        // Never in the past, and a due time of the schedule it returns.
        EXPECT_GE(r.first, c.now);
        EXPECT_INSTANT_EQ(mvs::next_due_after(r.schedule, r.anchor, r.first - 1, zone), r.first);
    }
}

const UtcMicros kNow = utc(2024, 5, 1, 10, 17, 23, 500000);

INSTANTIATE_TEST_SUITE_P(
    Lifecycle, FirstRunTest,
    ::testing::Values(
        // Without start_at: anchored now, first due time after now (once: now).
        FirstCase{"IntervalWithoutStart", every(0, 0, 5 * kMinute), kUtc, false, 0, kNow,
                  every(0, 0, 5 * kMinute), kNow, kNow + 5 * kMinute},
        FirstCase{"HourlyWithoutStart", calendar(CalendarUnit::Hour), kUtc, false, 0, kNow,
                  calendar(CalendarUnit::Hour), kNow, utc(2024, 5, 1, 11)},
        FirstCase{"DailyWithoutStartBerlin", calendar(CalendarUnit::Day), kBerlin, false, 0,
                  utc(2024, 3, 30, 12), calendar(CalendarUnit::Day), utc(2024, 3, 30, 12),
                  utc(2024, 3, 30, 23)},
        FirstCase{"CronWithoutStart", cron("*/15 * * * *"), kUtc, false, 0, kNow,
                  cron("*/15 * * * *"), kNow, utc(2024, 5, 1, 10, 30)},
        FirstCase{"CronWithoutStartNowOnADueTime", cron("*/15 * * * *"), kUtc, false, 0,
                  utc(2024, 5, 1, 10, 15), cron("*/15 * * * *"), utc(2024, 5, 1, 10, 15),
                  utc(2024, 5, 1, 10, 30)},
        FirstCase{"CronWithoutStartBerlinGap", cron("30 2 * * *"), kBerlin, false, 0,
                  utc(2024, 3, 30, 12), cron("30 2 * * *"), utc(2024, 3, 30, 12),
                  utc(2024, 3, 31, 1)},
        FirstCase{"OnceWithoutStart", once(), kUtc, false, 0, kNow, once(), kNow, kNow},
        // With start_at in the future: the first due time at or after it.
        FirstCase{"IntervalFutureStart", every(0, 0, 5 * kMinute), kUtc, true, utc(2024, 5, 1, 12),
                  kNow, every(0, 0, 5 * kMinute), utc(2024, 5, 1, 12), utc(2024, 5, 1, 12)},
        FirstCase{"DailyWordFutureStartBerlin", calendar(CalendarUnit::Day), kBerlin, true,
                  utc(2024, 3, 29, 4, 34), utc(2024, 3, 28), every(0, 1, 0),
                  utc(2024, 3, 29, 4, 34), utc(2024, 3, 29, 4, 34)},
        FirstCase{"CronFutureStartOnADueTime", cron("0 9 * * *"), kUtc, true, utc(2024, 9, 10, 9),
                  utc(2024, 9, 1), cron("0 9 * * *"), utc(2024, 9, 10, 9), utc(2024, 9, 10, 9)},
        FirstCase{"CronFutureStartBetweenDueTimes", cron("0 9 * * *"), kUtc, true,
                  utc(2024, 9, 10, 9, 30), utc(2024, 9, 1), cron("0 9 * * *"),
                  utc(2024, 9, 10, 9, 30), utc(2024, 9, 11, 9)},
        FirstCase{"OnceFutureStart", once(), kUtc, true, utc(2024, 5, 2), kNow, once(),
                  utc(2024, 5, 2), utc(2024, 5, 2)},
        FirstCase{"OnceStartIsNow", once(), kUtc, true, kNow, kNow, once(), kNow, kNow},
        // With start_at in the past: the grid from start_at, the first due time not before now.
        FirstCase{"IntervalPastStart", every(0, 0, kHour), kUtc, true, utc(2024, 5, 1, 7),
                  utc(2024, 5, 1, 9, 30), every(0, 0, kHour), utc(2024, 5, 1, 7),
                  utc(2024, 5, 1, 10)},
        FirstCase{"IntervalPastStartNowOnTheGrid", every(0, 0, kHour), kUtc, true,
                  utc(2024, 5, 1, 7), utc(2024, 5, 1, 10), every(0, 0, kHour), utc(2024, 5, 1, 7),
                  utc(2024, 5, 1, 10)},
        FirstCase{"IntervalPastStartNowJustAfterTheGrid", every(0, 0, kHour), kUtc, true,
                  utc(2024, 5, 1, 7), utc(2024, 5, 1, 10) + 1, every(0, 0, kHour),
                  utc(2024, 5, 1, 7), utc(2024, 5, 1, 11)},
        FirstCase{"DailyWordPastStartBerlin", calendar(CalendarUnit::Day), kBerlin, true,
                  utc(2024, 3, 25, 4, 34), utc(2024, 3, 31, 12), every(0, 1, 0),
                  utc(2024, 3, 25, 4, 34), utc(2024, 4, 1, 3, 34)},
        FirstCase{"HourlyWordPastStart", calendar(CalendarUnit::Hour), kBerlin, true,
                  utc(2024, 5, 1, 10, 17), utc(2024, 5, 1, 13, 30), every(0, 0, kHour),
                  utc(2024, 5, 1, 10, 17), utc(2024, 5, 1, 14, 17)},
        FirstCase{"MinutelyWordPastStart", calendar(CalendarUnit::Minute), kUtc, true,
                  utc(2024, 5, 1, 10, 17, 30), utc(2024, 5, 1, 10, 20), every(0, 0, kMinute),
                  utc(2024, 5, 1, 10, 17, 30), utc(2024, 5, 1, 10, 20, 30)},
        FirstCase{"WeeklyWordPastStart", calendar(CalendarUnit::Week), kUtc, true,
                  utc(2024, 9, 4, 18), utc(2024, 9, 20), every(0, 7, 0), utc(2024, 9, 4, 18),
                  utc(2024, 9, 25, 18)},
        FirstCase{"MonthlyWordFromThe31st", calendar(CalendarUnit::Month), kUtc, true,
                  utc(2024, 1, 31, 9), utc(2024, 2, 15), every(1, 0, 0), utc(2024, 1, 31, 9),
                  utc(2024, 2, 29, 9)},
        FirstCase{"QuarterlyWordFromThe31st", calendar(CalendarUnit::Quarter), kUtc, true,
                  utc(2024, 1, 31), utc(2024, 2, 1), every(3, 0, 0), utc(2024, 1, 31),
                  utc(2024, 4, 30)},
        FirstCase{"YearlyWordFromALeapDay", calendar(CalendarUnit::Year), kUtc, true,
                  utc(2024, 2, 29, 8), utc(2024, 6, 1), every(12, 0, 0), utc(2024, 2, 29, 8),
                  utc(2025, 2, 28, 8)},
        FirstCase{"CronPastStart", cron("0 9 * * *"), kUtc, true, utc(2024, 9, 1),
                  utc(2024, 9, 10, 10), cron("0 9 * * *"), utc(2024, 9, 1), utc(2024, 9, 11, 9)},
        FirstCase{"CronPastStartNowOnADueTime", cron("0 9 * * *"), kUtc, true, utc(2024, 9, 1),
                  utc(2024, 9, 10, 9), cron("0 9 * * *"), utc(2024, 9, 1), utc(2024, 9, 10, 9)},
        FirstCase{"OncePastStart", once(), kUtc, true, kNow - kSecond, kNow, once(), kNow - kSecond,
                  kNever}),
    [](const ::testing::TestParamInfo<FirstCase>& info) { return std::string(info.param.name); });

// ============================================================================================
// advance_after_run
// ============================================================================================

struct AdvanceCase {
    const char* name;
    Schedule schedule;
    const char* zone;
    UtcMicros anchor;
    UtcMicros due;
    UtcMicros now;
    UtcMicros expected_next;
    std::int64_t expected_skipped;
};

class AdvanceTest : public ::testing::TestWithParam<AdvanceCase> {};

TEST_P(AdvanceTest, NextAndSkipped) {
    const AdvanceCase& c = GetParam();
    const SystemZone zone(c.zone);
    const Advance a = mvs::advance_after_run(c.schedule, c.anchor, c.due, c.now, zone);
    EXPECT_INSTANT_EQ(a.next, c.expected_next);
    EXPECT_EQ(a.skipped, c.expected_skipped);
    // Always the first due time after both the due time and now.
    EXPECT_INSTANT_EQ(a.next,
                      mvs::next_due_after(c.schedule, c.anchor, std::max(c.due, c.now), zone));
}

INSTANTIATE_TEST_SUITE_P(
    Lifecycle, AdvanceTest,
    ::testing::Values(
        AdvanceCase{"OnTime", every(0, 0, 5 * kMinute), kUtc, kT0, kT0 + 5 * kMinute,
                    kT0 + 5 * kMinute + 300000, kT0 + 10 * kMinute, 0},
        AdvanceCase{"ExactlyOnTime", every(0, 0, 5 * kMinute), kUtc, kT0, kT0, kT0,
                    kT0 + 5 * kMinute, 0},
        AdvanceCase{"TwelveMinutesLate", every(0, 0, 5 * kMinute), kUtc, kT0, kT0,
                    kT0 + 12 * kMinute, kT0 + 15 * kMinute, 2},
        AdvanceCase{"LateOntoTheGrid", every(0, 0, 5 * kMinute), kUtc, kT0, kT0, kT0 + 15 * kMinute,
                    kT0 + 20 * kMinute, 3},
        AdvanceCase{"StartedEarly", every(0, 0, 5 * kMinute), kUtc, kT0, kT0 + 5 * kMinute,
                    kT0 + 4 * kMinute, kT0 + 10 * kMinute, 0},
        AdvanceCase{"DayLongOutage", every(0, 0, kSecond), kUtc, kT0, kT0, kT0 + kDay,
                    kT0 + kDay + kSecond, 86400},
        AdvanceCase{"CountingStopsAtTheCap", every(0, 0, kSecond), kUtc, kT0, kT0, kT0 + 2 * kDay,
                    kT0 + 2 * kDay + kSecond, kMaxCounted},
        AdvanceCase{"CountingStopsAtTheCapAfterYears", every(0, 0, kSecond), kUtc, kT0, kT0,
                    kT0 + 3650 * kDay, kT0 + 3650 * kDay + kSecond, kMaxCounted},
        AdvanceCase{"JustUnderTheCap", every(0, 0, kSecond), kUtc, kT0, kT0,
                    kT0 + kMaxCounted* kSecond - 1, kT0 + kMaxCounted* kSecond, kMaxCounted - 1},
        AdvanceCase{"AtTheCap", every(0, 0, kSecond), kUtc, kT0, kT0, kT0 + kMaxCounted* kSecond,
                    kT0 + (kMaxCounted + 1) * kSecond, kMaxCounted},
        AdvanceCase{"CronOnTime", cron("*/15 * * * *"), kUtc, 0, kT0, kT0 + 2 * kSecond,
                    kT0 + 15 * kMinute, 0},
        AdvanceCase{"CronLate", cron("*/15 * * * *"), kUtc, 0, kT0, kT0 + 50 * kMinute,
                    kT0 + 60 * kMinute, 3},
        AdvanceCase{"CronLateOntoADueTime", cron("*/15 * * * *"), kUtc, 0, kT0, kT0 + 45 * kMinute,
                    kT0 + 60 * kMinute, 3},
        AdvanceCase{"CronSecondsUnderTheCap", cron("* * * * * *"), kUtc, 0, kT0,
                    kT0 + 1000 * kSecond, kT0 + 1001 * kSecond, 1000},
        AdvanceCase{"CronSecondsAtTheCap", cron("* * * * * *"), kUtc, 0, kT0, kT0 + 2 * kDay,
                    kT0 + 2 * kDay + kSecond, kMaxCounted},
        AdvanceCase{"CalendarDailyLate", calendar(CalendarUnit::Day), kUtc, 0, utc(2024, 9, 2),
                    utc(2024, 9, 5, 12), utc(2024, 9, 6), 3},
        AdvanceCase{"CalendarMinutelyAtTheCap", calendar(CalendarUnit::Minute), kUtc, 0,
                    utc(2024, 1, 1), utc(2024, 12, 1), utc(2024, 12, 1, 0, 1), kMaxCounted},
        AdvanceCase{"OnceRan", once(), kUtc, kT0, kT0, kT0 + kSecond, kNever, 0},
        AdvanceCase{"OnceRanLate", once(), kUtc, kT0, kT0, kT0 + 30 * kDay, kNever, 0},
        AdvanceCase{"MonthlyFromThe31stLate", every(1, 0, 0), kUtc, utc(2024, 1, 31, 9),
                    utc(2024, 1, 31, 9), utc(2024, 4, 15), utc(2024, 4, 30, 9), 2},
        AdvanceCase{"DailyFrom0534BerlinLateOverSpringForward", every(0, 1, 0), kBerlin,
                    utc(2024, 3, 29, 4, 34), utc(2024, 3, 30, 4, 34), utc(2024, 4, 1, 12),
                    utc(2024, 4, 2, 3, 34), 2},
        AdvanceCase{"BerlinCronThroughTheGap", cron("*/15 * * * *"), kBerlin, 0,
                    utc(2024, 3, 31, 0, 45), utc(2024, 3, 31, 1, 20), utc(2024, 3, 31, 1, 30), 2},
        AdvanceCase{"BerlinCronThroughFallBack", cron("*/15 * * * *"), kBerlin, 0,
                    utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 2, 10), utc(2024, 10, 27, 2, 15),
                    2},
        AdvanceCase{"LordHoweHourlyWordFromStart", every(0, 0, kHour), kLordHowe,
                    utc(2024, 4, 6, 10, 17), utc(2024, 4, 6, 13, 17), utc(2024, 4, 6, 16, 0),
                    utc(2024, 4, 6, 16, 17), 2}),
    [](const ::testing::TestParamInfo<AdvanceCase>& info) { return std::string(info.param.name); });

// ============================================================================================
// Runs over time: first_run, then advance_after_run after each run
// ============================================================================================

std::vector<UtcMicros> run_sequence(const Schedule& schedule, const mvs::TimeZone& zone,
                                    bool has_start_at, UtcMicros start_at, UtcMicros now, int runs,
                                    UtcMicros latency) {
    const FirstRun first = mvs::first_run(schedule, has_start_at, start_at, now, zone);
    std::vector<UtcMicros> dues;
    UtcMicros due = first.first;
    for (int i = 0; i < runs && due != kNever; ++i) {
        dues.push_back(due);
        const Advance a =
            mvs::advance_after_run(first.schedule, first.anchor, due, due + latency, zone);
        EXPECT_EQ(a.skipped, 0) << show(due);
        due = a.next;
    }
    return dues;
}

std::vector<std::string> shown(const std::vector<UtcMicros>& instants) {
    std::vector<std::string> out;
    for (UtcMicros t : instants)
        out.push_back(show(t));
    return out;
}

TEST(Lifecycle, DailyFrom0534BerlinStaysAt0534OverSpringForward) {
    const SystemZone zone(kBerlin);
    const std::vector<UtcMicros> expected = {
        utc(2024, 3, 29, 4, 34), utc(2024, 3, 30, 4, 34), utc(2024, 3, 31, 3, 34),
        utc(2024, 4, 1, 3, 34),  utc(2024, 4, 2, 3, 34),
    };
    EXPECT_EQ(shown(run_sequence(calendar(CalendarUnit::Day), zone, true, utc(2024, 3, 29, 4, 34),
                                 utc(2024, 3, 20), 5, 3 * kSecond)),
              shown(expected));
}

TEST(Lifecycle, DailyFrom0534BerlinStaysAt0534OverFallBack) {
    const SystemZone zone(kBerlin);
    const std::vector<UtcMicros> expected = {
        utc(2024, 10, 25, 3, 34), utc(2024, 10, 26, 3, 34), utc(2024, 10, 27, 4, 34),
        utc(2024, 10, 28, 4, 34), utc(2024, 10, 29, 4, 34),
    };
    // start_at in the past: the grid still comes from it.
    EXPECT_EQ(shown(run_sequence(calendar(CalendarUnit::Day), zone, true, utc(2024, 10, 1, 3, 34),
                                 utc(2024, 10, 25, 3, 0), 5, 90 * kSecond)),
              shown(expected));
}

TEST(Lifecycle, DailyThroughARepeatedReadingInLordHowe) {
    // 01:45 is shown twice on 2024-04-07: due at the first, and back to 01:45 the day after.
    const SystemZone zone(kLordHowe);
    const std::vector<UtcMicros> expected = {
        utc(2024, 4, 3, 14, 45), utc(2024, 4, 4, 14, 45), utc(2024, 4, 5, 14, 45),
        utc(2024, 4, 6, 14, 45), utc(2024, 4, 7, 15, 15), utc(2024, 4, 8, 15, 15),
    };
    EXPECT_EQ(shown(run_sequence(calendar(CalendarUnit::Day), zone, true, utc(2024, 4, 3, 14, 45),
                                 utc(2024, 4, 1), 6, kSecond)),
              shown(expected));
}

TEST(Lifecycle, DailyThroughASkippedReadingInLordHowe) {
    // 02:15 does not exist on 2024-10-06: due at the change, 02:30, and back to 02:15 after.
    const SystemZone zone(kLordHowe);
    const std::vector<UtcMicros> expected = {
        utc(2024, 10, 2, 15, 45), utc(2024, 10, 3, 15, 45), utc(2024, 10, 4, 15, 45),
        utc(2024, 10, 5, 15, 30), utc(2024, 10, 6, 15, 15), utc(2024, 10, 7, 15, 15),
    };
    EXPECT_EQ(shown(run_sequence(calendar(CalendarUnit::Day), zone, true, utc(2024, 10, 2, 15, 45),
                                 utc(2024, 10, 1), 6, kSecond)),
              shown(expected));
}

TEST(Lifecycle, HourlyFromStartIsElapsedTimeInLordHowe) {
    // An hour is an hour: across the 30-minute change the wall clock moves from :17 to :47.
    const SystemZone zone(kLordHowe);
    std::vector<UtcMicros> expected;
    for (int i = 0; i < 6; ++i)
        expected.push_back(utc(2024, 4, 6, 12, 17) + i * kHour);
    EXPECT_EQ(shown(run_sequence(calendar(CalendarUnit::Hour), zone, true, utc(2024, 4, 6, 12, 17),
                                 utc(2024, 4, 6), 6, kSecond)),
              shown(expected));
}

TEST(Lifecycle, CronThroughBothBerlinChanges) {
    const SystemZone zone(kBerlin);
    EXPECT_EQ(shown(run_sequence(cron("*/30 * * * *"), zone, false, 0, utc(2024, 3, 31, 0, 10), 4,
                                 kSecond)),
              shown({utc(2024, 3, 31, 0, 30), utc(2024, 3, 31, 1, 0), utc(2024, 3, 31, 1, 30),
                     utc(2024, 3, 31, 2, 0)}));
    EXPECT_EQ(shown(run_sequence(cron("*/30 * * * *"), zone, false, 0, utc(2024, 10, 27, 0, 10), 4,
                                 kSecond)),
              shown({utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 2, 0), utc(2024, 10, 27, 2, 30),
                     utc(2024, 10, 27, 3, 0)}));
}

TEST(Lifecycle, OnceRunsOnce) {
    const SystemZone zone(kBerlin);
    EXPECT_EQ(shown(run_sequence(once(), zone, false, 0, kNow, 5, kSecond)), shown({kNow}));
    EXPECT_EQ(shown(run_sequence(once(), zone, true, kNow + kDay, kNow, 5, kSecond)),
              shown({kNow + kDay}));
    EXPECT_TRUE(run_sequence(once(), zone, true, kNow - kDay, kNow, 5, kSecond).empty());
}

// A fixed grid does not drift, however late each run starts, as long as it starts before the
// next due time; later than that, the missed due times are counted and skipped.
TEST(Lifecycle, FixedGridDoesNotDrift) {
    const SystemZone zone(kBerlin);
    const Schedule s = every(0, 0, 5 * kMinute);
    const UtcMicros anchor = utc(2024, 3, 30, 22, 3, 7, 250);
    std::mt19937_64 rng(5);
    UtcMicros due = anchor;
    std::int64_t n = 0;
    for (int i = 0; i < 2000; ++i) {
        const bool very_late = i % 10 == 9;
        const UtcMicros latency = std::uniform_int_distribution<UtcMicros>(
            0, very_late ? 30 * kMinute : 5 * kMinute - 1)(rng);
        const Advance a = mvs::advance_after_run(s, anchor, due, due + latency, zone);
        const std::int64_t missed = latency / (5 * kMinute);
        ASSERT_EQ(a.skipped, missed) << i;
        n += missed + 1;
        ASSERT_INSTANT_EQ(a.next, anchor + n * 5 * kMinute);
        due = a.next;
    }
}

TEST(Lifecycle, CronGridDoesNotDrift) {
    // "*/7": minutes 0, 7, ..., 56 of every hour, then 0 again.
    const SystemZone zone(kBerlin);
    const Schedule s = cron("*/7 * * * *");
    std::mt19937_64 rng(6);
    UtcMicros due = utc(2024, 10, 26, 20, 0);
    for (int i = 0; i < 1500; ++i) {
        const UtcMicros now =
            due + std::uniform_int_distribution<UtcMicros>(0, i % 5 == 4 ? kHour : kMinute)(rng);
        const Advance a = mvs::advance_after_run(s, 0, due, now, zone);
        // Count the due times in (due, now] and find the next one minute by minute: in this zone
        // a whole minute in UTC is a whole minute on the wall clock.
        std::int64_t missed = 0;
        UtcMicros next = 0;
        for (UtcMicros t = (due / kMinute + 1) * kMinute;; t += kMinute) {
            const std::int64_t offset = zone.utc_offset_seconds(t / kSecond);
            const std::int64_t minute = (t / kSecond + offset) / 60 % 60;
            // A reading shown for the second time (the hour after the clocks went back) is not
            // due.
            const bool repeated = zone.utc_offset_seconds(t / kSecond - 3600) > offset;
            if (minute % 7 != 0 || repeated)
                continue;
            if (t <= now) {
                ++missed;
                continue;
            }
            next = t;
            break;
        }
        ASSERT_EQ(a.skipped, missed) << show(due) << " " << show(now);
        ASSERT_INSTANT_EQ(a.next, next);
        due = a.next;
    }
}

// For every kind of schedule: next is the first due time after max(due, now), and skipped the
// number of due times in (due, now], stopping at kMaxCounted.
TEST(Lifecycle, AdvanceAgreesWithSteppingThroughDueTimes) {
    const SystemZone zone(kBerlin);
    mvs_test::CronGenerator gen(8);
    for (int i = 0; i < 600; ++i) {
        Schedule s;
        switch (i % 5) {
        case 0:
            s = every(0, 0, gen.uniform(1, 7200) * kSecond);
            break;
        case 1:
            s = every(gen.uniform(0, 2), gen.uniform(0, 3), gen.uniform(0, 3) * kHour);
            if (s.every.months == 0 && s.every.days == 0 && s.every.micros == 0)
                s.every.days = 1;
            break;
        case 2:
            s = calendar(static_cast<CalendarUnit>(gen.uniform(0, 6)));
            break;
        case 3: {
            mvs_test::CronModel m;
            do
                m = gen.line(gen.chance(20));
            while (!mvs_test::model_can_fire(m));
            s = cron(m.text.c_str());
            break;
        }
        default:
            s = once();
            break;
        }
        const UtcMicros anchor =
            utc(2024, 1, 1) + std::uniform_int_distribution<UtcMicros>(0, 300 * kDay)(gen.rng());
        const UtcMicros base =
            anchor + std::uniform_int_distribution<UtcMicros>(-kDay, 30 * kDay)(gen.rng());
        const UtcMicros due =
            s.kind == ScheduleKind::Once ? anchor : mvs::next_due_after(s, anchor, base, zone);
        ASSERT_NE(due, kNever) << describe(s);
        // Long outages, but not for cron lines with seconds, which would count one by one.
        const bool dense = s.kind == ScheduleKind::Cron && s.cron.seconds != 1;
        const UtcMicros lag = gen.chance(10)
                                  ? -std::uniform_int_distribution<UtcMicros>(0, kHour)(gen.rng())
                                  : std::uniform_int_distribution<UtcMicros>(
                                        0, gen.chance(50) || dense ? kHour : 20 * kDay)(gen.rng());
        const UtcMicros now = due + lag;
        const Advance a = mvs::advance_after_run(s, anchor, due, now, zone);
        std::int64_t count = 0;
        UtcMicros t = mvs::next_due_after(s, anchor, due, zone);
        while (t != kNever && t <= now && count < kMaxCounted) {
            ++count;
            t = mvs::next_due_after(s, anchor, t, zone);
        }
        const UtcMicros expected_next = mvs::next_due_after(s, anchor, std::max(due, now), zone);
        ASSERT_EQ(a.skipped, count) << describe(s) << " due " << show(due) << " now " << show(now);
        ASSERT_INSTANT_EQ(a.next, expected_next);
        if (a.next != kNever) {
            EXPECT_GT(a.next, now);
            EXPECT_GT(a.next, due);
        }
    }
}

} // namespace
