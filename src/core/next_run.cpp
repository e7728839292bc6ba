#include "next_run.hpp"

namespace mvs {

namespace {

constexpr std::int64_t kMinuteMicros = 60 * kMicrosPerSecond;
constexpr std::int64_t kHourMicros = 60 * kMinuteMicros;

// The n-th point of an interval grid.
UtcMicros grid_point(const IntervalSpec& every, UtcMicros anchor, const CivilTime& anchor_local,
                     std::int64_t n, const TimeZone& zone) {
    UtcMicros base = anchor;
    if (every.months != 0 || every.days != 0) {
        CivilTime t = add_months(anchor_local, n * every.months);
        t = add_days(t, n * every.days);
        base = from_local(zone, t);
    }
    return base + n * every.micros;
}

UtcMicros next_interval(const IntervalSpec& every, UtcMicros anchor, UtcMicros after,
                        const TimeZone& zone) {
    if (after < anchor)
        return anchor;
    if (every.months == 0 && every.days == 0)
        return anchor + (floor_div(after - anchor, every.micros) + 1) * every.micros;
    // Estimate n from the average length of a step, then walk to the exact point.
    const std::int64_t approx =
        every.months * (2629746 * kMicrosPerSecond) + every.days * kMicrosPerDay + every.micros;
    const CivilTime anchor_local = to_local(zone, anchor);
    std::int64_t n = approx > 0 ? (after - anchor) / approx : 0;
    while (grid_point(every, anchor, anchor_local, n, zone) <= after)
        ++n;
    while (n > 0 && grid_point(every, anchor, anchor_local, n - 1, zone) > after)
        --n;
    return grid_point(every, anchor, anchor_local, n, zone);
}

// Minutely and hourly are elapsed-time schedules that land where the zone's clock shows :00
// seconds (and :00 minutes for hourly). While the offset stays the same, those instants form a
// grid in UTC; the first grid point after `after` is due unless the offset changes before it, and
// then the search goes on from the change with the new offset. This holds for any offset, also
// the local mean times of long ago that are not whole minutes.
UtcMicros next_sub_day(CalendarUnit unit, UtcMicros after, const TimeZone& zone) {
    const std::int64_t step = unit == CalendarUnit::Minute ? kMinuteMicros : kHourMicros;
    UtcMicros from = after;
    for (;;) {
        const std::int64_t first = floor_div(from + 1, kMicrosPerSecond);
        const std::int64_t offset = zone.utc_offset_seconds(first);
        const std::int64_t offset_micros = offset * kMicrosPerSecond;
        const UtcMicros candidate =
            (floor_div(from + offset_micros, step) + 1) * step - offset_micros;
        const std::int64_t last = floor_div(candidate, kMicrosPerSecond);
        if (zone.utc_offset_seconds(last) == offset)
            return candidate;
        // Find the first second with the new offset.
        std::int64_t lo = first;
        std::int64_t hi = last;
        while (hi - lo > 1) {
            const std::int64_t mid = lo + (hi - lo) / 2;
            if (zone.utc_offset_seconds(mid) == offset)
                lo = mid;
            else
                hi = mid;
        }
        from = hi * kMicrosPerSecond - 1;
    }
}

// The start of the calendar period holding `local`, on the wall clock.
CivilTime period_start(CalendarUnit unit, const CivilTime& local) {
    CivilTime t;
    t.year = local.year;
    t.month = local.month;
    t.day = local.day;
    switch (unit) {
    case CalendarUnit::Week: {
        const std::int64_t days = days_from_civil(t.year, t.month, t.day);
        t = add_days(t, 1 - iso_weekday(days));
        break;
    }
    case CalendarUnit::Month:
        t.day = 1;
        break;
    case CalendarUnit::Quarter:
        t.day = 1;
        t.month = (local.month - 1) / 3 * 3 + 1;
        break;
    case CalendarUnit::Year:
        t.day = 1;
        t.month = 1;
        break;
    default:
        break;
    }
    return t;
}

CivilTime advance(CalendarUnit unit, const CivilTime& t, std::int64_t k) {
    switch (unit) {
    case CalendarUnit::Day:
        return add_days(t, k);
    case CalendarUnit::Week:
        return add_days(t, 7 * k);
    case CalendarUnit::Month:
        return add_months(t, k);
    case CalendarUnit::Quarter:
        return add_months(t, 3 * k);
    default:
        return add_months(t, 12 * k);
    }
}

UtcMicros next_calendar(CalendarUnit unit, UtcMicros after, const TimeZone& zone) {
    if (unit == CalendarUnit::Minute || unit == CalendarUnit::Hour)
        return next_sub_day(unit, after, zone);
    const CivilTime start = period_start(unit, to_local(zone, after));
    for (std::int64_t k = 0;; ++k) {
        const UtcMicros t = from_local(zone, advance(unit, start, k));
        if (t > after)
            return t;
    }
}

} // namespace

UtcMicros next_due_after(const Schedule& schedule, UtcMicros anchor, UtcMicros after,
                         const TimeZone& zone) {
    switch (schedule.kind) {
    case ScheduleKind::Calendar:
        return next_calendar(schedule.unit, after, zone);
    case ScheduleKind::Cron:
        return next_cron(schedule.cron, after, zone);
    case ScheduleKind::Once:
        return after < anchor ? anchor : kNever;
    default:
        return next_interval(schedule.every, anchor, after, zone);
    }
}

Schedule repeat_from_start(const Schedule& schedule) {
    if (schedule.kind != ScheduleKind::Calendar)
        return schedule;
    Schedule s;
    s.kind = ScheduleKind::Interval;
    switch (schedule.unit) {
    case CalendarUnit::Minute:
        s.every.micros = kMinuteMicros;
        break;
    case CalendarUnit::Hour:
        s.every.micros = kHourMicros;
        break;
    case CalendarUnit::Day:
        s.every.days = 1;
        break;
    case CalendarUnit::Week:
        s.every.days = 7;
        break;
    case CalendarUnit::Month:
        s.every.months = 1;
        break;
    case CalendarUnit::Quarter:
        s.every.months = 3;
        break;
    case CalendarUnit::Year:
        s.every.months = 12;
        break;
    }
    return s;
}

FirstRun first_run(const Schedule& schedule, bool has_start_at, UtcMicros start_at, UtcMicros now,
                   const TimeZone& zone) {
    FirstRun r;
    if (!has_start_at) {
        r.schedule = schedule;
        r.anchor = now;
        r.first =
            schedule.kind == ScheduleKind::Once ? now : next_due_after(schedule, now, now, zone);
        return r;
    }
    r.schedule = repeat_from_start(schedule);
    r.anchor = start_at;
    const UtcMicros not_before = start_at > now ? start_at : now;
    r.first = next_due_after(r.schedule, start_at, not_before - 1, zone);
    return r;
}

Advance advance_after_run(const Schedule& schedule, UtcMicros anchor, UtcMicros due, UtcMicros now,
                          const TimeZone& zone) {
    Advance r;
    const UtcMicros from = due > now ? due : now;
    if (schedule.kind == ScheduleKind::Interval && schedule.every.months == 0 &&
        schedule.every.days == 0) {
        // Elapsed-time grids count in one step.
        const std::int64_t step = schedule.every.micros;
        if (now > due && due >= anchor)
            r.skipped = floor_div(now - anchor, step) - floor_div(due - anchor, step);
        if (r.skipped > kMaxCounted)
            r.skipped = kMaxCounted; // as the stepping count below stops
        r.next = next_due_after(schedule, anchor, from, zone);
        return r;
    }
    UtcMicros t = next_due_after(schedule, anchor, due, zone);
    while (t != kNever && t <= now && r.skipped < kMaxCounted) {
        ++r.skipped;
        t = next_due_after(schedule, anchor, t, zone);
    }
    r.next = t != kNever && t > now ? t : next_due_after(schedule, anchor, from, zone);
    return r;
}

} // namespace mvs
