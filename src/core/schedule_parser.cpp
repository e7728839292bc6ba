#include "schedule_parser.hpp"

#include <cctype>
#include <cstdio>
#include <cstdint>
#include <string>

#include "civil_time.hpp"

namespace mvs {

namespace {

struct Word {
    const char* text;
    CalendarUnit unit;
};

// Words, and "every <unit>", mean a schedule aligned to the calendar.
const Word kWords[] = {
    {"minutely", CalendarUnit::Minute},     {"hourly", CalendarUnit::Hour},
    {"daily", CalendarUnit::Day},           {"weekly", CalendarUnit::Week},
    {"monthly", CalendarUnit::Month},       {"quarterly", CalendarUnit::Quarter},
    {"yearly", CalendarUnit::Year},         {"annually", CalendarUnit::Year},
    {"every minute", CalendarUnit::Minute}, {"every hour", CalendarUnit::Hour},
    {"every day", CalendarUnit::Day},       {"every week", CalendarUnit::Week},
    {"every month", CalendarUnit::Month},   {"every quarter", CalendarUnit::Quarter},
    {"every year", CalendarUnit::Year},
};

bool is_space(char c) noexcept {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Lower case, trimmed, with runs of white space made one blank.
std::string normalize(std::string_view text) {
    std::string out;
    bool pending_space = false;
    for (char c : text) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space)
            out += ' ';
        pending_space = false;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

ParseOutcome error(const char* message) noexcept {
    ParseOutcome r;
    r.status = ParseStatus::Error;
    std::snprintf(r.message, sizeof r.message, "%s", message);
    return r;
}

} // namespace

ParseOutcome parse_schedule(std::string_view text) {
    const std::string norm = normalize(text);
    if (norm.empty())
        return error("schedule is empty");
    for (const auto& w : kWords) {
        if (norm == w.text) {
            ParseOutcome r;
            r.status = ParseStatus::Ok;
            r.schedule.kind = ScheduleKind::Calendar;
            r.schedule.unit = w.unit;
            return r;
        }
    }
    if (norm == "once") {
        ParseOutcome r;
        r.status = ParseStatus::Ok;
        r.schedule.kind = ScheduleKind::Once;
        return r;
    }
    if (norm == "on change") {
        ParseOutcome r;
        r.status = ParseStatus::Ok;
        r.schedule.kind = ScheduleKind::OnChange;
        r.schedule.every.micros = kDefaultMinIntervalMicros;
        return r;
    }
    if (looks_like_cron(norm)) {
        const CronParse cron = parse_cron(norm);
        if (!cron.ok)
            return error(cron.message);
        ParseOutcome r;
        r.status = ParseStatus::Ok;
        r.schedule.kind = ScheduleKind::Cron;
        r.schedule.cron = cron.spec;
        return r;
    }
    // Everything else is an interval, with or without "every " in front. Positions refer to the
    // original text, so the caller hands PostgreSQL exactly what the user wrote.
    std::size_t begin = 0;
    while (begin < text.size() && is_space(text[begin]))
        ++begin;
    std::size_t end = text.size();
    while (end > begin && is_space(text[end - 1]))
        --end;
    const std::string_view body = text.substr(begin, end - begin);
    if (body.size() >= 5 && normalize(body.substr(0, 5)) == "every" &&
        (body.size() == 5 || is_space(body[5]))) {
        begin += 5;
        while (begin < end && is_space(text[begin]))
            ++begin;
        if (begin == end)
            return error("\"every\" needs an interval after it");
    }
    ParseOutcome r;
    r.status = ParseStatus::NeedsInterval;
    r.interval_begin = begin;
    r.interval_length = end - begin;
    return r;
}

ParseOutcome schedule_from_interval(const IntervalSpec& every) noexcept {
    if (every.months < 0 || every.days < 0 || every.micros < 0)
        return error("schedule interval must be positive");
    if (every.months == 0 && every.days == 0 && every.micros == 0)
        return error("schedule interval must be greater than zero");
    if (every.months == 0 && every.days == 0 && every.micros < kMicrosPerSecond)
        return error("schedule interval must be at least 1 second");
    if (!interval_within_limit(every))
        return error("schedule interval must be at most 1000 years");
    ParseOutcome r;
    r.status = ParseStatus::Ok;
    r.schedule.kind = ScheduleKind::Interval;
    r.schedule.every = every;
    return r;
}

ParseOutcome schedule_on_change(const IntervalSpec& min_interval) noexcept {
    if (min_interval.months != 0)
        return error("min_interval cannot be given in months or years: their length varies");
    // Each part within 1000 years either way first, so that their sum cannot overflow.
    const IntervalSpec magnitude{0, min_interval.days < 0 ? -min_interval.days : min_interval.days,
                                 min_interval.micros == INT64_MIN ? INT64_MAX
                                 : min_interval.micros < 0        ? -min_interval.micros
                                                                  : min_interval.micros};
    if (!interval_within_limit(magnitude))
        return error("min_interval must be at most 1000 years");
    const std::int64_t micros =
        std::int64_t{min_interval.days} * kMicrosPerDay + min_interval.micros;
    if (micros <= 0)
        return error("min_interval must be positive");
    if (micros < kMicrosPerSecond)
        return error("min_interval must be at least 1 second");
    if (!min_interval_valid(micros))
        return error("min_interval must be at most 1000 years");
    ParseOutcome r;
    r.status = ParseStatus::Ok;
    r.schedule.kind = ScheduleKind::OnChange;
    r.schedule.every.micros = micros;
    return r;
}

const char* schedule_forms_hint() noexcept {
    return "Use an interval ('30 seconds', 'every 5 minutes', '1 day 2 hours'), a word (minutely, "
           "hourly, daily, weekly, monthly, quarterly, yearly, annually), 'once', 'on change', a "
           "cron line with "
           "5 or 6 fields ('*/15 * * * *', '0 30 9 * * mon-fri') or a cron macro ('@daily').";
}

} // namespace mvs
