#include "cron.hpp"

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

namespace mvs {

namespace {

struct Field {
    const char* name;
    int min;
    int max;
};

// In the order of a 6-field line; a 5-field line starts at index 1.
const Field kFields[] = {
    {"second", 0, 59},       {"minute", 0, 59}, {"hour", 0, 23},
    {"day-of-month", 1, 31}, {"month", 1, 12},  {"day-of-week", 0, 7},
};
enum FieldIndex { kSecond, kMinute, kHour, kDay, kMonth, kWeekday };

const char* const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct Macro {
    const char* name;
    const char* line;
};
const Macro kMacros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> split_fields(std::string_view text) {
    std::vector<std::string> fields;
    std::string current;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!current.empty())
                fields.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty())
        fields.push_back(current);
    return fields;
}

bool is_name(const std::string& word) {
    for (const char* n : kMonthNames)
        if (word == n)
            return true;
    for (const char* n : kDayNames)
        if (word == n)
            return true;
    return word == "l";
}

// Digits, cron punctuation and names only. A name marks the text as cron, except "mon" and
// "dec" standing alone: to PostgreSQL those are interval units ('1 mon' is how it prints a month,
// "dec" is a decade).
bool is_cron_token(const std::string& token, bool* punctuated) {
    std::string word;
    for (std::size_t i = 0; i <= token.size(); ++i) {
        const char c = i < token.size() ? token[i] : ',';
        if (std::isalpha(static_cast<unsigned char>(c))) {
            word += c;
            continue;
        }
        if (!word.empty()) {
            if (!is_name(word))
                return false;
            if (!(word == token && (word == "mon" || word == "dec")))
                *punctuated = true;
            word.clear();
        }
        if (i == token.size())
            break;
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '-')
            continue;
        if (c == '*' || c == ',' || c == '/' || c == '?' || c == '$') {
            *punctuated = true;
            continue;
        }
        return false;
    }
    return true;
}

struct FieldResult {
    bool ok = true;
    std::uint64_t bits = 0;
    bool last_day = false;
    bool star = false;
    char message[kMessageSize] = {0};
};

void fail(FieldResult* r, const char* fmt, const char* field, const std::string& what, int min = 0,
          int max = 0) {
    r->ok = false;
    std::snprintf(r->message, sizeof r->message, fmt, field, what.c_str(), min, max);
}

// A number or a name; false if it is neither.
bool read_value(const std::string& text, int field, int* out) {
    if (text.empty())
        return false;
    bool digits = true;
    for (char c : text)
        digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) {
        if (text.size() > 4)
            *out = 10000; // out of every range; reported as such
        else
            *out = std::stoi(text);
        return true;
    }
    if (field == kMonth)
        for (int i = 0; i < 12; ++i)
            if (text == kMonthNames[i]) {
                *out = i + 1;
                return true;
            }
    if (field == kWeekday)
        for (int i = 0; i < 7; ++i)
            if (text == kDayNames[i]) {
                *out = i;
                return true;
            }
    return false;
}

