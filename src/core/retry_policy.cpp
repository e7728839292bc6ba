#include "retry_policy.hpp"

#include <cmath>
#include <cstdint>

namespace mvs {

namespace {

constexpr double kDaysPerMonth = 30.0;
constexpr double kSecondsPerDay = 86400.0;
constexpr std::int64_t kMicrosPerDayI = 86400LL * 1000000LL;

__int128 interval_value(const IntervalParts& i) noexcept {
    return static_cast<__int128>(i.micros) +
           (static_cast<__int128>(i.days) + static_cast<__int128>(i.months) * 30) * kMicrosPerDayI;
}

// PostgreSQL's TSROUND: to the microsecond.
double ts_round(double v) noexcept {
    return std::rint(v * 1000000.0) / 1000000.0;
}

std::int32_t saturate_int32(double v) noexcept {
    if (std::isnan(v))
        return 0;
    if (v >= 2147483647.0)
        return INT32_MAX;
    if (v <= -2147483648.0)
        return INT32_MIN;
    return static_cast<std::int32_t>(v); // truncates, as PostgreSQL's cast does
}

std::int64_t saturate_int64(double v) noexcept {
    if (std::isnan(v))
        return 0;
    // 2^63 is exact in a double; everything below it converts.
    if (v >= 9223372036854775808.0)
        return INT64_MAX;
    if (v < -9223372036854775808.0)
        return INT64_MIN;
    return static_cast<std::int64_t>(v);
}

std::int32_t add_saturating(std::int32_t a, std::int64_t b) noexcept {
    const std::int64_t sum = std::int64_t{a} + (b > INT32_MAX   ? INT32_MAX
                                                : b < INT32_MIN ? INT32_MIN
                                                                : b);
    return sum > INT32_MAX   ? INT32_MAX
           : sum < INT32_MIN ? INT32_MIN
                             : static_cast<std::int32_t>(sum);
}

} // namespace

int compare_intervals(const IntervalParts& a, const IntervalParts& b) noexcept {
    const __int128 x = interval_value(a);
    const __int128 y = interval_value(b);
    return x < y ? -1 : (x > y ? 1 : 0);
}

IntervalParts scale_interval(const IntervalParts& span, double factor) noexcept {
    IntervalParts r;
    r.months = saturate_int32(span.months * factor);
    r.days = saturate_int32(span.days * factor);
    // The fractions of months and days cascade down, as in PostgreSQL's interval_mul.
    double month_remainder_days = (span.months * factor - r.months) * kDaysPerMonth;
    month_remainder_days = ts_round(month_remainder_days);
    double sec_remainder = (span.days * factor - r.days + month_remainder_days -
                            static_cast<double>(static_cast<std::int64_t>(month_remainder_days))) *
                           kSecondsPerDay;
    sec_remainder = ts_round(sec_remainder);
    if (std::fabs(sec_remainder) >= kSecondsPerDay) {
        const std::int64_t whole_days = static_cast<std::int64_t>(sec_remainder / kSecondsPerDay);
        r.days = add_saturating(r.days, whole_days);
        sec_remainder -= static_cast<double>(whole_days) * kSecondsPerDay;
    }
    r.days = add_saturating(r.days, static_cast<std::int64_t>(month_remainder_days));
    r.micros = saturate_int64(
        std::rint(static_cast<double>(span.micros) * factor + sec_remainder * 1000000.0));
    return r;
}

IntervalParts retry_backoff(const IntervalParts& retry_delay,
                            std::int64_t consecutive_failures) noexcept {
    // LEAST keeps its first argument unless a later one is strictly smaller: '168 hours' stays
    // 168 hours, elapsed, and is not turned into 7 calendar days.
    IntervalParts longest;
    longest.days = kMaxRetryDelayDays;
    const IntervalParts delay = compare_intervals(longest, retry_delay) < 0 ? longest : retry_delay;
    const std::int64_t exponent = consecutive_failures < kMaxBackoffExponent
                                      ? consecutive_failures
                                      : std::int64_t{kMaxBackoffExponent};
    // 2^exponent is exact in a double; below 2^-1074 it is 0.
    const double factor = exponent < -1100 ? 0.0 : std::ldexp(1.0, static_cast<int>(exponent));
    const IntervalParts wait = scale_interval(delay, factor);
    IntervalParts cap;
    cap.days = kMaxBackoffDays;
    return compare_intervals(cap, wait) < 0 ? cap : wait;
}

bool retries_after(const RunEnd& end) noexcept {
    return end.failed && !end.manual && end.has_next_run &&
           end.consecutive_failures < end.max_retries;
}

std::int32_t consecutive_failures_after(std::int32_t before, bool succeeded, bool failed) noexcept {
    if (succeeded)
        return 0;
    if (failed && before < INT32_MAX)
        return before + 1;
    return before;
}

} // namespace mvs
