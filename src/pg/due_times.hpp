// Core's due-time arithmetic in PostgreSQL's terms: TimestampTz and PostgreSQL's time zones.
// "No due time" is DT_NOEND.
#pragma once

#include <type_traits>

#include "pg/pg_time.hpp"

#include "core/schedule.hpp"

namespace mvs::pg {

// A new schedule: the grid's anchor and its first due time. Without start_at the anchor is `now`
// and the first due time the first one after it (once: `now` itself); with start_at, the first
// due time at or after start_at that is not in the past, and words repeat from start_at.
struct FirstDue {
    mvs::Schedule schedule; // as it will run (words with start_at become intervals)
    TimestampTz anchor;
    TimestampTz first;
};
static_assert(std::is_trivially_destructible_v<FirstDue>, "kept across PostgreSQL calls");
FirstDue first_due(const mvs::Schedule& schedule, bool has_start_at, TimestampTz start_at,
                   TimestampTz now, const pg_tz* tz);

// The first due time strictly after `after`.
TimestampTz next_due(const mvs::Schedule& schedule, TimestampTz anchor, TimestampTz after,
                     const pg_tz* tz);

// After the run due at `due` starts at `now`: the next due time, and how many due times in
// between were coalesced away.
struct Advance {
    TimestampTz next;
    int64 skipped;
};
static_assert(std::is_trivially_destructible_v<Advance>, "kept across PostgreSQL calls");
Advance advance_after(const mvs::Schedule& schedule, TimestampTz anchor, TimestampTz due,
                      TimestampTz now, const pg_tz* tz);

} // namespace mvs::pg
