#include "pg/pg_time.hpp"

namespace mvs::pg {

std::int64_t PgZone::utc_offset_seconds(std::int64_t utc_seconds) const {
    const pg_time_t t = static_cast<pg_time_t>(utc_seconds);
    // pg_localtime reports no errors; it returns NULL only for instants outside the tz data.
    const struct pg_tm* tm = pg_localtime(&t, tz_);
    return tm != nullptr ? tm->tm_gmtoff : 0;
}

} // namespace mvs::pg

#include "core/next_run.hpp"
#include "pg/error_bridge.hpp"

namespace mvs::pg {

TimestampTz next_due(const mvs::Schedule& schedule, TimestampTz anchor, TimestampTz after,
                     const pg_tz* tz) {
    UtcMicros due = 0;
    const CppFailure failure = run_cpp([&] {
        const PgZone zone(tz);
        due = mvs::next_due_after(schedule, to_utc_micros(anchor), to_utc_micros(after), zone);
    });
    MVS_RAISE_IF_FAILED(failure);
    return to_timestamptz(due);
}

} // namespace mvs::pg
