// How long the scheduler sleeps after a planning pass. It never polls on a tick: it wakes for the
// earliest due time (a lead before it, so the run is handed over in time), at once when a pass
// could not take everything due, and otherwise when something sets its latch (a schedule change,
// a place that frees). Pure functions on an injected clock; instants in microseconds.
#pragma once

#include <cstdint>

#include "civil_time.hpp"

namespace mvs {

// Runs are recorded and handed to workers ahead of their due time, so that the worker has done its
// catalog work when the time comes and the refresh starts on the dot. A pass takes every run due
// within kHorizonMicros that has a place (a run due later than kColdLeadMicros without one waits
// for its own hand-over, see needs_place_now). It is woken kColdLeadMicros before the earliest due
// time when a worker process must be started for it (about 20 ms), and only kWarmLeadMicros
// before when workers are up for every run due in the first kWarmWindowMicros: passes are then up
// to 125 ms apart, and due times spread over each second share them (about 12 runs a pass at 100
// runs a second). Most of a pass's cost is the pass itself, not its runs.
constexpr std::int64_t kHorizonMicros = 150 * 1000;
constexpr std::int64_t kColdLeadMicros = 50 * 1000;
constexpr std::int64_t kWarmLeadMicros = 25 * 1000;
// Runs due this soon after the earliest are handed over with less than the cold lead.
constexpr std::int64_t kWarmWindowMicros = kColdLeadMicros - kWarmLeadMicros;
// A worker whose last run was due this long before a hand-over is counted free for it: most
// refreshes take a few milliseconds. One that takes longer leaves the run to a new process, handed
// over with the warm lead, so started a few milliseconds late.
constexpr std::int64_t kFreeAfterDueMicros = 10 * 1000;
// A due time within the horizon that a pass could not take (its row locked, no place yet): the
// scheduler waits at least this long between passes, so that one pass hands over several runs.
// No longer than the cold lead less the warm one: a run due just beyond the cold lead is still
// handed over with the warm lead.
constexpr std::int64_t kMinPassGapMs = kWarmWindowMicros / 1000;
// What waits (a row another transaction holds, a run waiting for a background worker slot or for
// pg_restore to finish) is looked at again after this.
constexpr std::int64_t kLookAgainMs = 1000;

// Milliseconds from `from` to `to`, rounded up; 0 when `to` is not later; at most INT32_MAX
// (PostgreSQL's TimestampDifferenceMilliseconds).
std::int64_t millis_until(UtcMicros from, UtcMicros to) noexcept;

// t - lead, saturating (a due time written by hand may be -infinity); lead >= 0.
UtcMicros minus_lead(UtcMicros t, std::int64_t lead = kColdLeadMicros) noexcept;
// t + kHorizonMicros, saturating.
UtcMicros plus_horizon(UtcMicros t) noexcept;

// Whether a due run that finds no place waits for one now (each place that frees wakes the
// scheduler): only once its hand-over time has come, due within kColdLeadMicros of `now`. One due
// later is not waiting yet: the scheduler wakes for it at its hand-over, when the workers that
// run the earlier ones are mostly free again, instead of at every run that ends before.
bool needs_place_now(UtcMicros due, UtcMicros now) noexcept;

// Whether the next pass may hand over the earliest runs with the warm lead: `free_workers` pool
// workers will be up and free at its wake-up, and `due_in_window` runs are due within
// kWarmWindowMicros of the earliest (counted up to free_workers + 1).
bool warm_hand_over(int free_workers, int due_in_window) noexcept;

// Whether a pass leaves due runs it could have taken, so the next goes round at once: it fetched
// as many due schedules as it could take (`fetched_limit`) and left none for later
// (`not_yet`: a run without a place, not due within the cold lead, which the scheduler wakes for),
// or it moved something and change-aware schedules beyond its batch are left (`extras_left`; with
// no progress, a changed view with no place for it must not make the scheduler spin).
bool pass_batch_full(bool fetched_limit, bool not_yet, bool extras_left, int progress) noexcept;

// What one planning pass saw. Plain data.
struct PassResult {
    UtcMicros now = 0;              // the clock after the pass
    bool batch_full = false;        // it fetched as many due schedules as it could take
    bool waiting_for_place = false; // a due run found no free place
    int progress = 0;               // runs started or schedules moved on
    bool has_earliest = false;      // the earliest next_run of any schedule not paused
    UtcMicros earliest = 0;
    bool has_upcoming =
        false; // while runs wait (a place, sources): the earliest next_run not yet due
    UtcMicros upcoming = 0;
    int held_for_sources = 0; // due runs left due: a view they read is refreshed or due first
    bool warm = false;        // warm_hand_over() for the earliest: wake kWarmLeadMicros before it
};

// The sleep after the pass in milliseconds: 0 to go round at once, -1 until woken.
std::int64_t wake_after_pass(const PassResult& pass) noexcept;
// Whether wake_after_pass reads has_earliest, earliest and warm for this pass (the others set):
// a pass that waits for places or goes round at once need not look the earliest due time up.
bool wake_needs_earliest(const PassResult& pass) noexcept;

// Runs waiting for a background worker slot look again at least every kLookAgainMs: a slot
// another process frees sends no wake-up.
std::int64_t wake_with_waiting_runs(std::int64_t wait_ms, int waiting_runs) noexcept;

// What the scheduler knows when its sleep ends or its latch is set. Plain data.
struct Wakeup {
    std::int64_t sleep_left_ms = 0; // of the sleep the last pass asked for; 0: it is over
    bool catalog_changed = false;   // a commit asked for a wake-up since the last pass began
    bool config_reloaded = false;
    bool workers_stopped = false; // a refresh worker stopped before recording its run
    bool runs_waiting = false;    // runs wait for a background worker slot or a place
    bool watched_writes = false;  // watch_pass_due(): 'on change' views may have changes
};

// Whether a planning pass is needed. A latch set only because a worker or a place became free,
// with nothing waiting for one, changes nothing a pass would read: the scheduler sleeps on until
// its planned wake-up instead of reading the catalog again.
bool pass_needed(const Wakeup& w) noexcept;

// Due runs wait for a place while runs are queued behind the workers' current ones (`queue_room`
// of `busy` workers have nothing queued): a pass takes as many runs as there is room, so one is
// worth its cost when a place is free or no worker has a run queued any more. Until then every
// busy worker goes on to its queued run without the scheduler. With nothing queued (room == busy)
// every freed worker makes a pass, as without queues.
bool place_pass_due(int free_places, int queue_room, int busy) noexcept;

// Which finished runs wake the scheduler (a worker sets its latch).
enum class FinishWake : std::uint8_t {
    kNone,         // none: the places and workers they free are noted at its next wake-up
    kEach,         // each: runs wait for their sources, a worker slot, or refresh_now for a place
    kPlaceOrQueue, // runs wait only for places: as place_pass_due, a run after which its worker
                   // is free, or after which no worker has a run queued
};
FinishWake finish_wake(bool each_wanted, bool waiting_for_place) noexcept;
// Whether a finished run wakes the scheduler: `worker_free` the worker has no queued run to go on
// to, `queued_left` some worker still has one.
bool finish_wakes(FinishWake mode, bool worker_free, bool queued_left) noexcept;

// Writes to what 'on change' views read wake the scheduler, but it looks at those views at most
// once per kWatchPassMs: under a steady stream of writes that is once a second, not once per
// commit. `since_ms`: since the last pass that looked at new watched writes (-1: none yet).
constexpr std::int64_t kWatchPassMs = 1000;
bool watch_pass_due(bool writes_unseen, std::int64_t since_ms) noexcept;
// The sleep `wait_ms` (-1: until woken), shortened so that unseen watched writes are looked at
// as soon as the rate allows.
std::int64_t sleep_for_watch(std::int64_t wait_ms, bool writes_unseen,
                             std::int64_t since_ms) noexcept;

// What is left of a sleep of `planned_ms` (-1: until woken) after `elapsed_ms` on a monotonic
// clock: 0 when it is over, -1 when it has no end.
std::int64_t sleep_left(std::int64_t planned_ms, std::int64_t elapsed_ms) noexcept;

} // namespace mvs
