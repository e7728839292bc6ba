// Time-zone rules as the scheduler needs them. The rules themselves come from outside (PostgreSQL's
// own in the server, the system's tzdata in tests): core only asks for the UTC offset at an
// instant.
#pragma once

#include <cstdint>

#include "civil_time.hpp"

namespace mvs {

class TimeZone {
  public:
    // Seconds east of UTC in effect at the given instant (seconds since the Unix epoch).
    virtual std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const = 0;

  protected:
    // Not virtual on purpose: zones live on the stack next to PostgreSQL calls and must stay
    // trivially destructible.
    ~TimeZone() = default;
};

class FixedOffsetZone final : public TimeZone {
  public:
    explicit FixedOffsetZone(std::int64_t offset_seconds) : offset_(offset_seconds) {}
    std::int64_t utc_offset_seconds(std::int64_t) const noexcept override { return offset_; }

  private:
    std::int64_t offset_;
};

// The largest UTC offset core believes: PostgreSQL's POSIX-style zone names reach 167:59:59
// (real zones stay within 16 hours). A zone that claims more is taken to mean this much, so
// that core's arithmetic stays bounded for any zone.
constexpr std::int64_t kMaxUtcOffsetSeconds = 7 * kSecondsPerDay;

// The zone's offset at an instant, limited to +-kMaxUtcOffsetSeconds. Core asks through this.
std::int64_t utc_offset_at(const TimeZone& zone, std::int64_t utc_seconds);

// The first second in (lo, hi] whose offset is not `offset`, found by bisection, for hi's offset
// not being `offset` (lo's is taken to be). For lo < hi; at most log2(hi - lo) + 1 lookups.
std::int64_t first_offset_change(const TimeZone& zone, std::int64_t offset, std::int64_t lo,
                                 std::int64_t hi);

// The wall-clock reading in the zone at an instant.
CivilTime to_local(const TimeZone& zone, UtcMicros instant);

// The instant at which the zone's wall clock shows `local`. A reading that the clock skips (the
// spring-forward gap) maps to the first instant after the gap; one it shows twice (fall-back) maps
// to its first occurrence.
UtcMicros from_local(const TimeZone& zone, const CivilTime& local);

} // namespace mvs
