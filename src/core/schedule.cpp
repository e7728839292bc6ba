#include "schedule.hpp"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <system_error>

namespace mvs {

namespace {

struct UnitName {
    CalendarUnit unit;
    const char* name;
};

const UnitName kUnitNames[] = {
    {CalendarUnit::Minute, "minute"}, {CalendarUnit::Hour, "hour"},
    {CalendarUnit::Day, "day"},       {CalendarUnit::Week, "week"},
    {CalendarUnit::Month, "month"},   {CalendarUnit::Quarter, "quarter"},
    {CalendarUnit::Year, "year"},
};

// Takes `prefix` off the front of `rest`, if it is there.
bool consume(std::string_view* rest, std::string_view prefix) noexcept {
    if (rest->substr(0, prefix.size()) != prefix)
        return false;
    rest->remove_prefix(prefix.size());
    return true;
}

// Reads a decimal integer off the front of `rest`. Unlike sscanf, fails on a number out of the
// type's range instead of wrapping or saturating it.
template <typename Int>
bool read_number(std::string_view* rest, Int* value, int base = 10) noexcept {
    const char* begin = rest->data();
    const std::from_chars_result r = std::from_chars(begin, begin + rest->size(), *value, base);
    if (r.ec != std::errc() || r.ptr == begin)
        return false;
    rest->remove_prefix(static_cast<std::size_t>(r.ptr - begin));
    return true;
}

} // namespace

bool interval_within_limit(const IntervalSpec& every) noexcept {
    constexpr std::int64_t kYears = 1000;
    constexpr std::int64_t kMaxDays = kYears * 366;
    constexpr std::int64_t kMaxMicros = kMaxDays * 86400 * std::int64_t{1000000};
    return every.months <= kYears * 12 && every.days <= kMaxDays && every.micros <= kMaxMicros;
}

bool min_interval_valid(std::int64_t micros) noexcept {
    return micros >= kMicrosPerSecond && interval_within_limit(IntervalSpec{0, 0, micros});
}

bool operator==(const Schedule& a, const Schedule& b) noexcept {
    if (a.kind != b.kind)
        return false;
    if (a.kind == ScheduleKind::Calendar)
        return a.unit == b.unit;
    if (a.kind == ScheduleKind::Cron)
        return a.cron == b.cron;
    if (a.kind == ScheduleKind::Once)
        return true;
    if (a.kind == ScheduleKind::OnChange)
        return a.every.micros == b.every.micros;
    return a.every.months == b.every.months && a.every.days == b.every.days &&
           a.every.micros == b.every.micros;
}

const char* calendar_unit_name(CalendarUnit unit) noexcept {
    for (const auto& u : kUnitNames)
        if (u.unit == unit)
            return u.name;
    return "?";
}

bool format_spec(const Schedule& s, char* buffer, std::size_t size) noexcept {
    int n = 0;
    const CronSpec& c = s.cron;
    if (s.kind == ScheduleKind::Calendar)
        n = std::snprintf(buffer, size, "calendar %s", calendar_unit_name(s.unit));
    else if (s.kind == ScheduleKind::Once)
        n = std::snprintf(buffer, size, "once");
    else if (s.kind == ScheduleKind::OnChange)
        n = std::snprintf(buffer, size, "on change %" PRId64, s.every.micros);
    else if (s.kind == ScheduleKind::Cron)
        n = std::snprintf(buffer, size,
                          "cron %" PRIx64 " %" PRIx64 " %" PRIx32 " %" PRIx32 " %x %x %d",
                          c.seconds, c.minutes, c.hours, c.days, static_cast<unsigned>(c.months),
                          static_cast<unsigned>(c.weekdays),
                          (c.last_day ? 1 : 0) | (c.days_star ? 2 : 0) | (c.weekdays_star ? 4 : 0));
    else
        n = std::snprintf(buffer, size, "interval %" PRId32 " %" PRId32 " %" PRId64, s.every.months,
                          s.every.days, s.every.micros);
    return n > 0 && static_cast<std::size_t>(n) < size;
}

bool parse_spec(std::string_view spec, Schedule* out) noexcept {
    Schedule s;
    std::string_view rest = spec;
    if (consume(&rest, "calendar ")) {
        const UnitName* found = nullptr;
        for (const auto& u : kUnitNames)
            if (rest == u.name)
                found = &u;
        if (found == nullptr)
            return false;
        s.kind = ScheduleKind::Calendar;
        s.unit = found->unit;
    } else if (consume(&rest, "interval ")) {
        IntervalSpec every;
        if (!read_number(&rest, &every.months) || !consume(&rest, " ") ||
            !read_number(&rest, &every.days) || !consume(&rest, " ") ||
            !read_number(&rest, &every.micros) || !rest.empty())
            return false;
        // next_due_after needs a grid that moves forward, and not too far.
        if (every.months < 0 || every.days < 0 || every.micros < 0 ||
            (every.months == 0 && every.days == 0 && every.micros == 0) ||
            !interval_within_limit(every))
            return false;
        s.kind = ScheduleKind::Interval;
        s.every = every;
    } else if (rest == "once") {
        s.kind = ScheduleKind::Once;
    } else if (consume(&rest, "on change ")) {
        std::int64_t micros = 0;
        if (!read_number(&rest, &micros) || !rest.empty() || !min_interval_valid(micros))
            return false;
        s.kind = ScheduleKind::OnChange;
        s.every.micros = micros;
    } else if (consume(&rest, "cron ")) {
        CronSpec& c = s.cron;
        int flags = 0;
        if (!read_number(&rest, &c.seconds, 16) || !consume(&rest, " ") ||
            !read_number(&rest, &c.minutes, 16) || !consume(&rest, " ") ||
            !read_number(&rest, &c.hours, 16) || !consume(&rest, " ") ||
            !read_number(&rest, &c.days, 16) || !consume(&rest, " ") ||
            !read_number(&rest, &c.months, 16) || !consume(&rest, " ") ||
            !read_number(&rest, &c.weekdays, 16) || !consume(&rest, " ") ||
            !read_number(&rest, &flags) || !rest.empty() || flags < 0 || flags > 7)
            return false;
        c.last_day = (flags & 1) != 0;
        c.days_star = (flags & 2) != 0;
        c.weekdays_star = (flags & 4) != 0;
        // Every field needs a value in its range, or the search for a due time finds none.
        const std::uint64_t sixty = (std::uint64_t{1} << 60) - 1;
        if (c.seconds == 0 || (c.seconds & ~sixty) != 0 || c.minutes == 0 ||
            (c.minutes & ~sixty) != 0 || c.hours == 0 || c.hours >= (1U << 24) ||
            (c.days == 0 && !c.last_day) || (c.days & 1U) != 0 || c.months == 0 ||
            (c.months & ~0x1ffeU) != 0 || c.weekdays == 0 || c.weekdays >= 0x80)
            return false;
        s.kind = ScheduleKind::Cron;
    } else {
        return false;
    }
    // Only the canonical text: no leading zeros, no "-0".
    char canonical[kSpecSize];
    if (!format_spec(s, canonical, sizeof canonical) || spec != canonical)
        return false;
    *out = s;
    return true;
}

} // namespace mvs