FieldResult parse_field(const std::string& raw, int field) {
    FieldResult r;
    const Field& f = kFields[field];
    const std::string text = lower(raw);
    r.star = !text.empty() && (text[0] == '*' || text[0] == '?');
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos)
            comma = text.size();
        const std::string item = text.substr(start, comma - start);
        start = comma + 1;
        if (item.empty()) {
            fail(&r, "cron field %s has an empty list item in \"%s\"", f.name, raw);
            return r;
        }
        if (field == kDay && (item == "l" || item == "$")) {
            r.last_day = true;
            continue;
        }
        std::string range = item;
        int step = 1;
        const std::size_t slash = item.find('/');
        if (slash != std::string::npos) {
            range = item.substr(0, slash);
            const std::string step_text = item.substr(slash + 1);
            if (!read_value(step_text, -1, &step) || step_text.empty()) {
                fail(&r, "cron field %s has an invalid step in \"%s\"", f.name, item);
                return r;
            }
            if (step < 1 || step > f.max) {
                r.ok = false;
                std::snprintf(r.message, sizeof r.message,
                              "cron field %s step %.64s is out of range (1-%d)", f.name,
                              step_text.c_str(), f.max);
                return r;
            }
        }
        int lo = f.min;
        int hi = field == kWeekday ? 6 : f.max;
        if (range == "*" || range == "?") {
            // all values
        } else {
            const std::size_t dash = range.find('-');
            const std::string first = range.substr(0, dash);
            if (!read_value(first, field, &lo)) {
                fail(&r, "cron field %s has an invalid value \"%s\"", f.name, item);
                return r;
            }
            std::string last = first;
            if (dash != std::string::npos) {
                last = range.substr(dash + 1);
                if (!read_value(last, field, &hi)) {
                    fail(&r, "cron field %s has an invalid value \"%s\"", f.name, item);
                    return r;
                }
            } else {
                // "5/15" means from 5 to the end; "5" alone is just 5.
                hi = slash != std::string::npos ? (field == kWeekday ? 6 : f.max) : lo;
            }
            // Out of range: show the value as written (read_value caps long numbers).
            const bool lo_bad = lo < f.min || lo > f.max;
            if (lo_bad || hi < f.min || hi > f.max) {
                std::snprintf(r.message, sizeof r.message,
                              "cron field %s value %.64s is out of range (%d-%d)", f.name,
                              (lo_bad ? first : last).c_str(), f.min, f.max);
                r.ok = false;
                return r;
            }
            if (lo > hi && !(field == kWeekday && hi == 0 && lo <= 7)) {
                std::snprintf(r.message, sizeof r.message,
                              "cron field %s range %d-%d runs backwards", f.name, lo, hi);
                r.ok = false;
                return r;
            }
            if (field == kWeekday && hi == 0 && lo > 0)
                hi = 7; // "5-0": Friday to Sunday
        }
        for (int v = lo; v <= hi; v += step)
            r.bits |= std::uint64_t{1} << (field == kWeekday && v == 7 ? 0 : v);
    }
    return r;
}

int next_bit(std::uint64_t mask, int from) noexcept {
    if (from >= 64)
        return -1;
    const std::uint64_t rest = mask >> from;
    if (rest == 0)
        return -1;
    return from + __builtin_ctzll(rest);
}

bool day_matches(const CronSpec& s, const CivilTime& t) noexcept {
    const bool dom =
        ((s.days >> t.day) & 1U) != 0 || (s.last_day && t.day == days_in_month(t.year, t.month));
    const int weekday = iso_weekday(days_from_civil(t.year, t.month, t.day)) % 7;
    const bool dow = ((s.weekdays >> weekday) & 1U) != 0;
    if (s.days_star || s.weekdays_star)
        return dom && dow;
    return dom || dow;
}

// Can the line ever fire? Only a day-of-month that no allowed month has (Feb 30) can stop it.
bool can_fire(const CronSpec& s) noexcept {
    if (!s.days_star && !s.weekdays_star)
        return true; // either field may match, and any weekday comes every week
    if (s.days_star || s.last_day)
        return true;
    static const int kLongest[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; ++m)
        if ((s.months >> m) & 1U)
            for (int d = 1; d <= kLongest[m]; ++d)
                if ((s.days >> d) & 1U)
                    return true;
    return false;
}

CivilTime start_of_day(std::int64_t year, int month, int day) noexcept {
    CivilTime t;
    t.year = static_cast<int>(year);
    t.month = month;
    t.day = day;
    return t;
}

// The days of a month that match (bit d for day d), under the Vixie rule.
std::uint64_t month_day_mask(const CronSpec& s, std::int64_t year, int month) noexcept {
    const int length = days_in_month(year, month);
    const std::uint64_t month_days = ((std::uint64_t{1} << (length + 1)) - 1) & ~std::uint64_t{1};
    std::uint64_t dom = std::uint64_t{s.days} & month_days;
    if (s.last_day)
        dom |= std::uint64_t{1} << length;
    const int first = iso_weekday(days_from_civil(year, month, 1)) % 7;
    std::uint64_t dow = 0;
    for (int d = 1, weekday = first; d <= length; ++d, weekday = weekday == 6 ? 0 : weekday + 1)
        if ((s.weekdays >> weekday) & 1U)
            dow |= std::uint64_t{1} << d;
    return s.days_star || s.weekdays_star ? dom & dow : dom | dow;
}

