// Calendar arithmetic on the proleptic Gregorian calendar, with no time zone.
#pragma once

#include <cstdint>

namespace mvs {

// An instant: microseconds since 1970-01-01 00:00:00 UTC.
using UtcMicros = std::int64_t;

// "No such instant": a schedule with no further due time.
constexpr UtcMicros kNever = INT64_MAX;

constexpr std::int64_t kMicrosPerSecond = 1000000;
constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::int64_t kMicrosPerDay = kSecondsPerDay * kMicrosPerSecond;

// The span of time core computes in, the instants a server accepts as arguments: from
// 0001-01-01 00:00 UTC (kStartOfTime) up to, not including, 10000-01-01 00:00 UTC (kEndOfTime).
// A due time at or past the end is kNever.
constexpr UtcMicros kStartOfTime = -719162 * kMicrosPerDay;
constexpr UtcMicros kEndOfTime = 2932897 * kMicrosPerDay;

// Years the checked arithmetic below produces: wall_micros of any of them fits in 64 bits.
constexpr std::int64_t kCivilYearLimit = 200000;

// A wall-clock reading: what a clock on the wall shows, in no particular zone.
struct CivilTime {
    int year = 1970;
    int month = 1; // 1..12
    int day = 1;   // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
    int micro = 0;
};

// Floor division (C++ division truncates toward zero), and whole seconds of an instant.
std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept;
inline std::int64_t floor_seconds(UtcMicros t) noexcept {
    return floor_div(t, kMicrosPerSecond);
}

bool operator==(const CivilTime& a, const CivilTime& b) noexcept;
inline bool operator!=(const CivilTime& a, const CivilTime& b) noexcept {
    return !(a == b);
}

bool is_leap_year(std::int64_t year) noexcept;
int days_in_month(std::int64_t year, int month) noexcept;

// Days since 1970-01-01 for a date, and back.
std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept;
void civil_from_days(std::int64_t days, std::int64_t* year, int* month, int* day) noexcept;

// ISO weekday of a day number: 1 = Monday ... 7 = Sunday.
int iso_weekday(std::int64_t days) noexcept;

// A wall-clock reading as microseconds since 1970-01-01 00:00 on the same wall clock, and back.
std::int64_t wall_micros(const CivilTime& t) noexcept;
CivilTime civil_from_wall_micros(std::int64_t wall) noexcept;

// Adds months, keeping the day of month when the target month has it and using the month's last
// day when it does not (Jan 31 + 1 month = Feb 28/29; + 2 months = Mar 31).
// For counts that keep the year within +-kCivilYearLimit (core's own callers move a few periods).
CivilTime add_months(const CivilTime& t, std::int64_t months) noexcept;
CivilTime add_days(const CivilTime& t, std::int64_t days) noexcept;

// The same for any count: false, and *out unchanged, when the year would leave
// +-kCivilYearLimit (or t's year is already outside it).
bool try_add_months(const CivilTime& t, std::int64_t months, CivilTime* out) noexcept;
bool try_add_days(const CivilTime& t, std::int64_t days, CivilTime* out) noexcept;

} // namespace mvs
