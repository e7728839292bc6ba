// Cron lines: 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), with
// lists, ranges, steps, month and weekday names, 7 for Sunday, L or $ for the month's last day,
// and the @hourly ... @yearly macros. Day-of-month and day-of-week combine as in Vixie cron: when
// both are restricted (neither starts with '*'), a day matching either one matches.
#pragma once

#include <cstdint>
#include <string_view>

#include "civil_time.hpp"
#include "message_size.hpp"
#include "time_zone.hpp"

namespace mvs {

// Plain data: bit i set means value i is allowed.
struct CronSpec {
    std::uint64_t seconds = 0; // 0..59
    std::uint64_t minutes = 0; // 0..59
    std::uint32_t hours = 0;   // 0..23
    std::uint32_t days = 0;    // 1..31, day of month
    std::uint16_t months = 0;  // 1..12
    std::uint8_t weekdays = 0; // 0..6, 0 = Sunday
    bool last_day = false;     // L or $: the month's last day
    bool days_star = false;    // day-of-month field starts with '*' (or is '?')
    bool weekdays_star = false;
};

bool operator==(const CronSpec& a, const CronSpec& b) noexcept;

struct CronParse {
    bool ok = false;
    CronSpec spec;
    char message[kMessageSize] = {0};
};

// Is the text meant as a cron line? True for anything starting with '@' followed by a letter,
// for 5 or 6 whitespace-separated fields of which at most one is not cron syntax (digits,
// * , - / ? $ L and month/weekday names), and for any number of fields that are all cron syntax
// and use cron punctuation or names. Such text gets cron's error messages rather than an
// interval's.
bool looks_like_cron(std::string_view text);

CronParse parse_cron(std::string_view text);

// Does the wall-clock reading match?
bool cron_matches(const CronSpec& spec, const CivilTime& t) noexcept;

// The first matching wall-clock reading strictly after `after` (whole seconds). False when there
// is none in the next 30 years (parse_cron refuses such lines, so only for hand-made specs).
bool next_cron_wall(const CronSpec& spec, const CivilTime& after, CivilTime* out) noexcept;

// The first instant strictly after `after` at which the zone's clock shows a matching reading. A
// reading in a spring-forward gap is due at the first instant after the gap; one shown twice at
// fall-back is due at its first occurrence only. Returns kNever when there is none.
UtcMicros next_cron(const CronSpec& spec, UtcMicros after, const TimeZone& zone);

} // namespace mvs
