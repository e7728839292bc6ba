#include "retry_policy.hpp"

#include <cmath>
#include <cstdint>

namespace mvs {

std::int64_t retry_backoff(std::int64_t retry_delay_micros,
                           std::int64_t consecutive_failures) noexcept {
    const std::int64_t delay =
        retry_delay_micros < kMaxRetryDelayMicros ? retry_delay_micros : kMaxRetryDelayMicros;
    const std::int64_t exponent = consecutive_failures < kMaxBackoffExponent
                                      ? consecutive_failures
                                      : std::int64_t{kMaxBackoffExponent};
    std::int64_t wait = 0;
    if (exponent >= 0) {
        // |delay| <= 7 days with a bounded exponent cannot overflow, but a negative delay written
        // by hand has no lower bound: checked, saturating.
        if (__builtin_mul_overflow(delay, std::int64_t{1} << exponent, &wait))
            wait = delay < 0 ? INT64_MIN : INT64_MAX;
    } else {
        // Halving rounds to the nearest, as PostgreSQL's interval multiplication does; below
        // 2^-64 nothing is left.
        wait = exponent < -64 ? 0
                              : static_cast<std::int64_t>(std::nearbyint(std::ldexp(
                                    static_cast<double>(delay), static_cast<int>(exponent))));
    }
    return wait < kMaxBackoffMicros ? wait : kMaxBackoffMicros;
}

UtcMicros next_run_after_end(const RunEnd& end) noexcept {
    if (!end.failed || end.manual || end.next_run == kNever ||
        end.consecutive_failures >= end.max_retries)
        return end.next_run;
    const std::int64_t wait = retry_backoff(end.retry_delay_micros, end.consecutive_failures);
    UtcMicros retry = 0;
    if (__builtin_add_overflow(end.finished, wait, &retry))
        retry = wait < 0 ? INT64_MIN : INT64_MAX;
    return retry < end.next_run ? retry : end.next_run;
}

std::int32_t consecutive_failures_after(std::int32_t before, bool succeeded, bool failed) noexcept {
    if (succeeded)
        return 0;
    if (failed && before < INT32_MAX)
        return before + 1;
    return before;
}

} // namespace mvs
