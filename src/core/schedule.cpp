#include "schedule.hpp"

#include <cinttypes>
#include <cstdio>
#include <string>

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
    const std::string text(spec);
    Schedule s;
    char word[16] = {0};
    std::int32_t months = 0, days = 0;
    std::int64_t micros = 0;
    int consumed = 0;
    if (std::sscanf(text.c_str(), "calendar %15s%n", word, &consumed) == 1 &&
        static_cast<std::size_t>(consumed) == text.size()) {
        for (const auto& u : kUnitNames) {
            if (std::string_view(word) == u.name) {
                s.kind = ScheduleKind::Calendar;
                s.unit = u.unit;
                *out = s;
                return true;
            }
        }
        return false;
    }
    if (std::sscanf(text.c_str(), "interval %" SCNd32 " %" SCNd32 " %" SCNd64 "%n", &months, &days,
                    &micros, &consumed) == 3 &&
        static_cast<std::size_t>(consumed) == text.size()) {
        s.kind = ScheduleKind::Interval;
        s.every = IntervalSpec{months, days, micros};
        *out = s;
        return true;
    }
    return false;
}

} // namespace mvs
