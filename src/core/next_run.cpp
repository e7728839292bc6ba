#include "next_run.hpp"

#include <algorithm>

namespace mvs {

namespace {

constexpr std::int64_t kMinuteMicros = 60 * kMicrosPerSecond;
constexpr std::int64_t kHourMicros = 60 * kMinuteMicros;

// Moves longer than all of time: from any anchor in [kStartOfTime, kEndOfTime] and with any zone
// offset (at most kMaxUtcOffsetSeconds), a grid point that moves the wall clock by more than
// kSpanMonths months or kSpanDays days, or adds more than kSpanMicros, is past the end of time.
constexpr std::int64_t kSpanYears = 10002;
constexpr std::int64_t kSpanMonths = 12 * kSpanYears;
constexpr std::int64_t kSpanDays = 366 * kSpanYears;
constexpr std::int64_t kSpanMicros = kSpanDays * kMicrosPerDay;

// A due time, or kNever when it is at or past the end of time.
UtcMicros within_time(UtcMicros t) noexcept {
    return t < kEndOfTime ? t : kNever;
}

UtcMicros clamp_instant(UtcMicros t, UtcMicros lo, UtcMicros hi) noexcept {
    return t < lo ? lo : (t > hi ? hi : t);
}

// An interval whose grid moves forward: no negative part, not all zero.
bool steppable(const IntervalSpec& every) noexcept {
    return every.months >= 0 && every.days >= 0 && every.micros >= 0 &&
           (every.months != 0 || every.days != 0 || every.micros != 0);
}

// The n-th point of an interval grid (n >= 0), or kNever when it is past the end of time. Every
// product and sum is checked; with the parts below their spans the sums stay within a few
// hundred thousand years, far from overflow.
UtcMicros grid_point(const IntervalSpec& every, UtcMicros anchor, const CivilTime& anchor_local,
                     std::int64_t n, const TimeZone& zone) {
    std::int64_t months = 0;
    std::int64_t days = 0;
    std::int64_t micros = 0;
    if (__builtin_mul_overflow(n, std::int64_t{every.months}, &months) || months > kSpanMonths ||
        __builtin_mul_overflow(n, std::int64_t{every.days}, &days) || days > kSpanDays ||
        __builtin_mul_overflow(n, every.micros, &micros) || micros > kSpanMicros)
        return kNever;
    UtcMicros base = anchor;
    if (months != 0 || days != 0) {
        CivilTime t;
        if (!try_add_months(anchor_local, months, &t) || !try_add_days(t, days, &t))
            return kNever;
        base = from_local(zone, t);
    }
    UtcMicros point = 0;
    if (__builtin_add_overflow(base, micros, &point))
        return kNever;
    return within_time(point);
}

// The smallest n with a part past its span: grid_point(n) is kNever from there on.
std::int64_t past_the_end(const IntervalSpec& every) noexcept {
    std::int64_t n = INT64_MAX;
    if (every.months > 0)
        n = std::min(n, kSpanMonths / every.months + 1);
    if (every.days > 0)
        n = std::min(n, kSpanDays / every.days + 1);
    if (every.micros > 0)
        n = std::min(n, kSpanMicros / every.micros + 1);
    return n;
}

// anchor is in [kStartOfTime, kEndOfTime], after in [kStartOfTime - 1, kEndOfTime - 2].
UtcMicros next_interval(const IntervalSpec& every, UtcMicros anchor, UtcMicros after,
                        const TimeZone& zone) {
    if (!steppable(every))
        return kNever;
    if (after < anchor)
        return within_time(anchor);
    if (every.months == 0 && every.days == 0) {
        // One division: after - anchor is at most the span of time, and the step is checked.
        const std::int64_t n = floor_div(after - anchor, every.micros) + 1;
        std::int64_t offset = 0;
        UtcMicros point = 0;
        if (__builtin_mul_overflow(n, every.micros, &offset) ||
            __builtin_add_overflow(anchor, offset, &point))
            return kNever;
        return within_time(point);
    }
    // Months or days move the wall clock at least a day a step, so n_end, the first n past the
    // end, is at most kSpanDays + 1 (3.7 million). Estimate n from the average length of a step,
    // then gallop and bisect to the first point after `after`: at most 2 * 23 grid points
    // (each at most 25 offset lookups, in from_local), and usually two or three.
    const std::int64_t n_end = past_the_end(every);
    std::int64_t approx = 0;
    std::int64_t day_part = 0;
    if (__builtin_mul_overflow(std::int64_t{every.months}, 2629746 * kMicrosPerSecond, &approx) ||
        __builtin_mul_overflow(std::int64_t{every.days}, kMicrosPerDay, &day_part) ||
        __builtin_add_overflow(approx, day_part, &approx) ||
        __builtin_add_overflow(approx, every.micros, &approx))
        approx = INT64_MAX;
    const CivilTime anchor_local = to_local(zone, anchor);
    const std::int64_t estimate = std::min((after - anchor) / approx, n_end);
    auto point = [&](std::int64_t n) { return grid_point(every, anchor, anchor_local, n, zone); };
    // Invariant: point(lo) <= after < point(hi) (point(0) is the anchor's reading, not after
    // `after`; point(n_end) is kNever). The result is always a point(hi), so it is after `after`.
    std::int64_t lo = 0;
    std::int64_t hi = n_end;
    UtcMicros hi_point = kNever;
    UtcMicros p = point(estimate);
    if (p > after) {
        hi = estimate;
        hi_point = p;
        for (std::int64_t step = 1; hi - step > lo; step *= 2) {
            p = point(hi - step);
            if (p <= after) {
                lo = hi - step;
                break;
            }
            hi -= step;
            hi_point = p;
        }
    } else {
        lo = estimate;
        for (std::int64_t step = 1; lo + step < hi; step *= 2) {
            p = point(lo + step);
            if (p > after) {
                hi = lo + step;
                hi_point = p;
                break;
            }
            lo += step;
        }
    }
    while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        p = point(mid);
        if (p > after) {
            hi = mid;
            hi_point = p;
        } else {
            lo = mid;
        }
    }
    return hi_point;
}

// Minutely and hourly are elapsed-time schedules that land where the zone's clock shows :00
// seconds (and :00 minutes for hourly). While the offset stays the same, those instants form a
// grid in UTC; the first grid point after `after` is due unless the offset changes before it, and
// then the search goes on from the change with the new offset. This holds for any offset, also
// the local mean times of long ago that are not whole minutes.
//
// Each round passes one change of offset; real zones change at most twice within the hour
// searched, so the rounds are bounded at kSubDayRounds (each at most 2 + 22 offset lookups). A
// zone that changes more often gets the candidate of the last round, which is still after
// `after` and on its own offset's grid.
constexpr int kSubDayRounds = 8;

UtcMicros next_sub_day(CalendarUnit unit, UtcMicros after, const TimeZone& zone) {
    const std::int64_t step = unit == CalendarUnit::Minute ? kMinuteMicros : kHourMicros;
    UtcMicros from = after;
    for (int round = 0;; ++round) {
        const std::int64_t first = floor_div(from + 1, kMicrosPerSecond);
        const std::int64_t offset = utc_offset_at(zone, first);
        const std::int64_t offset_micros = offset * kMicrosPerSecond;
        const UtcMicros candidate =
            (floor_div(from + offset_micros, step) + 1) * step - offset_micros;
        const std::int64_t last = floor_div(candidate, kMicrosPerSecond);
        if (round + 1 == kSubDayRounds || utc_offset_at(zone, last) == offset)
            return candidate;
        // Go on from the first second with the new offset.
        from = first_offset_change(zone, offset, first, last) * kMicrosPerSecond - 1;
    }
}

// The start of the calendar period holding `local`, on the wall clock.
CivilTime period_start(CalendarUnit unit, const CivilTime& local) noexcept {
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

CivilTime advance(CalendarUnit unit, const CivilTime& t, std::int64_t k) noexcept {
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
    // The period's start is at most one period (Pmax) before after's reading, which is within
    // an offset D of `after`, and from_local moves a reading by at most D: so start + k periods
    // (each at least Pmin) is after `after` once k * Pmin > Pmax + 2D. With D at most 7 days
    // (kMaxUtcOffsetSeconds) that is k = 16 for days, fewer for longer periods; real zones need
    // k <= 2.
    const CivilTime start = period_start(unit, to_local(zone, after));
    for (std::int64_t k = 0; k <= 16; ++k) {
        const UtcMicros t = from_local(zone, advance(unit, start, k));
        if (t > after)
            return t;
    }
    return kNever; // not reached: see above
}

} // namespace

UtcMicros next_due_after(const Schedule& schedule, UtcMicros anchor, UtcMicros after,
                         const TimeZone& zone) {
    // Nothing is due at or past the end of time; instants outside it (a damaged catalog row)
    // are taken as its ends, so that no arithmetic below can overflow.
    if (after >= kEndOfTime - 1)
        return kNever;
    after = clamp_instant(after, kStartOfTime - 1, kEndOfTime);
    anchor = clamp_instant(anchor, kStartOfTime, kEndOfTime);
    UtcMicros next = kNever;
    switch (schedule.kind) {
    case ScheduleKind::Calendar:
        next = next_calendar(schedule.unit, after, zone);
        break;
    case ScheduleKind::Cron:
        next = next_cron(schedule.cron, after, zone);
        break;
    case ScheduleKind::Once:
        next = after < anchor ? anchor : kNever;
        break;
    case ScheduleKind::OnChange:
        // The earliest the next refresh may start; both are bounded, so no overflow.
        next = after + schedule.every.micros;
        break;
    default:
        next = next_interval(schedule.every, anchor, after, zone);
        break;
    }
    // Strictly later, and before the end: a caller stepping from due time to due time always
    // moves forward and stops.
    return next > after ? within_time(next) : kNever;
}

Schedule repeat_from_start(const Schedule& schedule) noexcept {
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
    start_at = clamp_instant(start_at, kStartOfTime, kEndOfTime);
    now = clamp_instant(now, kStartOfTime, kEndOfTime);
    if (!has_start_at) {
        r.schedule = schedule;
        r.anchor = now;
        r.first = schedule.kind == ScheduleKind::Once || schedule.kind == ScheduleKind::OnChange
                      ? within_time(now)
                      : next_due_after(schedule, now, now, zone);
        return r;
    }
    if (schedule.kind == ScheduleKind::OnChange) {
        // Looked at from start_at on.
        r.schedule = schedule;
        r.anchor = start_at;
        r.first = within_time(start_at > now ? start_at : now);
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
    anchor = clamp_instant(anchor, kStartOfTime, kEndOfTime);
    due = clamp_instant(due, kStartOfTime - 1, kEndOfTime);
    now = clamp_instant(now, kStartOfTime - 1, kEndOfTime);
    const UtcMicros from = due > now ? due : now;
    if (schedule.kind == ScheduleKind::OnChange) {
        // Not a grid: the next refresh may start min_interval after this one.
        r.next = next_due_after(schedule, anchor, from, zone);
        return r;
    }
    if (schedule.kind == ScheduleKind::Interval && schedule.every.months == 0 &&
        schedule.every.days == 0 && schedule.every.micros > 0) {
        // Elapsed-time grids count in one step.
        const std::int64_t step = schedule.every.micros;
        if (now > due && due >= anchor)
            r.skipped = floor_div(now - anchor, step) - floor_div(due - anchor, step);
        if (r.skipped > kMaxCounted)
            r.skipped = kMaxCounted; // as the stepping count below stops
        r.next = next_due_after(schedule, anchor, from, zone);
        return r;
    }
    // At most kMaxCounted + 2 calls of next_due_after.
    UtcMicros t = next_due_after(schedule, anchor, due, zone);
    while (t != kNever && t <= now && r.skipped < kMaxCounted) {
        ++r.skipped;
        t = next_due_after(schedule, anchor, t, zone);
    }
    r.next = t != kNever && t > now ? t : next_due_after(schedule, anchor, from, zone);
    return r;
}

} // namespace mvs
