#include "civil_time.hpp"

namespace mvs {

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

bool operator==(const CivilTime& a, const CivilTime& b) noexcept {
    return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
           a.minute == b.minute && a.second == b.second && a.micro == b.micro;
}

bool is_leap_year(std::int64_t y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(std::int64_t year, int month) noexcept {
    static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap_year(year))
        return 29;
    return kDays[month - 1];
}

// Howard Hinnant's days_from_civil: exact for every year representable here.
std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
    y -= m <= 2;
    const std::int64_t era = floor_div(y, 400);
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (m + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t* year, int* month, int* day) noexcept {
    z += 719468;
    const std::int64_t era = floor_div(z, 146097);
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

int iso_weekday(std::int64_t days) noexcept {
    // 1970-01-01 was a Thursday (4).
    const std::int64_t w = floor_div(days + 3, 7);
    return static_cast<int>(days + 3 - w * 7) + 1;
}

std::int64_t wall_micros(const CivilTime& t) noexcept {
    const std::int64_t days = days_from_civil(t.year, t.month, t.day);
    const std::int64_t secs = days * kSecondsPerDay + t.hour * 3600 + t.minute * 60 + t.second;
    return secs * kMicrosPerSecond + t.micro;
}

CivilTime civil_from_wall_micros(std::int64_t wall) noexcept {
    const std::int64_t days = floor_div(wall, kMicrosPerDay);
    std::int64_t rest = wall - days * kMicrosPerDay;
    CivilTime t;
    std::int64_t year = 0;
    civil_from_days(days, &year, &t.month, &t.day);
    t.year = static_cast<int>(year);
    t.hour = static_cast<int>(rest / (3600 * kMicrosPerSecond));
    rest -= t.hour * 3600 * kMicrosPerSecond;
    t.minute = static_cast<int>(rest / (60 * kMicrosPerSecond));
    rest -= t.minute * 60 * kMicrosPerSecond;
    t.second = static_cast<int>(rest / kMicrosPerSecond);
    t.micro = static_cast<int>(rest - t.second * kMicrosPerSecond);
    return t;
}

CivilTime add_months(const CivilTime& t, std::int64_t months) noexcept {
    const std::int64_t index = static_cast<std::int64_t>(t.year) * 12 + (t.month - 1) + months;
    const std::int64_t year = floor_div(index, 12);
    const int month = static_cast<int>(index - year * 12) + 1;
    CivilTime r = t;
    r.year = static_cast<int>(year);
    r.month = month;
    const int last = days_in_month(year, month);
    if (r.day > last)
        r.day = last;
    return r;
}

CivilTime add_days(const CivilTime& t, std::int64_t days) noexcept {
    CivilTime r = t;
    std::int64_t year = 0;
    civil_from_days(days_from_civil(t.year, t.month, t.day) + days, &year, &r.month, &r.day);
    r.year = static_cast<int>(year);
    return r;
}

namespace {

bool year_in_limit(std::int64_t year) noexcept {
    return year >= -kCivilYearLimit && year <= kCivilYearLimit;
}

} // namespace

bool try_add_months(const CivilTime& t, std::int64_t months, CivilTime* out) noexcept {
    // |months| beyond the span of the limit cannot land inside it; checked before adding.
    constexpr std::int64_t kSpan = 2 * kCivilYearLimit * 12 + 12;
    if (!year_in_limit(t.year) || months > kSpan || months < -kSpan)
        return false;
    const std::int64_t index = static_cast<std::int64_t>(t.year) * 12 + (t.month - 1) + months;
    if (!year_in_limit(floor_div(index, 12)))
        return false;
    *out = add_months(t, months);
    return true;
}

bool try_add_days(const CivilTime& t, std::int64_t days, CivilTime* out) noexcept {
    if (!year_in_limit(t.year))
        return false;
    // The first and last days of the years +-kCivilYearLimit; `from` lies between them, so
    // neither difference below overflows.
    const std::int64_t first = days_from_civil(-kCivilYearLimit, 1, 1);
    const std::int64_t last = days_from_civil(kCivilYearLimit, 12, 31);
    const std::int64_t from = days_from_civil(t.year, t.month, t.day);
    if (days > last - from || days < first - from)
        return false;
    *out = add_days(t, days);
    return true;
}

} // namespace mvs
