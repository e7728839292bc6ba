// Schedules whose bookkeeping failed so badly that not even the failure could be recorded are left
// alone for a while, so that they cannot hold up the other schedules or fill the log.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace mvs::pg {

constexpr int kMaxQuarantined = 64;
constexpr int64 kQuarantineUs = 10 * USECS_PER_SEC;

void quarantine_add(int64 schedule_id, TimestampTz now);
// The schedules still left alone at `now`: their ids into `out` (room for kMaxQuarantined).
int quarantined(TimestampTz now, int64* out);

} // namespace mvs::pg
