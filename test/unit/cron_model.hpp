// An independent model of cron lines for the property tests: a generator of random lines that
// knows which values each field allows, a matcher, and brute-force searches for the next due
// time. Nothing here uses src/core; the calendar comes from libc (timegm, gmtime_r).
#pragma once

#include <bitset>
#include <cstdint>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace mvs_test {

struct CronModel {
    std::string text;
    bool six = false;           // seconds field first
    std::bitset<60> seconds;    // 0..59
    std::bitset<60> minutes;    // 0..59
    std::bitset<24> hours;      // 0..23
    std::bitset<32> days;       // 1..31
    std::bitset<13> months;     // 1..12
    std::bitset<7> weekdays;    // 0..6, 0 = Sunday
    bool last_day = false;      // L or $
    bool days_star = false;     // day-of-month starts with '*' or is '?'
    bool weekdays_star = false; // same for day-of-week
};

// --- calendar, from libc ----------------------------------------------------------------------

inline std::tm utc_tm(std::int64_t secs) {
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

inline std::int64_t wall_secs(int year, int month, int day, int hour = 0, int minute = 0,
                              int second = 0) {
    return utc(year, month, day, hour, minute, second) / kSecond;
}

inline int model_days_in_month(int year, int month) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month; // day 0 of the next month is the last day of this one
    tm.tm_mday = 0;
    tm.tm_hour = 12;
    timegm(&tm);
    return tm.tm_mday;
}

// --- matching ---------------------------------------------------------------------------------

inline bool model_day(const CronModel& m, const std::tm& tm) {
    const int day = tm.tm_mday;
    const bool dom =
        m.days[day] || (m.last_day && day == model_days_in_month(tm.tm_year + 1900, tm.tm_mon + 1));
    const bool dow = m.weekdays[tm.tm_wday];
    if (m.days_star || m.weekdays_star)
        return dom && dow;
    return dom || dow;
}

inline bool model_matches(const CronModel& m, const std::tm& tm) {
    return m.months[tm.tm_mon + 1] && model_day(m, tm) && m.hours[tm.tm_hour] &&
           m.minutes[tm.tm_min] && m.seconds[tm.tm_sec];
}

// Can the line ever fire? Only a day-of-month that no allowed month has can stop it.
inline bool model_can_fire(const CronModel& m) {
    if (!m.days_star && !m.weekdays_star)
        return true;
    if (m.days_star || m.last_day)
        return true;
    static const int kLongest[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int month = 1; month <= 12; ++month)
        if (m.months[month])
            for (int day = 1; day <= kLongest[month]; ++day)
                if (m.days[day])
                    return true;
    return false;
}

// The first matching wall-clock reading (seconds on the wall clock since 1970) strictly after
// `after_secs`, by brute force: day by day, and within a matching day minute by minute (second
// by second for a 6-field line). -1 when there is none within `years`.
inline std::int64_t model_next_wall(const CronModel& m, std::int64_t after_secs, int years = 40) {
    const std::int64_t from = after_secs + 1;
    const std::int64_t first_day = floor_div(from, 86400);
    for (std::int64_t day = first_day; day < first_day + 366 * years; ++day) {
        const std::tm date = utc_tm(day * 86400);
        if (!m.months[date.tm_mon + 1] || !model_day(m, date))
            continue;
        const std::int64_t start = day == first_day ? from - day * 86400 : 0;
        const int step = m.six ? 1 : 60;
        std::int64_t s = m.six ? start : (start + 59) / 60 * 60;
        for (; s < 86400; s += step) {
            const int hour = static_cast<int>(s / 3600);
            const int minute = static_cast<int>(s / 60 % 60);
            const int second = static_cast<int>(s % 60);
            if (m.hours[hour] && m.minutes[minute] && m.seconds[second])
                return day * 86400 + s;
        }
    }
    return -1;
}

// --- random lines -----------------------------------------------------------------------------

class CronGenerator {
  public:
    explicit CronGenerator(std::uint64_t seed) : rng_(seed) {}

    std::mt19937_64& rng() { return rng_; }

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(int percent) { return uniform(1, 100) <= percent; }

    // A random line. `hour_bias` makes most hour fields include the hours around 02:00, where
    // daylight-saving changes happen; `dense` makes fields other than seconds and minutes '*'
    // more often, so that the line fires often and searches run through hours and days rather
    // than years.
    CronModel line(bool six, bool hour_bias = false, bool dense = false) {
        dense_ = dense;
        CronModel m;
        m.six = six;
        std::string text;
        if (six) {
            text += field(0, &m.seconds, nullptr, nullptr) + " ";
        } else {
            m.seconds.set(0);
        }
        text += field(1, &m.minutes, nullptr, nullptr) + " ";
        std::bitset<60> hours;
        text +=
            (hour_bias && chance(60) ? biased_hours(&hours) : field(2, &hours, nullptr, nullptr)) +
            " ";
        for (int h = 0; h < 24; ++h)
            m.hours[h] = hours[h];
        std::bitset<60> days;
        text += field(3, &days, &m.last_day, &m.days_star) + " ";
        for (int d = 0; d < 32; ++d)
            m.days[d] = days[d];
        std::bitset<60> months;
        text += field(4, &months, nullptr, nullptr) + " ";
        for (int mo = 0; mo < 13; ++mo)
            m.months[mo] = months[mo];
        std::bitset<60> weekdays;
        text += field(5, &weekdays, nullptr, &m.weekdays_star);
        for (int w = 0; w < 7; ++w)
            m.weekdays[w] = weekdays[w];
        m.text = text;
        return m;
    }

