// Shared helpers for the unit tests: a TimeZone backed by the system's tz database, instants
// built with libc (so expectations do not come from the code under test), and readable printing.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/cron.hpp"
#include "core/schedule.hpp"
#include "core/time_zone.hpp"

namespace mvs {

// gtest finds these by argument-dependent lookup and prints values readably on failure.
inline void PrintTo(const CivilTime& t, std::ostream* os) {
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06d", t.year, t.month, t.day,
                  t.hour, t.minute, t.second, t.micro);
    *os << text;
}

inline void PrintTo(const CronSpec& s, std::ostream* os) {
    char text[200];
    std::snprintf(text, sizeof text,
                  "{seconds %llx minutes %llx hours %x days %x months %x weekdays %x%s%s%s}",
                  static_cast<unsigned long long>(s.seconds),
                  static_cast<unsigned long long>(s.minutes), static_cast<unsigned>(s.hours),
                  static_cast<unsigned>(s.days), static_cast<unsigned>(s.months),
                  static_cast<unsigned>(s.weekdays), s.last_day ? " last-day" : "",
                  s.days_star ? " days-star" : "", s.weekdays_star ? " weekdays-star" : "");
    *os << text;
}

} // namespace mvs

namespace mvs_test {

inline bool zone_installed(const char* name) {
    const char* dir = std::getenv("TZDIR");
    const std::string path = std::string(dir != nullptr ? dir : "/usr/share/zoneinfo") + "/" + name;
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A zone from the system tz database, read through libc: TZ=name, tzset(), localtime_r(). Like
// every mvs::TimeZone it is final and trivially destructible. glibc quietly falls back to UTC for
// a zone it cannot find, so a zone that is not installed fails the test that uses it.
class SystemZone final : public mvs::TimeZone {
  public:
    explicit SystemZone(const char* name) : name_(name), installed_(zone_installed(name)) {}

    const char* name() const { return name_; }

    std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const override {
        if (!installed_) {
            ADD_FAILURE() << "time zone " << name_ << " is not installed (package tzdata)";
            return 0;
        }
        const char* current = std::getenv("TZ");
        if (current == nullptr || std::strcmp(current, name_) != 0)
            setenv("TZ", name_, 1);
        tzset();
        const std::time_t t = static_cast<std::time_t>(utc_seconds);
        std::tm tm{};
        if (localtime_r(&t, &tm) == nullptr) {
            ADD_FAILURE() << "localtime_r failed for " << utc_seconds << " in " << name_;
            return 0;
        }
        return tm.tm_gmtoff;
    }

  private:
    const char* name_;
    bool installed_;
};

static_assert(std::is_trivially_destructible_v<SystemZone>);
static_assert(std::is_trivially_destructible_v<mvs::FixedOffsetZone>);

// A zone with one change of offset at `transition` (UTC seconds): for zones the tz database does
// not have, such as odd local-mean-time offsets.
class StepZone final : public mvs::TimeZone {
  public:
    StepZone(std::int64_t before, std::int64_t transition, std::int64_t after)
        : before_(before), transition_(transition), after_(after) {}
    std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const override {
        return utc_seconds < transition_ ? before_ : after_;
    }

  private:
    std::int64_t before_;
    std::int64_t transition_;
    std::int64_t after_;
};

static_assert(std::is_trivially_destructible_v<StepZone>);

constexpr std::int64_t kSecond = 1000000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// The instant of a UTC reading, computed by libc's timegm (not by the code under test).
inline mvs::UtcMicros utc(int year, int month, int day, int hour = 0, int minute = 0,
                          int second = 0, int micro = 0) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<mvs::UtcMicros>(timegm(&tm)) * kSecond + micro;
}

inline mvs::CivilTime civil(int year, int month, int day, int hour = 0, int minute = 0,
                            int second = 0, int micro = 0) {
    mvs::CivilTime t;
    t.year = year;
    t.month = month;
    t.day = day;
    t.hour = hour;
    t.minute = minute;
    t.second = second;
    t.micro = micro;
    return t;
}

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        --q;
    return q;
}

// The instants (UTC, whole seconds) in [from, to) at which the zone's offset changes; assumes at
// most one change a day, as in every zone the tests use.
inline std::vector<mvs::UtcMicros> offset_changes(const mvs::TimeZone& zone, mvs::UtcMicros from,
                                                  mvs::UtcMicros to) {
    std::vector<mvs::UtcMicros> changes;
    for (std::int64_t day = from / kSecond; day < to / kSecond; day += 86400) {
        std::int64_t lo = day;
        std::int64_t hi = day + 86400;
        const std::int64_t offset = zone.utc_offset_seconds(lo);
        if (zone.utc_offset_seconds(hi) == offset)
            continue;
        while (hi - lo > 1) {
            const std::int64_t mid = lo + (hi - lo) / 2;
            if (zone.utc_offset_seconds(mid) == offset)
                lo = mid;
            else
                hi = mid;
        }
        changes.push_back(hi * kSecond);
    }
    return changes;
}

// An instant as UTC text to the microsecond, via libc's gmtime_r. Comparing these strings gives
// exact comparisons with readable failures.
inline std::string show(mvs::UtcMicros t) {
    const std::int64_t secs = floor_div(t, kSecond);
    const std::int64_t micro = t - secs * kSecond;
    const std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    if (gmtime_r(&tt, &tm) == nullptr)
        return "out of range: " + std::to_string(t);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06lld UTC", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(micro));
    return text;
}

// Schedules as the parser would give them.
inline mvs::Schedule every(std::int32_t months, std::int32_t days, std::int64_t micros) {
    mvs::Schedule s;
    s.kind = mvs::ScheduleKind::Interval;
    s.every = mvs::IntervalSpec{months, days, micros};
    return s;
}

inline mvs::Schedule calendar(mvs::CalendarUnit unit) {
    mvs::Schedule s;
    s.kind = mvs::ScheduleKind::Calendar;
    s.unit = unit;
    return s;
}

} // namespace mvs_test

#define EXPECT_INSTANT_EQ(actual, expected)                                                        \
    EXPECT_EQ(::mvs_test::show(actual), ::mvs_test::show(expected))
#define ASSERT_INSTANT_EQ(actual, expected)                                                        \
    ASSERT_EQ(::mvs_test::show(actual), ::mvs_test::show(expected))
