// The parsed form of a schedule, and its canonical text ("spec") as stored in the catalog.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cron.hpp"

namespace mvs {

enum class ScheduleKind : std::uint8_t {
    Interval, // every N (a PostgreSQL interval), on a grid from the anchor
    Calendar, // hourly, daily, ...: aligned to the calendar in the schedule's zone
    Cron,     // a cron line, on the zone's wall clock
    Once,     // a single run at the anchor
    OnChange, // when what the view reads changed, at most once per every.micros (elapsed)
};

enum class CalendarUnit : std::uint8_t { Minute, Hour, Day, Week, Month, Quarter, Year };

// An interval as PostgreSQL keeps it: months and days move the wall clock, micros are elapsed time.
struct IntervalSpec {
    std::int32_t months = 0;
    std::int32_t days = 0;
    std::int64_t micros = 0;
};

// The longest interval schedule: each part at most 1000 years, so that no grid arithmetic
// overflows for instants between the years 1 and 10000.
bool interval_within_limit(const IntervalSpec& every) noexcept;

// The least interval of an 'on change' schedule: at least 1 second, at most 1000 years.
bool min_interval_valid(std::int64_t micros) noexcept;
// Used when min_interval is not given.
constexpr std::int64_t kDefaultMinIntervalMicros = 60 * std::int64_t{1000000};

// Plain data on purpose: it crosses into PostgreSQL code, which may longjmp past it.
struct Schedule {
    ScheduleKind kind = ScheduleKind::Interval;
    IntervalSpec every;
    CalendarUnit unit = CalendarUnit::Hour;
    CronSpec cron;
};

bool operator==(const Schedule& a, const Schedule& b) noexcept;

const char* calendar_unit_name(CalendarUnit unit) noexcept;

// Room for the canonical text of any schedule, with its terminating NUL (the longest, a cron
// line, takes about 70 characters).
constexpr std::size_t kSpecSize = 128;

// Canonical text of a schedule, e.g. "interval 0 0 30000000", "calendar hour", "once",
// "on change 60000000" (the least interval in microseconds), or "cron" and the field masks in hex.
// Returns false when the buffer is too small.
bool format_spec(const Schedule& schedule, char* buffer, std::size_t size) noexcept;

// Reads what format_spec wrote, exactly. Returns false on anything else, and on an interval that
// next_due_after cannot step by (a negative part, or all zero), so that a damaged catalog row is
// refused rather than computed with.
bool parse_spec(std::string_view spec, Schedule* out) noexcept;

} // namespace mvs
