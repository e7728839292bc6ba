// libFuzzer target: the schedule parser, the catalog text of what it accepts, and the due-time
// arithmetic behind it.
//
// Input: the schedule text, optionally followed by a NUL byte and parameter bytes. Without
// parameters, every accepted schedule is checked in a fixed set of scenarios around daylight-saving
// changes; with them, the fuzzer also chooses the zone, the instants, and the interval that
// PostgreSQL's interval input would have produced. So the seed corpus stays plain schedule text.
//
// Every check aborts with a message on stderr, which libFuzzer reports as a crash with the input
// that caused it. The checks use their own calendar arithmetic (not core's) to read the zone's
// wall clock, so they do not share core's mistakes.
//
// Beyond the scenarios, every accepted schedule (and every interval as given, even one the parser
// refuses) is stepped from due time to due time, from anchors and instants anywhere in 64 bits:
// each due time after the one before and before the year 10000, or kNever.
//
// Build and run: make fuzz (FUZZ_SECONDS=30).

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_time.hpp"
#include "core/cron.hpp"
#include "core/next_run.hpp"
#include "core/schedule.hpp"
#include "core/schedule_parser.hpp"
#include "core/time_zone.hpp"

namespace {

using mvs::CalendarUnit;
using mvs::kNever;
using mvs::ParseOutcome;
using mvs::ParseStatus;
using mvs::Schedule;
using mvs::ScheduleKind;
using mvs::UtcMicros;

constexpr std::int64_t kSecond = 1000000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// What the check was looking at when it failed, printed with the failure.
std::string g_context;

[[noreturn]] void fail(const char* file, int line, const char* condition, const char* format, ...) {
    std::fprintf(stderr, "\n==== schedule_fuzzer: check failed at %s:%d: %s\n", file, line,
                 condition);
    std::va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fprintf(stderr, "\n%s\n", g_context.c_str());
    std::abort();
}

#define CHECK(condition, ...)                                                                      \
    do {                                                                                           \
        if (!(condition))                                                                          \
            fail(__FILE__, __LINE__, #condition, __VA_ARGS__);                                     \
    } while (0)

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        --q;
    return q;
}

// ---- The checks' own calendar (Howard Hinnant's algorithms, written out again on purpose) ----

struct Reading {
    std::int64_t year;
    int month, day, hour, minute, second, micro;
    int weekday; // 0 = Sunday
};

std::int64_t days_of(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = floor_div(y, 400);
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Reading reading_of_wall(std::int64_t wall) {
    Reading r{};
    const std::int64_t days = floor_div(wall, kDay);
    std::int64_t rest = wall - days * kDay;
    const std::int64_t z = days + 719468;
    const std::int64_t era = floor_div(z, 146097);
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    r.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    r.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    r.year = yoe + era * 400 + (r.month <= 2 ? 1 : 0);
    r.hour = static_cast<int>(rest / kHour);
    rest %= kHour;
    r.minute = static_cast<int>(rest / kMinute);
    rest %= kMinute;
    r.second = static_cast<int>(rest / kSecond);
    r.micro = static_cast<int>(rest % kSecond);
    r.weekday = static_cast<int>(floor_div(days + 4, 7) * -7 + days + 4); // 1970-01-01: Thursday
    return r;
}

int month_length(std::int64_t y, int m) {
    static const int kLength[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kLength[m - 1];
}

std::int64_t offset_at(const mvs::TimeZone& zone, UtcMicros t) {
    return zone.utc_offset_seconds(floor_div(t, kSecond));
}

Reading reading_at(const mvs::TimeZone& zone, UtcMicros t) {
    return reading_of_wall(t + offset_at(zone, t) * kSecond);
}

// Is t the end of a spring-forward gap, where the readings the clock skips are due?
bool is_gap_end(const mvs::TimeZone& zone, UtcMicros t) {
    return t % kSecond == 0 && zone.utc_offset_seconds(floor_div(t, kSecond) - 1) <
                                   zone.utc_offset_seconds(floor_div(t, kSecond));
}

// The first instant at which the zone's clock shows the reading it shows at t: earlier than t
// for the second pass through the hour repeated when the clocks go back. Zones here change their
// offset at most once in two days, so the offsets within two days of t are all there is to try.
UtcMicros first_showing(const mvs::TimeZone& zone, UtcMicros t) {
    const UtcMicros wall = t + offset_at(zone, t) * kSecond;
    UtcMicros first = t;
    for (int k = -8; k <= 8; ++k) {
        const std::int64_t offset = offset_at(zone, t + k * 6 * kHour);
        const UtcMicros candidate = wall - offset * kSecond;
        if (candidate < first && offset_at(zone, candidate) == offset)
            first = candidate;
    }
    return first;
}

// ---- Zones, all computed in-process ----

// A rule like POSIX TZ's Mm.w.0/time: the w-th Sunday of month m (w = 5: the last), at `at`
// seconds on the local clock in effect before the change.
struct SundayRule {
    int month;
    int week;
    std::int64_t at;
};

// Standard offset `standard`, and `save` seconds more from the start rule to the end rule (the
// southern hemisphere's way round when the start month is the later one).
class RuleZone final : public mvs::TimeZone {
  public:
    RuleZone(std::int64_t standard, std::int64_t save, SundayRule start, SundayRule end)
        : standard_(standard), save_(save), start_(start), end_(end) {}

    std::int64_t utc_offset_seconds(std::int64_t t) const override {
        const std::int64_t year = reading_of_wall((t + standard_) * kSecond).year;
        const std::int64_t start = change(year, start_) - standard_;
        const std::int64_t end = change(year, end_) - standard_ - save_;
        const bool dst = start < end ? (t >= start && t < end) : (t >= start || t < end);
        return dst ? standard_ + save_ : standard_;
    }

  private:
    // The rule's instant in the year, as seconds on a wall clock.
    static std::int64_t change(std::int64_t year, const SundayRule& rule) {
        std::int64_t day;
        if (rule.week == 5) {
            day = days_of(year, rule.month, month_length(year, rule.month));
            day -= reading_of_wall(day * kDay).weekday; // back to Sunday
        } else {
            day = days_of(year, rule.month, 1);
            day += (7 - reading_of_wall(day * kDay).weekday) % 7 + 7 * (rule.week - 1);
        }
        return day * 86400 + rule.at;
    }

    std::int64_t standard_;
    std::int64_t save_;
    SundayRule start_;
    SundayRule end_;
};

// Like Europe/Berlin, America/New_York and Australia/Lord_Howe today.
const RuleZone kEurope(3600, 3600, {3, 5, 2 * 3600}, {10, 5, 3 * 3600});
const RuleZone kAmerica(-5 * 3600, 3600, {3, 2, 2 * 3600}, {11, 1, 2 * 3600});
const RuleZone kLordHowe(37800, 1800, {10, 1, 2 * 3600}, {4, 1, 2 * 3600});
// An odd local mean time, as zones had before standard time (Europe/Amsterdam: +00:19:32).
const mvs::FixedOffsetZone kMeanTime(19 * 60 + 32);
const mvs::FixedOffsetZone kUtc(0);

// ---- What PostgreSQL's interval input would have produced ----

// A stand-in for PostgreSQL's interval input, for the plain-text seeds only: "<n> <unit>" pairs,
// refused (like PostgreSQL) when a part leaves its type's range.
bool read_interval(std::string_view text, mvs::IntervalSpec* out) {
    std::int64_t months = 0;
    std::int64_t days = 0;
    std::int64_t micros = 0;
    std::size_t i = 0;
    bool any = false;
    auto skip_space = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
            ++i;
    };
    for (skip_space(); i < text.size(); skip_space()) {
        std::int64_t n = 0;
        const std::size_t digits = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n <= 1000000)
            n = n * 10 + (text[i++] - '0');
        if (i == digits || n > 1000000)
            return false;
        skip_space();
        std::string unit;
        while (i < text.size() && text[i] >= 'a' && text[i] <= 'z')
            unit += text[i++];
        if (unit.size() > 1 && unit.back() == 's')
            unit.pop_back();
        if (unit == "second" || unit == "sec")
            micros += n * kSecond;
        else if (unit == "minute" || unit == "min")
            micros += n * kMinute;
        else if (unit == "hour")
            micros += n * kHour;
        else if (unit == "day")
            days += n;
        else if (unit == "week")
            days += 7 * n;
        else if (unit == "month" || unit == "mon")
            months += n;
        else if (unit == "year")
            months += 12 * n;
        else
            return false;
        // Each term is at most 3.6e15 us, so the sum cannot overflow before this check.
        if (months > INT32_MAX || days > INT32_MAX || micros > INT64_MAX / 2)
            return false;
        any = true;
    }
    out->months = static_cast<std::int32_t>(months);
    out->days = static_cast<std::int32_t>(days);
    out->micros = micros;
    return any;
}

// ---- Scenarios ----

struct Scenario {
    const mvs::TimeZone* zone;
    UtcMicros now; // the clock when the schedule is created, and `after` for the steps
    bool has_start_at;
    UtcMicros start_at;
    std::int64_t delay; // how late (or, negative, how early) a run starts after its due time
};

// The instant of a UTC reading.
UtcMicros utc(std::int64_t y, int mo, int d, int h = 0, int mi = 0, int s = 0, int us = 0) {
    return ((days_of(y, mo, d) * 24 + h) * 60 + mi) * kMinute + s * kSecond + us;
}

std::string show(UtcMicros t) {
    if (t == kNever)
        return "never";
    const Reading r = reading_of_wall(t);
    char text[96];
    std::snprintf(text, sizeof text, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d.%06d UTC", r.year,
                  r.month, r.day, r.hour, r.minute, r.second, r.micro);
    return text;
}

std::string show_local(const mvs::TimeZone& zone, UtcMicros t) {
    const std::int64_t offset = offset_at(zone, t);
    char text[160];
    std::snprintf(text, sizeof text, "%s (offset %+" PRId64 " s)",
                  show(t + offset * kSecond).c_str(), offset);
    std::string s = text;
    return s.replace(s.find(" UTC"), 4, " local");
}

// Instants that `now` and start_at are drawn from: the clock of a running server, and the
// start_at a user could give (year 1 to 9999, as a timestamp is typed).
const UtcMicros kNowMin = utc(1900, 1, 1);
const UtcMicros kNowMax = utc(2400, 1, 1);
const UtcMicros kStartMin = utc(1, 1, 1);
const UtcMicros kStartMax = utc(9999, 12, 31, 23, 59, 59, 999999);
// Core's instants: due times are before the year 10000 (UTC), or kNever.
const UtcMicros kStartOfTime = utc(1, 1, 1);
const UtcMicros kEndOfTime = utc(10000, 1, 1);

// ---- The checks ----

bool cron_reading_matches(const mvs::CronSpec& c, const Reading& r) {
    const bool dom =
        ((c.days >> r.day) & 1U) != 0 || (c.last_day && r.day == month_length(r.year, r.month));
    const bool dow = ((c.weekdays >> r.weekday) & 1U) != 0;
    const bool day = c.days_star || c.weekdays_star ? dom && dow : dom || dow;
    return r.micro == 0 && ((c.months >> r.month) & 1U) != 0 && day &&
           ((c.hours >> r.hour) & 1U) != 0 && ((c.minutes >> r.minute) & 1ULL) != 0 &&
           ((c.seconds >> r.second) & 1ULL) != 0;
}

bool calendar_aligned(CalendarUnit unit, const Reading& r) {
    if (r.second != 0 || r.micro != 0)
        return false;
    if (unit == CalendarUnit::Minute)
        return true;
    if (r.minute != 0)
        return false;
    if (unit == CalendarUnit::Hour)
        return true;
    if (r.hour != 0)
        return false;
    switch (unit) {
    case CalendarUnit::Day:
        return true;
    case CalendarUnit::Week:
        return r.weekday == 1;
    case CalendarUnit::Month:
        return r.day == 1;
    case CalendarUnit::Quarter:
        return r.day == 1 && r.month % 3 == 1;
    default:
        return r.day == 1 && r.month == 1;
    }
}

// The longest a calendar schedule can go without a due time, with an hour's daylight saving and
// a few minutes' change of a mean time to spare.
std::int64_t calendar_longest_gap(CalendarUnit unit) {
    switch (unit) {
    case CalendarUnit::Minute:
        return 2 * kMinute;
    case CalendarUnit::Hour:
        return 2 * kHour;
    case CalendarUnit::Day:
        return 2 * kDay;
    case CalendarUnit::Week:
        return 8 * kDay;
    case CalendarUnit::Month:
        return 32 * kDay;
    case CalendarUnit::Quarter:
        return 93 * kDay;
    default:
        return 367 * kDay;
    }
}

// The zone keeps one offset from a day before `from` to `to`, so no reading in between is shown
// twice or skipped.
bool steady(const mvs::TimeZone& zone, UtcMicros from, UtcMicros to) {
    const std::int64_t offset = offset_at(zone, from);
    return offset_at(zone, from - kDay) == offset && offset_at(zone, to) == offset &&
           to - from <= kDay;
}

// A due time `next` found after `after`: is it one the schedule has?
void check_due_time(const Schedule& s, UtcMicros anchor, UtcMicros after, UtcMicros next,
                    const mvs::TimeZone& zone) {
    const Reading r = reading_at(zone, next);
    const std::string where = show(next) + " = " + show_local(zone, next);
    // A wall-clock time shown twice is due the first time only. Minutely, hourly and elapsed
    // intervals are elapsed time (due in both passes), and the anchor is due as given.
    const bool wall_clock =
        s.kind == ScheduleKind::Cron ||
        (s.kind == ScheduleKind::Calendar && s.unit != CalendarUnit::Minute &&
         s.unit != CalendarUnit::Hour) ||
        (s.kind == ScheduleKind::Interval && (s.every.months != 0 || s.every.days != 0) &&
         s.every.micros == 0 && next != anchor);
    if (wall_clock) {
        const UtcMicros first = first_showing(zone, next);
        CHECK(first == next, "due at %s, which the clock showed first at %s", where.c_str(),
              show(first).c_str());
    }
    switch (s.kind) {
    case ScheduleKind::Once:
        CHECK(next == anchor, "once: due at %s, not at the anchor %s", where.c_str(),
              show(anchor).c_str());
        break;
    case ScheduleKind::OnChange:
        // Elapsed time: the first look at once, each next one min_interval after the last.
        CHECK(next >= after && next - after <= s.every.micros,
              "on change every %" PRId64 " us: due at %s after %s", s.every.micros, where.c_str(),
              show(after).c_str());
        break;
    case ScheduleKind::Cron:
        CHECK(cron_reading_matches(s.cron, r) || is_gap_end(zone, next),
              "cron: due at %s, which the line does not match", where.c_str());
        // No matching second was passed over (where the zone's clock runs plainly).
        if (next - after <= 10 * kMinute && steady(zone, after, next)) {
            for (UtcMicros t = floor_div(after, kSecond) * kSecond + kSecond; t < next;
                 t += kSecond)
                CHECK(!cron_reading_matches(s.cron, reading_at(zone, t)),
                      "cron: due at %s, but %s matches earlier", where.c_str(),
                      show_local(zone, t).c_str());
        }
        break;
    case ScheduleKind::Calendar:
        // Minutely and hourly always land on the clock's :00; the other words may land at the end
        // of a gap that skipped their time.
        CHECK(calendar_aligned(s.unit, r) ||
                  (s.unit != CalendarUnit::Minute && s.unit != CalendarUnit::Hour &&
                   is_gap_end(zone, next)),
              "calendar %s: due at %s, not at the start of a %s", mvs::calendar_unit_name(s.unit),
              where.c_str(), mvs::calendar_unit_name(s.unit));
        CHECK(next - after <= calendar_longest_gap(s.unit),
              "calendar %s: nothing due from %s to %s", mvs::calendar_unit_name(s.unit),
              show(after).c_str(), where.c_str());
        break;
    case ScheduleKind::Interval: {
        const mvs::IntervalSpec& e = s.every;
        if (after < anchor) {
            CHECK(next == anchor, "interval: first due time %s, not the anchor %s", where.c_str(),
                  show(anchor).c_str());
        } else if (e.months == 0 && e.days == 0) {
            CHECK((next - anchor) % e.micros == 0,
                  "interval of %" PRId64 " us: due at %s, off the grid from %s", e.micros,
                  where.c_str(), show(anchor).c_str());
            CHECK(next - after <= e.micros, "interval of %" PRId64 " us: nothing due from %s to %s",
                  e.micros, show(after).c_str(), where.c_str());
        } else if (e.micros == 0) {
            // Whole days and months: the anchor's time of day, unless that falls in a gap.
            const Reading a = reading_at(zone, anchor);
            const bool same_time = r.hour == a.hour && r.minute == a.minute &&
                                   r.second == a.second && r.micro == a.micro;
            CHECK(same_time || is_gap_end(zone, next),
                  "interval of %" PRId32 " months %" PRId32 " days: due at %s, anchor %s", e.months,
                  e.days, where.c_str(), show_local(zone, anchor).c_str());
            // Whole months: the anchor's day, or the month's last day when it is shorter.
            if (e.days == 0 && same_time)
                CHECK(r.day == std::min(a.day, month_length(r.year, r.month)),
                      "interval of %" PRId32 " months: due at %s, anchor %s", e.months,
                      where.c_str(), show_local(zone, anchor).c_str());
        }
        break;
    }
    }
}

// From one due time of an interval grid to the next: the interval, give or take the months'
// lengths (28 to 31 days, a month's last day standing in for a missing 29th to 31st) and three
// hours of daylight saving. In 128 bits, as the interval can be anything PostgreSQL holds.
void check_interval_step(const mvs::IntervalSpec& e, UtcMicros from, UtcMicros to) {
    const __int128 day = kDay;
    const __int128 fixed = static_cast<__int128>(e.days) * day + e.micros;
    const __int128 shortest = static_cast<__int128>(e.months) * 28 * day + fixed - 3 * kHour;
    const __int128 longest = static_cast<__int128>(e.months) * 31 * day +
                             (e.months != 0 ? 3 * day : 0) + fixed + 3 * kHour;
    const __int128 step = static_cast<__int128>(to) - from;
    CHECK(step >= shortest && step <= longest,
          "interval of %" PRId32 " months %" PRId32 " days %" PRId64 " us: due at %s, then %s",
          e.months, e.days, e.micros, show(from).c_str(), show(to).c_str());
}

// Due times in (due, now], counted up to `limit`.
std::int64_t count_due(const Schedule& s, UtcMicros anchor, UtcMicros due, UtcMicros now,
                       const mvs::TimeZone& zone, std::int64_t limit) {
    std::int64_t n = 0;
    for (UtcMicros t = mvs::next_due_after(s, anchor, due, zone);
         t != kNever && t <= now && n < limit; t = mvs::next_due_after(s, anchor, t, zone))
        ++n;
    return n;
}

void check_round_trip(const Schedule& s) {
    char spec[256];
    CHECK(mvs::format_spec(s, spec, sizeof spec), "format_spec failed");
    Schedule back;
    CHECK(mvs::parse_spec(spec, &back), "parse_spec refuses \"%s\" from format_spec", spec);
    CHECK(back == s, "parse_spec(\"%s\") is another schedule", spec);
    char again[256];
    CHECK(mvs::format_spec(back, again, sizeof again) && std::strcmp(spec, again) == 0,
          "format_spec(parse_spec(\"%s\")) = \"%s\"", spec, again);
    // A changed spec is refused or read as what it says, never as the same schedule.
    std::string damaged = spec;
    damaged += ' ';
    CHECK(!mvs::parse_spec(damaged, &back), "parse_spec accepts \"%s\"", damaged.c_str());
}

// Steps from due time to due time, as next_runs and the scheduler do: each is after the one
// before and before the end of time, and kNever ends the series. Any anchor and `after`, even
// outside the range a server accepts (a damaged catalog row), and any interval, even one the
// parser refuses.
void check_steps(const Schedule& s, UtcMicros anchor, UtcMicros after, const mvs::TimeZone& zone,
                 int steps) {
    char spec[256] = "?";
    mvs::format_spec(s, spec, sizeof spec);
    char context[512];
    std::snprintf(context, sizeof context,
                  "stepping schedule \"%s\" (%" PRId32 " months %" PRId32 " days %" PRId64
                  " us), anchor %" PRId64 ", after %" PRId64 ", %d steps",
                  spec, s.every.months, s.every.days, s.every.micros, anchor, after, steps);
    g_context = context;
    const bool anchor_in_time = anchor >= kStartOfTime && anchor < kEndOfTime;
    const bool elapsed_grid = s.kind == ScheduleKind::Interval && s.every.months == 0 &&
                              s.every.days == 0 && s.every.micros > 0;
    UtcMicros t = after;
    for (int i = 0; i < steps; ++i) {
        const UtcMicros next = mvs::next_due_after(s, anchor, t, zone);
        if (next == kNever)
            break;
        CHECK(next > t && next >= kStartOfTime && next < kEndOfTime,
              "step %d: next_due_after(%s) = %s", i, show(t).c_str(), show(next).c_str());
        if (elapsed_grid && anchor_in_time)
            CHECK((next - anchor) % s.every.micros == 0, "step %d: %s is off the grid from %s", i,
                  show(next).c_str(), show(anchor).c_str());
        t = next;
    }
    // Coalescing from there, and from the original instants, ends in range too.
    for (const UtcMicros due : {after, t}) {
        const mvs::Advance adv = mvs::advance_after_run(s, anchor, due, t, zone);
        const UtcMicros from = std::max(std::max(due, t), kStartOfTime - 1);
        CHECK(adv.next == kNever || (adv.next > from && adv.next < kEndOfTime),
              "advance_after_run(due %s, now %s): next %s", show(due).c_str(), show(t).c_str(),
              show(adv.next).c_str());
        CHECK(adv.skipped >= 0 && adv.skipped <= mvs::kMaxCounted,
              "advance_after_run: skipped %" PRId64, adv.skipped);
    }
    const mvs::FirstRun first = mvs::first_run(s, true, anchor, after, zone);
    CHECK(first.first == kNever || (first.first >= kStartOfTime && first.first < kEndOfTime),
          "first_run(start_at %" PRId64 ", now %" PRId64 "): first %s", anchor, after,
          show(first.first).c_str());
}

// An instant for check_steps: anywhere in 64 bits, or near one of the ends of time.
UtcMicros choose_instant(FuzzedDataProvider* p) {
    switch (p->ConsumeIntegralInRange(0, 4)) {
    case 0:
        return p->ConsumeIntegral<std::int64_t>();
    case 1:
        return kStartOfTime + p->ConsumeIntegralInRange<std::int64_t>(-2 * kDay, 400 * kDay);
    case 2:
        return kEndOfTime - p->ConsumeIntegralInRange<std::int64_t>(-2 * kDay, 400 * kDay);
    case 3:
        return p->ConsumeIntegralInRange(kStartOfTime, kEndOfTime);
    default:
        return p->PickValueInArray(
            {INT64_MIN, INT64_MAX, kStartOfTime - 1, kEndOfTime - 1, kEndOfTime, utc(2026, 1, 1)});
    }
}

void check_schedule(const Schedule& s, const Scenario& sc) {
    const mvs::TimeZone& zone = *sc.zone;
    char spec[256] = "?";
    mvs::format_spec(s, spec, sizeof spec);
    char context[512];
    std::snprintf(context, sizeof context,
                  "schedule \"%s\", now %s (local %s), start_at %s, run delay %" PRId64 " us", spec,
                  show(sc.now).c_str(), show_local(zone, sc.now).c_str(),
                  sc.has_start_at ? show(sc.start_at).c_str() : "none", sc.delay);
    g_context = context;

    // A new schedule.
    const mvs::FirstRun first = mvs::first_run(s, sc.has_start_at, sc.start_at, sc.now, zone);
    if (!sc.has_start_at) {
        CHECK(first.schedule == s, "first_run changed the schedule without start_at");
        CHECK(first.anchor == sc.now, "anchor %s, not now", show(first.anchor).c_str());
        if (s.kind == ScheduleKind::Once || s.kind == ScheduleKind::OnChange)
            CHECK(first.first == sc.now, "once, on change: first due %s, not now",
                  show(first.first).c_str());
        else
            CHECK(first.first == mvs::next_due_after(s, sc.now, sc.now, zone),
                  "first due %s, not the first due time after now", show(first.first).c_str());
    } else {
        const UtcMicros not_before = std::max(sc.start_at, sc.now);
        CHECK(first.anchor == sc.start_at, "anchor %s, not start_at", show(first.anchor).c_str());
        CHECK(first.schedule == mvs::repeat_from_start(s), "first_run: not repeat_from_start");
        CHECK(first.first == kNever || first.first >= not_before,
              "first due %s, before start_at or now", show(first.first).c_str());
        if (s.kind == ScheduleKind::Once)
            CHECK(first.first == (sc.start_at >= sc.now ? sc.start_at : kNever),
                  "once with start_at: first due %s", show(first.first).c_str());
        if (s.kind == ScheduleKind::Calendar)
            CHECK(first.schedule.kind == ScheduleKind::Interval,
                  "a word with start_at does not repeat from it");
        if (first.first != kNever && first.schedule.kind == ScheduleKind::Interval)
            CHECK(first.first == sc.start_at || sc.start_at < sc.now,
                  "first due %s, not start_at though it is ahead", show(first.first).c_str());
    }
    CHECK(first.first == kNever || first.first < kEndOfTime, "first due %s, past the end of time",
          show(first.first).c_str());
    if (first.first == kNever)
        return;
    const UtcMicros first_after = sc.has_start_at ? std::max(sc.start_at, sc.now) - 1 : sc.now;
    check_due_time(first.schedule, first.anchor, first_after, first.first, zone);

    // A few due times in a row, each the first after the one before.
    const Schedule& run = first.schedule;
    UtcMicros after = first.first;
    std::vector<UtcMicros> due_times{first.first};
    for (int step = 0; step < 4; ++step) {
        const UtcMicros next = mvs::next_due_after(run, first.anchor, after, zone);
        if (next == kNever)
            break;
        CHECK(next > after, "next_due_after(%s) = %s, not after it", show(after).c_str(),
              show(next).c_str());
        if (run.kind == ScheduleKind::Interval)
            check_interval_step(run.every, after, next);
        if (run.kind == ScheduleKind::OnChange)
            CHECK(next == after + run.every.micros,
                  "on change: next_due_after(%s) = %s, not min_interval later", show(after).c_str(),
                  show(next).c_str());
        CHECK(next < kEndOfTime, "next_due_after(%s) = %s, past the end of time",
              show(after).c_str(), show(next).c_str());
        check_due_time(run, first.anchor, after, next, zone);
        // Nothing is due in between: from any point in (after, next), next is the next one. Not
        // for 'on change', which is no grid: its next look is min_interval after the last.
        for (UtcMicros between : {after + 1, after + (next - after) / 2, next - 1}) {
            if (between <= after || run.kind == ScheduleKind::OnChange)
                continue;
            const UtcMicros again = mvs::next_due_after(run, first.anchor, between, zone);
            CHECK(again == next, "due times %s then %s, but after %s comes %s", show(after).c_str(),
                  show(next).c_str(), show(between).c_str(), show(again).c_str());
        }
        due_times.push_back(next);
        after = next;
    }

    // A run that starts late (or early): coalesce what was missed.
    for (const UtcMicros due : {due_times.front(), due_times.back()}) {
        const UtcMicros now = due + sc.delay;
        const mvs::Advance adv = mvs::advance_after_run(run, first.anchor, due, now, zone);
        const UtcMicros from = std::max(due, now);
        CHECK(adv.next == kNever || (adv.next > now && adv.next > due),
              "advance_after_run(due %s, now %s): next %s", show(due).c_str(), show(now).c_str(),
              show(adv.next).c_str());
        CHECK(adv.next == mvs::next_due_after(run, first.anchor, from, zone),
              "advance_after_run(due %s, now %s): next %s, not the first due time after both",
              show(due).c_str(), show(now).c_str(), show(adv.next).c_str());
        CHECK(adv.skipped >= 0 && adv.skipped <= mvs::kMaxCounted,
              "advance_after_run(due %s, now %s): skipped %" PRId64, show(due).c_str(),
              show(now).c_str(), adv.skipped);
        if (run.kind == ScheduleKind::OnChange) {
            CHECK(adv.skipped == 0, "on change: advance_after_run skipped %" PRId64, adv.skipped);
            continue;
        }
        const std::int64_t limit = 50;
        const std::int64_t counted = count_due(run, first.anchor, due, now, zone, limit);
        CHECK(counted < limit ? adv.skipped == counted : adv.skipped >= limit,
              "advance_after_run(due %s, now %s): skipped %" PRId64 ", but %" PRId64
              " due times are in between",
              show(due).c_str(), show(now).c_str(), adv.skipped, counted);
    }
}

void check_interval(const mvs::IntervalSpec& every, const Scenario* scenarios, std::size_t count) {
    const ParseOutcome r = mvs::schedule_from_interval(every);
    const bool valid = every.months >= 0 && every.days >= 0 && every.micros >= 0 &&
                       (every.months > 0 || every.days > 0 || every.micros >= kSecond);
    char text[128];
    std::snprintf(text, sizeof text, "%" PRId32 " months %" PRId32 " days %" PRId64 " us",
                  every.months, every.days, every.micros);
    g_context = std::string("interval ") + text;
    // Core may refuse intervals of a thousand years and more, which no due time would follow
    // within the range of a timestamp; shorter ones it must take.
    const __int128 kYear = 366 * kDay;
    const bool huge = valid && static_cast<__int128>(every.months) * 31 * kDay +
                                       static_cast<__int128>(every.days) * kDay + every.micros >=
                                   1000 * kYear;
    CHECK(r.status == ParseStatus::Ok || r.status == ParseStatus::Error,
          "schedule_from_interval(%s): status %d", text, static_cast<int>(r.status));
    CHECK(valid || r.status == ParseStatus::Error, "schedule_from_interval(%s) accepts it", text);
    CHECK(!valid || huge || r.status == ParseStatus::Ok, "schedule_from_interval(%s): %s", text,
          r.message);
    if (r.status == ParseStatus::Error) {
        CHECK(r.message[0] != '\0', "schedule_from_interval(%s): no message", text);
        return;
    }
    CHECK(r.schedule.kind == ScheduleKind::Interval && r.schedule.every.months == every.months &&
              r.schedule.every.days == every.days && r.schedule.every.micros == every.micros,
          "schedule_from_interval(%s): another schedule", text);
    check_round_trip(r.schedule);
    for (std::size_t i = 0; i < count; ++i)
        check_schedule(r.schedule, scenarios[i]);
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The parameters: which zone, which instants, which interval.
const mvs::TimeZone* choose_zone(FuzzedDataProvider* p, RuleZone* rule,
                                 mvs::FixedOffsetZone* fixed) {
    switch (p->ConsumeIntegralInRange(0, 5)) {
    case 0:
        return &kEurope;
    case 1:
        return &kAmerica;
    case 2:
        return &kLordHowe;
    case 3: {
        // Any daylight-saving rule of the kind zones have: up to two hours, changes weeks apart.
        const std::int64_t standard = p->ConsumeIntegralInRange(-12 * 4, 14 * 4) * 900;
        const std::int64_t save = 1800 * p->PickValueInArray({1, 2, 4});
        SundayRule start{p->ConsumeIntegralInRange(2, 11), p->ConsumeIntegralInRange(1, 5),
                         p->ConsumeIntegralInRange(0, 23) * 3600};
        SundayRule end{p->ConsumeIntegralInRange(2, 11), p->ConsumeIntegralInRange(1, 5),
                       p->ConsumeIntegralInRange(0, 23) * 3600};
        if (end.month == start.month)
            end.month = start.month == 11 ? 2 : start.month + 1;
        *rule = RuleZone(standard, save, start, end);
        return rule;
    }
    case 4:
        *fixed = mvs::FixedOffsetZone(p->ConsumeIntegralInRange(-16 * 3600, 16 * 3600));
        return fixed;
    default:
        return &kUtc;
    }
}

mvs::IntervalSpec choose_interval(FuzzedDataProvider* p) {
    mvs::IntervalSpec every;
    if (p->ConsumeBool()) {
        // What people write: a few units of each.
        every.months = p->ConsumeIntegralInRange<std::int32_t>(0, 30);
        every.days = p->ConsumeIntegralInRange<std::int32_t>(0, 60);
        every.micros = p->ConsumeIntegralInRange<std::int64_t>(0, 3 * kDay);
        if (p->ConsumeBool())
            every.micros -= every.micros % kSecond;
    } else if (p->ConsumeBool()) {
        // Near the limits of each part, and of the grid arithmetic.
        every.months = p->PickValueInArray<std::int32_t>({0, 1, 12000, 119987, 119988, INT32_MAX});
        every.days = p->PickValueInArray<std::int32_t>({0, 1, 366000, 3652059, INT32_MAX});
        every.micros =
            p->PickValueInArray<std::int64_t>(
                {0, 1, kSecond, 366000 * kDay, INT64_MAX / 2, INT64_MAX - 1, INT64_MAX}) -
            p->ConsumeIntegralInRange<std::int64_t>(0, kDay);
    } else {
        // Anything PostgreSQL's interval type holds.
        every.months = p->ConsumeIntegral<std::int32_t>();
        every.days = p->ConsumeIntegral<std::int32_t>();
        every.micros = p->ConsumeIntegral<std::int64_t>();
    }
    return every;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::uint8_t* nul = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
    const std::size_t text_size = nul != nullptr ? static_cast<std::size_t>(nul - data) : size;
    const std::string_view text(reinterpret_cast<const char*>(data), text_size);
    const bool has_params = nul != nullptr;
    FuzzedDataProvider params(has_params ? nul + 1 : data, has_params ? size - text_size - 1 : 0);
    g_context = "schedule text \"" + std::string(text) + "\"";

    const ParseOutcome parsed = mvs::parse_schedule(text);
    CHECK(std::memchr(parsed.message, 0, sizeof parsed.message) != nullptr,
          "message not terminated");

    RuleZone rule(0, 0, {3, 1, 0}, {10, 1, 0});
    mvs::FixedOffsetZone fixed(0);
    std::vector<Scenario> scenarios;
    if (!has_params) {
        // Around spring-forward and fall-back, in zones east and west of Greenwich, and in a
        // zone whose offset is not whole minutes.
        scenarios = {
            {&kEurope, utc(2024, 3, 31, 0, 30), false, 0, 0},
            {&kEurope, utc(2024, 10, 27, 0, 30), false, 0, 45 * kMinute},
            {&kEurope, utc(2024, 10, 1, 9, 0), true, utc(2024, 10, 27, 1, 30), 3 * kHour},
            {&kAmerica, utc(2024, 11, 3, 5, 30, 15, 250000), false, 0, 90 * kMinute},
            {&kAmerica, utc(2024, 3, 1), true, utc(2024, 3, 10, 7, 30), kDay + 5},
            {&kLordHowe, utc(2024, 4, 6, 14, 59, 59), false, 0, 2 * kDay},
            {&kMeanTime, utc(1900, 2, 28, 23, 59, 59, 999999), false, 0, 61 * kSecond},
            {&kUtc, utc(2028, 2, 29, 12), true, utc(2020, 1, 31, 10), -kSecond},
        };
    } else {
        Scenario sc{};
        sc.zone = choose_zone(&params, &rule, &fixed);
        sc.now = params.ConsumeIntegralInRange(kNowMin, kNowMax);
        sc.has_start_at = params.ConsumeBool();
        if (sc.has_start_at)
            sc.start_at = params.ConsumeBool()
                              ? sc.now + params.ConsumeIntegralInRange(-kDay * 400, kDay * 400)
                              : params.ConsumeIntegralInRange(kStartMin, kStartMax);
        sc.delay = params.ConsumeIntegralInRange(-kHour, 40 * kDay);
        if (params.ConsumeBool())
            sc.delay -= sc.delay % kSecond;
        scenarios.push_back(sc);
    }

    Schedule stepped;
    bool step = false;
    switch (parsed.status) {
    case ParseStatus::Error:
        CHECK(parsed.message[0] != '\0', "error without a message");
        break;
    case ParseStatus::NeedsInterval: {
        const std::size_t begin = parsed.interval_begin;
        const std::size_t length = parsed.interval_length;
        CHECK(begin <= text.size() && length <= text.size() - begin,
              "interval part [%zu, +%zu) is outside the text", begin, length);
        CHECK(length > 0 && !is_space(text[begin]) && !is_space(text[begin + length - 1]),
              "interval part [%zu, +%zu) is empty or not trimmed", begin, length);
        mvs::IntervalSpec every;
        bool have_interval = false;
        if (has_params) {
            every = choose_interval(&params);
            have_interval = true;
        } else {
            have_interval = read_interval(text.substr(begin, length), &every);
        }
        if (have_interval) {
            check_interval(every, scenarios.data(), scenarios.size());
            // The grid arithmetic for the interval as given, also one the parser refuses.
            stepped = parsed.schedule;
            stepped.kind = ScheduleKind::Interval;
            stepped.every = every;
            step = true;
        }
        break;
    }
    case ParseStatus::Ok:
        CHECK(parsed.schedule.kind == ScheduleKind::Interval ||
                  parsed.schedule.kind == ScheduleKind::Calendar ||
                  parsed.schedule.kind == ScheduleKind::Cron ||
                  parsed.schedule.kind == ScheduleKind::Once ||
                  parsed.schedule.kind == ScheduleKind::OnChange,
              "unknown kind %d", static_cast<int>(parsed.schedule.kind));
        check_round_trip(parsed.schedule);
        for (const Scenario& sc : scenarios)
            check_schedule(parsed.schedule, sc);
        stepped = parsed.schedule;
        step = true;
        break;
    default:
        CHECK(false, "unknown status %d", static_cast<int>(parsed.status));
    }

    // Many steps to the end of time: a thousand-year interval from 2026 and near the ends, or
    // fuzzed instants, zone and count. At most a few hundred bounded steps: fast per input.
    if (step && !has_params) {
        check_steps(stepped, utc(2026, 1, 1), utc(2026, 1, 1) - 1, kEurope, 1000);
        check_steps(stepped, kStartOfTime, kStartOfTime - 1, kLordHowe, 50);
        check_steps(stepped, utc(9999, 12, 31, 23), utc(9999, 12, 31, 22), kAmerica, 300);
        check_steps(stepped, utc(9998, 1, 1), kEndOfTime - 400 * kDay, kUtc, 300);
    } else if (step) {
        const mvs::TimeZone* zone = choose_zone(&params, &rule, &fixed);
        const UtcMicros anchor = choose_instant(&params);
        const UtcMicros after = choose_instant(&params);
        check_steps(stepped, anchor, after, *zone, params.ConsumeIntegralInRange(1, 300));
    }
    return 0;
}
