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
bool consume(std::string_view* rest, std::string_view prefix) {
    if (rest->substr(0, prefix.size()) != prefix)
        return false;
    rest->remove_prefix(prefix.size());
    return true;
}

// Reads a decimal integer off the front of `rest`. Unlike sscanf, fails on a number out of the
// type's range instead of wrapping or saturating it.
template <typename Int> bool read_number(std::string_view* rest, Int* value) {
    const char* begin = rest->data();
    const std::from_chars_result r = std::from_chars(begin, begin + rest->size(), *value);
    if (r.ec != std::errc() || r.ptr == begin)
        return false;
    rest->remove_prefix(static_cast<std::size_t>(r.ptr - begin));
    return true;
}

} // namespace

bool operator==(const Schedule& a, const Schedule& b) {
    if (a.kind != b.kind)
        return false;
    if (a.kind == ScheduleKind::Calendar)
        return a.unit == b.unit;
    return a.every.months == b.every.months && a.every.days == b.every.days &&
           a.every.micros == b.every.micros;
}

const char* calendar_unit_name(CalendarUnit unit) {
    for (const auto& u : kUnitNames)
        if (u.unit == unit)
            return u.name;
    return "?";
}

bool format_spec(const Schedule& s, char* buffer, std::size_t size) {
    int n = 0;
    if (s.kind == ScheduleKind::Calendar)
        n = std::snprintf(buffer, size, "calendar %s", calendar_unit_name(s.unit));
    else
        n = std::snprintf(buffer, size, "interval %" PRId32 " %" PRId32 " %" PRId64, s.every.months,
                          s.every.days, s.every.micros);
    return n > 0 && static_cast<std::size_t>(n) < size;
}

bool parse_spec(std::string_view spec, Schedule* out) {
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
        // next_due_after needs a grid that moves forward.
        if (every.months < 0 || every.days < 0 || every.micros < 0 ||
            (every.months == 0 && every.days == 0 && every.micros == 0))
            return false;
        s.kind = ScheduleKind::Interval;
        s.every = every;
    } else {
        return false;
    }
    // Only the canonical text: no leading zeros, no "-0".
    char canonical[64];
    if (!format_spec(s, canonical, sizeof canonical) || spec != canonical)
        return false;
    *out = s;
    return true;
}

} // namespace mvs