CivilTime next_day(const CivilTime& t) noexcept {
    return add_days(start_of_day(t.year, t.month, t.day), 1);
}

} // namespace

bool operator==(const CronSpec& a, const CronSpec& b) noexcept {
    return a.seconds == b.seconds && a.minutes == b.minutes && a.hours == b.hours &&
           a.days == b.days && a.months == b.months && a.weekdays == b.weekdays &&
           a.last_day == b.last_day && a.days_star == b.days_star &&
           a.weekdays_star == b.weekdays_star;
}

bool looks_like_cron(std::string_view text) {
    const std::vector<std::string> fields = split_fields(lower(text));
    if (fields.empty())
        return false;
    if (fields[0].size() > 1 && fields[0][0] == '@' &&
        std::isalpha(static_cast<unsigned char>(fields[0][1])))
        return true;
    bool punctuated = false;
    std::size_t cron_tokens = 0;
    for (const auto& f : fields)
        if (is_cron_token(f, &punctuated))
            ++cron_tokens;
    // Five or six fields with one typo ("0 9 * * mondy") still mean cron.
    if ((fields.size() == 5 || fields.size() == 6) && cron_tokens + 1 >= fields.size())
        return true;
    return cron_tokens == fields.size() && punctuated;
}

CronParse parse_cron(std::string_view text) {
    CronParse result;
    std::vector<std::string> fields = split_fields(text);
    if (fields.size() == 1 && !fields[0].empty() && fields[0][0] == '@') {
        const std::string name = lower(fields[0]);
        bool known = false;
        for (const auto& m : kMacros) {
            if (name == m.name) {
                fields = split_fields(m.line);
                known = true;
            }
        }
        if (!known) {
            std::snprintf(result.message, sizeof result.message,
                          "unknown cron macro \"%s\" (use @hourly, @daily, @midnight, @weekly, "
                          "@monthly, @yearly or @annually)",
                          fields[0].c_str());
            return result;
        }
    }
    if (fields.size() != 5 && fields.size() != 6) {
        std::snprintf(result.message, sizeof result.message,
                      "a cron line has 5 fields (minute hour day-of-month month day-of-week) or 6 "
                      "(with seconds first), not %zu",
                      fields.size());
        return result;
    }
    CronSpec spec;
    const int first = fields.size() == 6 ? kSecond : kMinute;
    if (first == kMinute)
        spec.seconds = 1; // second 0
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const int field = first + static_cast<int>(i);
        const FieldResult r = parse_field(fields[i], field);
        if (!r.ok) {
            std::snprintf(result.message, sizeof result.message, "%s", r.message);
            return result;
        }
        switch (field) {
        case kSecond:
            spec.seconds = r.bits;
            break;
        case kMinute:
            spec.minutes = r.bits;
            break;
        case kHour:
            spec.hours = static_cast<std::uint32_t>(r.bits);
            break;
        case kDay:
            spec.days = static_cast<std::uint32_t>(r.bits);
            spec.last_day = r.last_day;
            spec.days_star = r.star;
            break;
        case kMonth:
            spec.months = static_cast<std::uint16_t>(r.bits);
            break;
        default:
            spec.weekdays = static_cast<std::uint8_t>(r.bits);
            spec.weekdays_star = r.star;
            break;
        }
    }
    if (!can_fire(spec)) {
        std::snprintf(result.message, sizeof result.message,
                      "cron line \"%.*s\" can never fire: no allowed month has that day",
                      static_cast<int>(text.size() > 100 ? 100 : text.size()), text.data());
        return result;
    }
    result.ok = true;
    result.spec = spec;
    return result;
}

bool cron_matches(const CronSpec& s, const CivilTime& t) noexcept {
    return ((s.months >> t.month) & 1U) && day_matches(s, t) && ((s.hours >> t.hour) & 1U) &&
           ((s.minutes >> t.minute) & 1U) && ((s.seconds >> t.second) & 1U);
}

