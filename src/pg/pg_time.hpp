// PostgreSQL's clock and time-zone rules, as core's types.
#pragma once

#include <type_traits>

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "pgtime.h"
}

#include "core/civil_time.hpp"
#include "core/time_zone.hpp"

namespace mvs::pg {

// PostgreSQL counts from 2000-01-01, core from 1970-01-01.
constexpr std::int64_t kPgEpochShiftMicros =
    static_cast<std::int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * mvs::kMicrosPerDay;

inline UtcMicros to_utc_micros(TimestampTz t) {
    return t + kPgEpochShiftMicros;
}
inline TimestampTz to_timestamptz(UtcMicros t) {
    return t - kPgEpochShiftMicros;
}

// The same, saturating, for any value: 'infinity' (or anything that late) in a catalog row would
// overflow to_utc_micros; core's kNever is DT_NOEND; anything before core's range is DT_NOBEGIN.
inline UtcMicros core_instant(TimestampTz t) {
    return t > PG_INT64_MAX - kPgEpochShiftMicros ? PG_INT64_MAX : to_utc_micros(t);
}
inline TimestampTz pg_instant(UtcMicros t) {
    if (t == mvs::kNever)
        return DT_NOEND;
    return t < PG_INT64_MIN + kPgEpochShiftMicros ? DT_NOBEGIN : to_timestamptz(t);
}

// A zone backed by PostgreSQL's tz database (pg_tzset), so every name PostgreSQL accepts works.
class PgZone final : public mvs::TimeZone {
  public:
    explicit PgZone(const pg_tz* tz) : tz_(tz) {}
    std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const override;

  private:
    const pg_tz* tz_;
};
// pg_localtime() is a PostgreSQL call made with the zone alive.
static_assert(std::is_trivially_destructible_v<PgZone>, "kept across PostgreSQL calls");

} // namespace mvs::pg