  private:
    // Field numbers as in a 6-field line: second, minute, hour, day-of-month, month, day-of-week.
    static int field_min(int f) { return f == 3 || f == 4 ? 1 : 0; }
    static int field_max(int f) {
        static const int kMax[] = {59, 59, 23, 31, 12, 7};
        return kMax[f];
    }

    std::string value_text(int f, int v) {
        static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};
        static const char* const kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
        std::string text;
        if (f == 4 && chance(30))
            text = kMonths[v - 1];
        else if (f == 5 && v < 7 && chance(30))
            text = kDays[v];
        else if (chance(5))
            text = "0" + std::to_string(v);
        else
            return std::to_string(v);
        if (chance(30)) // names in any case
            for (char& c : text)
                c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
        return text;
    }

    // A weekday value as given (0..7) into the set: 7 is Sunday.
    static void add(int f, int v, std::bitset<60>* set) { set->set(f == 5 && v == 7 ? 0 : v); }

    int small_step(int f) {
        const int max = field_max(f);
        if (chance(70))
            return uniform(1, max < 10 ? max : 10);
        return uniform(1, max);
    }

    // One list item that does not start with '*'.
    std::string item(int f, std::bitset<60>* set, bool* last_day) {
        const int lo_limit = field_min(f);
        const int hi_limit = f == 5 ? 6 : field_max(f);
        if (f == 3 && last_day != nullptr && chance(10)) {
            *last_day = true;
            return chance(50) ? (chance(50) ? "L" : "l") : "$";
        }
        const int kind = uniform(0, 9);
        if (kind <= 3) { // a single value
            int v = uniform(lo_limit, hi_limit);
            if (f == 5 && v == 0 && chance(40))
                v = 7;
            add(f, v, set);
            return value_text(f, v);
        }
        if (kind <= 7) { // a range, maybe with a step; day-of-week may wrap to 0 or end at 7
            int a = uniform(lo_limit, hi_limit);
            int b = uniform(a, hi_limit);
            std::string b_text;
            int end = b;
            if (f == 5 && a > 0 && chance(25)) {
                b_text = chance(50) ? "0" : "7";
                end = 7;
            } else {
                b_text = value_text(f, b);
            }
            std::string text = value_text(f, a) + "-" + b_text;
            int step = 1;
            if (chance(40)) {
                step = small_step(f);
                text += "/" + std::to_string(step);
            }
            for (int v = a; v <= end; v += step)
                add(f, v, set);
            return text;
        }
        // "a/step": from a to the field's end (Saturday for day-of-week)
        const int a = uniform(lo_limit, hi_limit);
        const int step = small_step(f);
        for (int v = a; v <= hi_limit; v += step)
            add(f, v, set);
        return value_text(f, a) + "/" + std::to_string(step);
    }

    std::string field(int f, std::bitset<60>* set, bool* last_day, bool* star) {
        const int lo = field_min(f);
        const int hi = f == 5 ? 6 : field_max(f);
        std::string text;
        int kind = uniform(0, 9);
        if (dense_ && f >= 2 && chance(50))
            kind = 1;
        if (kind <= 2) { // starts with '*' (or is '?' in the day fields)
            if (star != nullptr)
                *star = true;
            if (kind == 0 && (f == 3 || f == 5) && chance(50)) {
                for (int v = lo; v <= hi; ++v)
                    add(f, v, set);
                return "?";
            }
            if (kind <= 1) {
                text = "*";
                for (int v = lo; v <= hi; ++v)
                    add(f, v, set);
            } else {
                const int step = small_step(f);
                text = "*/" + std::to_string(step);
                for (int v = lo; v <= hi; v += step)
                    add(f, v, set);
            }
            if (chance(10))
                text += "," + item(f, set, last_day);
            return text;
        }
        const int items = kind <= 7 ? 1 : uniform(2, 4);
        for (int i = 0; i < items; ++i) {
            if (i > 0)
                text += ",";
            text += item(f, set, last_day);
        }
        return text;
    }

    std::string biased_hours(std::bitset<60>* set) {
        static const char* const kForms[] = {"1-3", "2", "1,2,3", "0-4/2", "2-3", "*/1", "1/1"};
        const std::string text = kForms[uniform(0, 6)];
        if (text == "1-3" || text == "1,2,3") {
            set->set(1), set->set(2), set->set(3);
        } else if (text == "2") {
            set->set(2);
        } else if (text == "0-4/2") {
            set->set(0), set->set(2), set->set(4);
        } else if (text == "2-3") {
            set->set(2), set->set(3);
        } else if (text == "*/1") {
            for (int h = 0; h < 24; ++h)
                set->set(h);
        } else {
            for (int h = 1; h < 24; ++h)
                set->set(h);
        }
        return text;
    }

    std::mt19937_64 rng_;
    bool dense_ = false;
};

} // namespace mvs_test
