#include "pg/pg_time.hpp"

namespace mvs::pg {

std::int64_t PgZone::utc_offset_seconds(std::int64_t utc_seconds) const {
    const pg_time_t t = static_cast<pg_time_t>(utc_seconds);
    // pg_localtime reports no errors; it returns NULL only for instants outside the tz data.
    const struct pg_tm* tm = pg_localtime(&t, tz_);
    return tm != nullptr ? tm->tm_gmtoff : 0;
}

} // namespace mvs::pg