bool next_cron_wall(const CronSpec& s, const CivilTime& after, CivilTime* out) noexcept {
    CivilTime t = after;
    t.micro = 0;
    t = civil_from_wall_micros(wall_micros(t) + kMicrosPerSecond);
    const int last_year = after.year + 30;
    while (t.year <= last_year) {
        if (((s.months >> t.month) & 1U) == 0) {
            const int m = next_bit(s.months, t.month + 1);
            t = m > 0 && m <= 12 ? start_of_day(t.year, m, 1) : start_of_day(t.year + 1, 1, 1);
            continue;
        }
        if (!day_matches(s, t)) {
            // Straight to the month's next matching day, or the next month.
            const int d = next_bit(month_day_mask(s, t.year, t.month), t.day + 1);
            t = d > 0 ? start_of_day(t.year, t.month, d)
                      : add_months(start_of_day(t.year, t.month, 1), 1);
            continue;
        }
        if (((s.hours >> t.hour) & 1U) == 0) {
            const int h = next_bit(s.hours, t.hour + 1);
            if (h < 0 || h > 23) {
                t = next_day(t);
                continue;
            }
            t.hour = h;
            t.minute = 0;
            t.second = 0;
        }
        if (((s.minutes >> t.minute) & 1U) == 0) {
            const int m = next_bit(s.minutes, t.minute + 1);
            if (m < 0 || m > 59) {
                t = civil_from_wall_micros(wall_micros(t) +
                                           (60 - t.minute) * 60 * kMicrosPerSecond -
                                           t.second * kMicrosPerSecond);
                continue;
            }
            t.minute = m;
            t.second = 0;
        }
        if (((s.seconds >> t.second) & 1U) == 0) {
            const int sec = next_bit(s.seconds, t.second + 1);
            if (sec < 0 || sec > 59) {
                t = civil_from_wall_micros(wall_micros(t) + (60 - t.second) * kMicrosPerSecond);
                continue;
            }
            t.second = sec;
        }
        *out = t;
        return true;
    }
    return false;
}

UtcMicros next_cron(const CronSpec& spec, UtcMicros after, const TimeZone& zone) {
    // Nothing at or past the end of time; before its start, from its start.
    if (after >= kEndOfTime - 1)
        return kNever;
    if (after < kStartOfTime - 1)
        after = kStartOfTime - 1;
    // A field with no value in its range never matches (only a hand-made spec): without this,
    // next_cron_wall would walk 30 years second by second. With a value in every field it visits
    // a few readings per matching day and at most two per other month.
    const std::uint64_t sixty = (std::uint64_t{1} << 60) - 1;
    const bool any_dom = (spec.days & 0xfffffffeU) != 0 || spec.last_day;
    const bool any_dow = (spec.weekdays & 0x7fU) != 0;
    const bool any_day =
        spec.days_star || spec.weekdays_star ? any_dom && any_dow : any_dom || any_dow;
    if ((spec.seconds & sixty) == 0 || (spec.minutes & sixty) == 0 ||
        (spec.hours & 0xffffffU) == 0 || (spec.months & 0x1ffeU) == 0 || !any_day)
        return kNever;
    CivilTime wall = to_local(zone, after);
    // A few rounds at most. A candidate is passed over only when it was first shown at or before
    // `after`: the clock went back in between (fall-back), and `after` is in the repeat. The
    // bound on rounds only matters for zones no tz database has: each round costs at most 26 +
    // 1 + 21 offset lookups, so 10000 rounds are 480,000 of them.
    for (int round = 0; round < 10000; ++round) {
        CivilTime candidate;
        if (!next_cron_wall(spec, wall, &candidate))
            return kNever;
        const UtcMicros t = from_local(zone, candidate);
        if (t > after)
            return t < kEndOfTime ? t : kNever;
        // Every reading shown with the offset in effect at t, up to the change, was first shown
        // before `after` too: go on from the last of them rather than one candidate at a time
        // (a 3-hour change, as in Antarctica/Casey, and a line firing every second would be 10800
        // candidates, more than the rounds allowed).
        wall = candidate;
        const std::int64_t offset = utc_offset_at(zone, floor_seconds(t));
        const std::int64_t hi = floor_seconds(after);
        if (utc_offset_at(zone, hi) == offset)
            continue;
        // The last second with the offset in effect at t.
        const std::int64_t lo = first_offset_change(zone, offset, floor_seconds(t), hi) - 1;
        const CivilTime last = civil_from_wall_micros((lo + offset) * kMicrosPerSecond);
        if (wall_micros(last) > wall_micros(wall))
            wall = last;
    }
    return kNever;
}

} // namespace mvs
