// Sources first, in the scheduler: which of the due runs of a pass wait for the materialized views
// they read (core's hold_for_sources decides; this gathers what it needs).
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

#include "pg/catalog/schedule_catalog.hpp"

namespace mvs::pg {

// held[i] for each of the `n` due schedules (in the pass's order): true when a view it reads,
// directly or through plain views, is being refreshed or is due by `horizon` no later than it. If
// the dependencies cannot be read, a warning, and nothing is held.
void hold_for_sources(const DueSchedule* due, int n, TimestampTz horizon, uint64 watch_generation,
                      bool* held);

} // namespace mvs::pg
