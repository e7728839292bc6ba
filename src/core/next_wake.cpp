#include "next_wake.hpp"

#include <climits>
#include <algorithm>

namespace mvs {

std::int64_t millis_until(UtcMicros from, UtcMicros to) noexcept {
    if (from >= to)
        return 0;
    std::int64_t diff = 0;
    if (__builtin_sub_overflow(to, from, &diff) || diff >= INT32_MAX * std::int64_t{1000} - 999)
        return INT32_MAX;
    return (diff + 999) / 1000;
}

UtcMicros minus_lead(UtcMicros t, std::int64_t lead) noexcept {
    return t < INT64_MIN + lead ? INT64_MIN : t - lead;
}

UtcMicros plus_horizon(UtcMicros t) noexcept {
    return t > INT64_MAX - kHorizonMicros ? INT64_MAX : t + kHorizonMicros;
}

bool needs_place_now(UtcMicros due, UtcMicros now) noexcept {
    return now > INT64_MAX - kColdLeadMicros || due <= now + kColdLeadMicros;
}

bool warm_hand_over(int free_workers, int due_in_window) noexcept {
    return free_workers > 0 && due_in_window <= free_workers;
}

bool pass_batch_full(bool fetched_limit, bool not_yet, bool extras_left, int progress) noexcept {
    return (fetched_limit && !not_yet) || (extras_left && progress > 0);
}

bool wake_needs_earliest(const PassResult& pass) noexcept {
    if (pass.held_for_sources > 0 && pass.progress == 0)
        return false;
    return !pass.waiting_for_place && !pass.batch_full;
}

std::int64_t wake_after_pass(const PassResult& pass) noexcept {
    if (pass.held_for_sources > 0 && pass.progress == 0) {
        // Held runs stay due, so the due time says nothing: they start when their sources finish
        // (the worker sets the latch). Look again at the next due time, and at least every
        // kLookAgainMs (a source refreshed by hand, outside the scheduler, sends no wake-up).
        std::int64_t ms = kLookAgainMs;
        if (pass.has_upcoming) {
            const std::int64_t upcoming = millis_until(pass.now, minus_lead(pass.upcoming));
            ms = upcoming < ms ? upcoming : ms;
        }
        return ms;
    }
    if (pass.batch_full && !pass.waiting_for_place)
        return 0; // more may be due than one pass takes
    if (pass.waiting_for_place)
        // A place that frees sets the latch; a schedule not yet due may belong to a role with a
        // place free: wake for it on time.
        return pass.has_upcoming ? millis_until(pass.now, minus_lead(pass.upcoming)) : -1;
    if (!pass.has_earliest)
        return -1;
    const UtcMicros hand_over =
        minus_lead(pass.earliest, pass.warm ? kWarmLeadMicros : kColdLeadMicros);
    if (hand_over > pass.now) {
        const std::int64_t ms = millis_until(pass.now, hand_over);
        return ms < kMinPassGapMs ? kMinPassGapMs : ms;
    }
    if (pass.progress > 0)
        return 0;
    // Due, yet nothing moved (its row is locked by another transaction, or it is being handed
    // over right now): look again at the due time, or a little later.
    if (pass.earliest > pass.now) {
        const std::int64_t ms = millis_until(pass.now, pass.earliest);
        return ms < 1 ? 1 : ms;
    }
    return kLookAgainMs;
}

std::int64_t wake_with_waiting_runs(std::int64_t wait_ms, int waiting_runs) noexcept {
    if (waiting_runs > 0 && (wait_ms < 0 || wait_ms > kLookAgainMs))
        return kLookAgainMs;
    return wait_ms;
}

bool pass_needed(const Wakeup& w) noexcept {
    return w.sleep_left_ms == 0 || w.catalog_changed || w.config_reloaded || w.workers_stopped ||
           w.runs_waiting || w.watched_writes;
}

bool place_pass_due(int free_places, int queue_room, int busy) noexcept {
    return free_places > 0 || busy <= 0 || queue_room >= busy;
}

FinishWake finish_wake(bool each_wanted, bool waiting_for_place) noexcept {
    if (each_wanted)
        return FinishWake::kEach;
    return waiting_for_place ? FinishWake::kPlaceOrQueue : FinishWake::kNone;
}

bool finish_wakes(FinishWake mode, bool worker_free, bool queued_left) noexcept {
    switch (mode) {
    case FinishWake::kEach:
        return true;
    case FinishWake::kPlaceOrQueue:
        return worker_free || !queued_left;
    case FinishWake::kNone:
        break;
    }
    return false;
}

bool watch_pass_due(bool writes_unseen, std::int64_t since_ms) noexcept {
    return writes_unseen && (since_ms < 0 || since_ms >= kWatchPassMs);
}

std::int64_t sleep_for_watch(std::int64_t wait_ms, bool writes_unseen,
                             std::int64_t since_ms) noexcept {
    if (!writes_unseen)
        return wait_ms;
    const std::int64_t left =
        since_ms < 0 || since_ms >= kWatchPassMs ? 0 : kWatchPassMs - since_ms;
    return wait_ms < 0 ? left : std::min(wait_ms, left);
}

std::int64_t sleep_left(std::int64_t planned_ms, std::int64_t elapsed_ms) noexcept {
    if (planned_ms < 0)
        return -1;
    if (elapsed_ms < 0) // a monotonic clock does not go back; be safe if it did
        elapsed_ms = 0;
    return elapsed_ms >= planned_ms ? 0 : planned_ms - elapsed_ms;
}

} // namespace mvs
