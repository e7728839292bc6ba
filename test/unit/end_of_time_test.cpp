// Due times at the ends of time: huge intervals and counts, anchors near the years 1 and 9999.
// Core's instants end at 10000-01-01 00:00 UTC; a due time there or later is kNever, never a
// wrapped date, and every call returns quickly.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/cron.hpp"
#include "core/next_run.hpp"
#include "core/schedule.hpp"
#include "core/time_zone.hpp"
#include "test_support.hpp"

namespace {

using mvs::CalendarUnit;
using mvs::kNever;
using mvs::Schedule;
using mvs::UtcMicros;
using mvs_test::calendar;
using mvs_test::civil;
using mvs_test::every;
using mvs_test::kDay;
using mvs_test::kHour;
using mvs_test::kMinute;
using mvs_test::kSecond;
using mvs_test::show;
using mvs_test::StepZone;
using mvs_test::SystemZone;
using mvs_test::utc;

constexpr std::int32_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

// Computed by libc, not by core.
const UtcMicros kEnd = utc(10000, 1, 1);
const UtcMicros kStart = utc(1, 1, 1);

Schedule cron(const char* line) {
    const mvs::CronParse p = mvs::parse_cron(line);
    EXPECT_TRUE(p.ok) << line << ": " << p.message;
    Schedule s;
    s.kind = mvs::ScheduleKind::Cron;
    s.cron = p.spec;
    return s;
}

// Steps next_due_after from `after` up to `limit` times: every due time is after the one
// before and before the end of time, and the series ends with kNever within the limit.
std::vector<UtcMicros> step_to_the_end(const Schedule& s, UtcMicros anchor, UtcMicros after,
                                       const mvs::TimeZone& zone, int limit) {
    std::vector<UtcMicros> series;
    for (int i = 0; i < limit; ++i) {
        const UtcMicros next = mvs::next_due_after(s, anchor, after, zone);
        if (next == kNever)
            return series;
        EXPECT_GT(next, after) << "went backwards after " << show(after) << ": " << show(next);
        EXPECT_LT(next, kEnd) << "past the end of time: " << next;
        if (next <= after || next >= kEnd)
            return series;
        series.push_back(next);
        after = next;
    }
    ADD_FAILURE() << "no kNever after " << limit << " steps, last " << show(after);
    return series;
}

TEST(EndOfTime, AThousandYearsSteppedAThousandTimesEndsBeforeTheYear10000) {
    const Schedule s = every(12000, 0, 0);
    const UtcMicros anchor = utc(2026, 1, 1);
    for (const char* name : {"UTC", "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago"}) {
        SCOPED_TRACE(name);
        const SystemZone zone(name);
        const std::vector<UtcMicros> series = step_to_the_end(s, anchor, anchor - 1, zone, 1000);
        ASSERT_EQ(series.size(), 8U); // 2026, 3026, ..., 9026
        EXPECT_EQ(show(series.front()), show(anchor));
        EXPECT_EQ(show(series.back()), show(utc(9026, 1, 1)));
        EXPECT_EQ(mvs::next_due_after(s, anchor, series.back(), zone), kNever);
        EXPECT_EQ(mvs::next_due_after(s, anchor, kEnd - 1, zone), kNever);
    }
}

TEST(EndOfTime, HugeIntervalsEndTheSeriesAtOnce) {
    const mvs::FixedOffsetZone zone(0);
    const UtcMicros anchor = utc(2026, 3, 31, 12);
    const Schedule huge[] = {
        every(kInt32Max, 0, 0),     every(0, kInt32Max, 0),
        every(0, 0, kInt64Max),     every(kInt32Max, kInt32Max, kInt64Max),
        every(kInt32Max - 1, 1, 1), every(96000, 0, 0),
        every(0, 0, kEnd - anchor), every(0, 0, kEnd - anchor - 1),
        every(1, 0, kInt64Max - 1), every(0, 1, kInt64Max / 2),
    };
    for (const Schedule& s : huge) {
        SCOPED_TRACE(std::to_string(s.every.months) + " months " + std::to_string(s.every.days) +
                     " days " + std::to_string(s.every.micros) + " us");
        EXPECT_EQ(mvs::next_due_after(s, anchor, anchor - 1, zone), anchor);
        const UtcMicros second = mvs::next_due_after(s, anchor, anchor, zone);
        if (s.every.micros == kEnd - anchor - 1)
            EXPECT_EQ(show(second), show(kEnd - 1));
        else
            EXPECT_EQ(second, kNever) << show(second);
        EXPECT_EQ(mvs::next_due_after(s, anchor, anchor + kDay, zone),
                  s.every.micros == kEnd - anchor - 1 ? kEnd - 1 : kNever);
        const mvs::Advance a = mvs::advance_after_run(s, anchor, anchor, anchor + kHour, zone);
        EXPECT_EQ(a.next, second);
        EXPECT_EQ(a.skipped, 0);
    }
}

TEST(EndOfTime, MonthsAndDaysNearTheirLimitsStayOnTheGrid) {
    // The largest counts whose due times are still before the year 10000.
    const mvs::FixedOffsetZone zone(0);
    const UtcMicros anchor = utc(1, 1, 31, 6);
    EXPECT_EQ(show(mvs::next_due_after(every(119987, 0, 0), anchor, anchor, zone)),
              show(utc(9999, 12, 31, 6)));
    EXPECT_EQ(mvs::next_due_after(every(119988, 0, 0), anchor, anchor, zone), kNever);
    const std::int32_t days = static_cast<std::int32_t>((utc(9999, 12, 31) - utc(1, 1, 31)) / kDay);
    EXPECT_EQ(show(mvs::next_due_after(every(0, days, 0), anchor, anchor, zone)),
              show(utc(9999, 12, 31, 6)));
    EXPECT_EQ(mvs::next_due_after(every(0, days + 1, 0), anchor, anchor, zone), kNever);
    // Many small steps from year 1: the grid is still exact after millions of them.
    EXPECT_EQ(show(mvs::next_due_after(every(1, 0, 0), anchor, utc(9999, 11, 30, 7), zone)),
              show(utc(9999, 12, 31, 6)));
    EXPECT_EQ(mvs::next_due_after(every(1, 0, 0), anchor, utc(9999, 12, 31, 6), zone), kNever);
    const std::int64_t n = (utc(5000, 1, 1) - anchor) / (kDay + 1) + 1;
    EXPECT_EQ(show(mvs::next_due_after(every(0, 1, 1), anchor, utc(5000, 1, 1), zone)),
              show(anchor + n * (kDay + 1)));
}

TEST(EndOfTime, ElapsedIntervalsNearTheEnd) {
    const mvs::FixedOffsetZone zone(0);
    const UtcMicros anchor = utc(9999, 12, 31, 23);
    EXPECT_EQ(show(mvs::next_due_after(every(0, 0, 30 * kMinute), anchor, anchor, zone)),
              show(utc(9999, 12, 31, 23, 30)));
    EXPECT_EQ(mvs::next_due_after(every(0, 0, kHour), anchor, anchor, zone), kNever);
    const std::vector<UtcMicros> seconds =
        step_to_the_end(every(0, 0, kSecond), anchor, utc(9999, 12, 31, 23, 58), zone, 200);
    EXPECT_EQ(seconds.size(), 119U);
    // The same grid from year 1: 2^51 steps away.
    EXPECT_EQ(show(mvs::next_due_after(every(0, 0, 1), kStart, kEnd - 2, zone)), show(kEnd - 1));
    EXPECT_EQ(mvs::next_due_after(every(0, 0, 1), kStart, kEnd - 1, zone), kNever);
}

TEST(EndOfTime, CalendarWordsAndCronEndAtTheEnd) {
    for (const char* name : {"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"}) {
        SCOPED_TRACE(name);
        const SystemZone zone(name);
        for (CalendarUnit unit :
             {CalendarUnit::Minute, CalendarUnit::Hour, CalendarUnit::Day, CalendarUnit::Week,
              CalendarUnit::Month, CalendarUnit::Quarter, CalendarUnit::Year}) {
            SCOPED_TRACE(mvs::calendar_unit_name(unit));
            const UtcMicros from = unit == CalendarUnit::Minute ? kEnd - 3 * kHour
                                   : unit == CalendarUnit::Hour ? kEnd - 3 * kDay
                                                                : kEnd - 800 * kDay;
            const std::vector<UtcMicros> series =
                step_to_the_end(calendar(unit), 0, from, zone, 1000);
            EXPECT_FALSE(series.empty());
        }
        struct Line {
            const char* text;
            UtcMicros from;
        };
        for (const Line& line :
             {Line{"0 0 1 1 *", kEnd - 3 * 366 * kDay}, Line{"* * * * *", kEnd - 20 * kHour},
              Line{"0 0 29 2 *", kEnd - 9 * 366 * kDay}, Line{"@yearly", kEnd - 3 * 366 * kDay}}) {
            SCOPED_TRACE(line.text);
            EXPECT_FALSE(step_to_the_end(cron(line.text), 0, line.from, zone, 2000).empty());
        }
    }
}

TEST(EndOfTime, AnchorsAtTheYear1) {
    // The earliest instant a server accepts, in zones east and west of Greenwich.
    for (const char* name : {"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"}) {
        SCOPED_TRACE(name);
        const SystemZone zone(name);
        for (const Schedule& s :
             {every(1, 0, 0), every(0, 1, 0), every(0, 0, kHour), every(12000, 0, 0),
              calendar(CalendarUnit::Day), calendar(CalendarUnit::Year), cron("0 0 * * *")}) {
            if (s.kind == mvs::ScheduleKind::Interval) {
                EXPECT_EQ(mvs::next_due_after(s, kStart, kStart - 1, zone), kStart);
            }
            UtcMicros after = kStart - 1;
            for (int i = 0; i < 5; ++i) {
                const UtcMicros next = mvs::next_due_after(s, kStart, after, zone);
                ASSERT_NE(next, kNever);
                EXPECT_GT(next, after);
                EXPECT_LT(next, kEnd);
                after = next;
            }
        }
        const mvs::FirstRun r = mvs::first_run(every(1, 0, 0), true, kStart, kStart, zone);
        EXPECT_EQ(r.anchor, kStart);
        EXPECT_EQ(r.first, kStart);
    }
}

TEST(EndOfTime, InstantsOutsideTheRangeAreDefined) {
    // What a damaged catalog row could hold (PostgreSQL's -infinity and infinity): no overflow,
    // no hang, and nothing due past the end.
    const mvs::FixedOffsetZone zone(14 * 3600);
    const UtcMicros extremes[] = {kInt64Min, kInt64Min + 1, kStart - 1, kEnd,
                                  kEnd + 1,  kInt64Max - 1, kInt64Max};
    for (const Schedule& s :
         {every(0, 0, kSecond), every(1, 1, 1), every(96000, 0, 0),
          every(kInt32Max, kInt32Max, kInt64Max), calendar(CalendarUnit::Minute),
          calendar(CalendarUnit::Week), cron("*/5 * * * *")}) {
        for (UtcMicros anchor : extremes) {
            for (UtcMicros after : extremes) {
                const UtcMicros next = mvs::next_due_after(s, anchor, after, zone);
                if (next != kNever) {
                    EXPECT_GT(next, after);
                    EXPECT_GE(next, kStart);
                    EXPECT_LT(next, kEnd);
                }
                if (after >= kEnd - 1) {
                    EXPECT_EQ(next, kNever);
                }
                const mvs::Advance a = mvs::advance_after_run(s, anchor, after, after, zone);
                EXPECT_TRUE(a.next == kNever || (a.next > after && a.next < kEnd));
                const mvs::FirstRun r = mvs::first_run(s, true, anchor, after, zone);
                EXPECT_TRUE(r.first == kNever || r.first < kEnd);
            }
        }
    }
}

TEST(EndOfTime, ZonesWithHugeOffsetsStayBounded) {
    // A zone may claim any offset; core bounds what it believes, and still ends the series.
    const mvs::FixedOffsetZone far_east(kInt64Max / 4);
    const mvs::FixedOffsetZone far_west(kInt64Min / 4);
    const StepZone flip(-30 * 3600, utc(9999, 12, 31) / kSecond, 30 * 3600);
    const mvs::TimeZone* zones[] = {&far_east, &far_west, &flip};
    for (const mvs::TimeZone* zone : zones)
        for (const Schedule& s :
             {every(0, 1, 0), every(1, 0, 0), calendar(CalendarUnit::Hour),
              calendar(CalendarUnit::Day), calendar(CalendarUnit::Year), cron("0 * * * *")})
            step_to_the_end(s, utc(9999, 1, 1), utc(9999, 12, 20), *zone, 1000);
}

TEST(EndOfTime, CheckedCivilArithmetic) {
    mvs::CivilTime out;
    EXPECT_TRUE(mvs::try_add_months(civil(2024, 1, 31), 1, &out));
    EXPECT_EQ(out, civil(2024, 2, 29));
    EXPECT_TRUE(mvs::try_add_days(civil(9999, 12, 31), 1, &out));
    EXPECT_EQ(out, civil(10000, 1, 1));
    for (std::int64_t n : {kInt64Max, kInt64Min, kInt64Max / 12, kInt64Min / 12,
                           std::int64_t{366} * 1000000, std::int64_t{-366} * 1000000}) {
        EXPECT_FALSE(mvs::try_add_months(civil(2024, 1, 31), n, &out)) << n;
        EXPECT_FALSE(mvs::try_add_days(civil(2024, 1, 31), n, &out)) << n;
    }
    // The limit itself: years +-200000.
    EXPECT_TRUE(mvs::try_add_months(civil(2024, 1, 31), (200000 - 2024) * 12 + 11, &out));
    EXPECT_EQ(out, civil(200000, 12, 31));
    EXPECT_FALSE(mvs::try_add_months(civil(2024, 1, 31), (200000 - 2024) * 12 + 12, &out));
    EXPECT_FALSE(mvs::try_add_days(civil(200000, 12, 31), 1, &out));
    EXPECT_TRUE(mvs::try_add_days(civil(-200000, 1, 2), -1, &out));
    EXPECT_EQ(out, civil(-200000, 1, 1));
    EXPECT_FALSE(mvs::try_add_days(civil(-200000, 1, 1), -1, &out));
    EXPECT_FALSE(mvs::try_add_days(civil(200001, 1, 1), 0, &out));
}

} // namespace
