#include "time_zone.hpp"

namespace mvs {

std::int64_t utc_offset_at(const TimeZone& zone, std::int64_t utc_seconds) {
    const std::int64_t offset = zone.utc_offset_seconds(utc_seconds);
    if (offset > kMaxUtcOffsetSeconds)
        return kMaxUtcOffsetSeconds;
    return offset < -kMaxUtcOffsetSeconds ? -kMaxUtcOffsetSeconds : offset;
}

std::int64_t first_offset_change(const TimeZone& zone, std::int64_t offset, std::int64_t lo,
                                 std::int64_t hi) {
    while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (utc_offset_at(zone, mid) == offset)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

CivilTime to_local(const TimeZone& zone, UtcMicros instant) {
    const std::int64_t offset = utc_offset_at(zone, floor_seconds(instant));
    return civil_from_wall_micros(instant + offset * kMicrosPerSecond);
}

UtcMicros from_local(const TimeZone& zone, const CivilTime& local) {
    const std::int64_t wall = wall_micros(local);
    const std::int64_t wall_s = floor_seconds(wall);
    // Real zones change offset at most once in any two days, so the offsets a day either side of
    // the reading are the only candidates. At most 4 + 21 offset lookups in all: the gap search
    // below spans at most 2 * kMaxUtcOffsetSeconds.
    const std::int64_t before = utc_offset_at(zone, wall_s - kSecondsPerDay);
    const std::int64_t after = utc_offset_at(zone, wall_s + kSecondsPerDay);
    const UtcMicros with_before = wall - before * kMicrosPerSecond;
    const UtcMicros with_after = wall - after * kMicrosPerSecond;
    const bool before_ok = utc_offset_at(zone, floor_seconds(with_before)) == before;
    const bool after_ok = utc_offset_at(zone, floor_seconds(with_after)) == after;
    if (before_ok && after_ok)
        return with_before < with_after ? with_before : with_after;
    if (before_ok)
        return with_before;
    if (after_ok)
        return with_after;
    // In the gap: the first valid instant after it is the transition itself. It lies between the
    // two candidate instants; find the first second that already has the later offset.
    const std::int64_t lo = floor_seconds(with_after < with_before ? with_after : with_before);
    const std::int64_t hi = floor_seconds(with_after < with_before ? with_before : with_after) + 1;
    return first_offset_change(zone, before, lo, hi) * kMicrosPerSecond;
}

} // namespace mvs
