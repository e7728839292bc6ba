#include "pg/due_times.hpp"

#include "core/next_run.hpp"
#include "pg/error_bridge.hpp"

namespace mvs::pg {

namespace {

TimestampTz from_core(UtcMicros t) {
    return pg_instant(t);
}

UtcMicros to_core(TimestampTz t) {
    return core_instant(t);
}

} // namespace

FirstDue first_due(const mvs::Schedule& schedule, bool has_start_at, TimestampTz start_at,
                   TimestampTz now, const pg_tz* tz) {
    mvs::FirstRun first;
    const CppFailure failure = run_cpp([&] {
        const PgZone zone(tz);
        first = mvs::first_run(schedule, has_start_at, to_core(start_at), to_core(now), zone);
    });
    MVS_RAISE_IF_FAILED(failure);
    return FirstDue{first.schedule, to_timestamptz(first.anchor), from_core(first.first)};
}

TimestampTz next_due(const mvs::Schedule& schedule, TimestampTz anchor, TimestampTz after,
                     const pg_tz* tz) {
    UtcMicros due = 0;
    const CppFailure failure = run_cpp([&] {
        const PgZone zone(tz);
        due = mvs::next_due_after(schedule, to_core(anchor), to_core(after), zone);
    });
    MVS_RAISE_IF_FAILED(failure);
    return from_core(due);
}

Advance advance_after(const mvs::Schedule& schedule, TimestampTz anchor, TimestampTz due,
                      TimestampTz now, const pg_tz* tz) {
    mvs::Advance advance;
    const CppFailure failure = run_cpp([&] {
        const PgZone zone(tz);
        advance =
            mvs::advance_after_run(schedule, to_core(anchor), to_core(due), to_core(now), zone);
    });
    MVS_RAISE_IF_FAILED(failure);
    return Advance{from_core(advance.next), advance.skipped};
}

} // namespace mvs::pg
