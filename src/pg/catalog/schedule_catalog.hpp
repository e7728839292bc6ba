// matview_scheduler.schedules through SPI (and the run a scheduler starts). Every
// function here expects a transaction, SPI_connect() and an active snapshot, and runs its SQL with
// the privileges of the current user id (the callers switch to a superuser where needed).
#pragma once

#include <type_traits>

#include "pg/pg_headers.hpp"

#include "core/fair_share.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "pgtime.h"
}

#include "core/change_policy.hpp"
#include "core/schedule.hpp"

namespace mvs::pg {

// A schedule as the SQL API writes it. Plain data.
struct ScheduleRow {
    Oid view;
    Oid owner;
    const char* schedule;
    const char* spec;
    TimestampTz anchor;
    const char* timezone;
    bool has_start_at;
    TimestampTz start_at;
    bool has_until;
    TimestampTz until;
    bool has_repeats;
    int32 repeats;
    TimestampTz next_run; // DT_NOEND: none
    const char* concurrently;
    Datum timeout;      // interval, or 0 for NULL
    Datum lock_timeout; // interval, or 0 for NULL
    int32 max_retries;
    Datum retry_delay;    // interval
    bool notify;          // NOTIFY matview_scheduler after each run (catalog 0.3 on)
    bool only_if_changed; // skip a due time when nothing the view reads changed (0.5 on)
    Datum min_interval;   // interval: an 'on change' schedule's, or 0 for NULL (0.5 on)
};
static_assert(std::is_trivially_destructible_v<ScheduleRow>, "kept across SPI calls");

// A schedule as the scheduler reads it. Plain data.
struct DueSchedule {
    int64 id;
    Oid view;
    Oid owner;
    bool over_limit; // its role holds max_workers_per_role places already: it waits its turn
    TimestampTz next_run;
    TimestampTz anchor;
    bool has_until;
    TimestampTz until;
    bool has_repeats;
    int32 repeats;
    int64 runs_total;
    char spec[mvs::kSpecSize];
    char timezone[TZ_STRLEN_MAX + 1];
    bool only_if_changed;
    bool has_baseline;        // a refresh succeeded since the schedule was made, with this reading
    mvs::ChangeMark baseline; // the sources' counters read before that refresh
    bool on_change;           // 'on change': refreshed when what it reads changed (0.5 on)
};
static_assert(std::is_trivially_destructible_v<DueSchedule>, "kept across SPI calls");

// SQL API side.
// Creates the view's schedule, or replaces it (same id, counters reset).
int64 catalog_upsert_schedule(const ScheduleRow& row);
bool catalog_schedule_owner(Oid view, Oid* owner);
bool catalog_delete_schedule(Oid view);
// REASSIGN OWNED: the schedules of any of the `n` roles now belong to, and run as, `to`. Returns
// how many.
uint64 catalog_reassign_schedules(const Oid* roles, int n, Oid to);
// DROP OWNED: removes the schedules of any of the `n` roles, with a NOTICE for each.
void catalog_drop_owned_schedules(const Oid* roles, int n);

// Scheduler side.
// The extension's installed version here ("0.2"); false when it is not installed.
bool catalog_extension_version(char* out, size_t size);
// Schedules due by `horizon` and not paused, none of the `n_excluded` ids in `excluded`: at most
// `cap`, oldest due first, as candidates for core's fair_order (next_run in core's instants).
// An 'on change' schedule counts only when it was last looked at before `watch_generation`.
int catalog_due_candidates(TimestampTz horizon, const int64* excluded, int n_excluded, int cap,
                           uint64 watch_generation, mvs::DueCandidate** out);
// The `n` chosen candidates, locked for this transaction, in their order; a row changed meanwhile
// is checked again against the due condition, and one another transaction holds is left out
// (SKIP LOCKED).
int catalog_lock_due(TimestampTz horizon, const mvs::DueCandidate* chosen, int n,
                     DueSchedule** out);
// Records a run as started and moves the schedule to its next due time (DT_NOEND: finished),
// counting `skipped` coalesced due times. Returns the run id. A `waiting` run is queued behind
// another run of a worker: it is restamped when that worker starts it.
int64 catalog_start_run(const DueSchedule& due, TimestampTz started, TimestampTz next_run,
                        int64 skipped, bool waiting = false);
// Records the runs of n due schedules in one statement (as catalog_start_run each); run_ids[i] is
// the run of ids[i]. An error records none.
void catalog_start_runs(const int64* ids, const Oid* views, const TimestampTz* scheduled_for,
                        const TimestampTz* started, const TimestampTz* next_runs,
                        const int64* skipped, const int32* waiting, int n, int64* run_ids);
// Moves a schedule on without a run because nothing its view reads changed (only_if_changed):
// counted in unchanged_total (and `skipped` coalesced due times in skipped_total); it was looked
// at in `watch_generation`.
void catalog_skip_unchanged(int64 schedule_id, TimestampTz next_run, int64 skipped,
                            TimestampTz checked, uint64 watch_generation);
// The same for `n` schedules in one statement (next_runs[i] DT_NOEND: finished).
void catalog_skip_unchanged_many(const int64* ids, const TimestampTz* next_runs,
                                 const int64* skipped, int n, TimestampTz checked,
                                 uint64 watch_generation);
// The run just recorded for a change-aware schedule: the reading taken before it becomes the
// baseline should it succeed (`keep`; otherwise none), and when it was taken.
void catalog_note_change_reading(int64 schedule_id, bool keep, const mvs::ChangeMark& mark,
                                 TimestampTz checked, uint64 watch_generation);
// A change mark as stored in schedules.change_baseline / change_pending (int8[3]), and back
// (false for anything else).
Datum change_mark_array(const mvs::ChangeMark& mark);
bool change_mark_from_array(Datum array, mvs::ChangeMark* out);
// Moves a schedule on without a run (its previous run is still going).
void catalog_skip_run(int64 schedule_id, TimestampTz next_run, int64 skipped);
// A schedule the scheduler could not plan: recorded as a failed run with the error, and moved on
// to `next_run` (DT_NOEND: stopped, when its due times cannot be computed).
void catalog_fail_schedule(const DueSchedule& due, TimestampTz now, const char* sqlstate,
                           const char* message, TimestampTz next_run);
// The earliest next_run after `after` (DT_NOBEGIN: any) of a schedule that is not paused; false
// when there is none. An 'on change' schedule waiting for a change has none.
bool catalog_earliest_next_run(TimestampTz after, uint64 watch_generation, TimestampTz* out);
// The same for any next_run (`earliest`), with the number of them before earliest + window_us
// (`in_window`, counting the earliest; at most kMaxWindowCount).
constexpr int kMaxWindowCount = 65;
bool catalog_first_due(uint64 watch_generation, int64 window_us, TimestampTz* earliest,
                       int* in_window);
// A new scheduler forgets what earlier ones looked at: every 'on change' schedule is looked at
// again (the generations of watched writes start again with the server).
void catalog_forget_change_seen();

// A schedule as pause/resume see it. Plain data.
struct ScheduleState {
    int64 id;
    bool paused;
    bool has_next_run;
    TimestampTz next_run;
    TimestampTz anchor;
    bool has_until;
    TimestampTz until;
    char spec[mvs::kSpecSize];
    char timezone[TZ_STRLEN_MAX + 1];
};
static_assert(std::is_trivially_destructible_v<ScheduleState>, "kept across SPI calls");
// The view's schedule, locked for this transaction; false when it has none.
bool catalog_lock_schedule(Oid view, ScheduleState* out);
void catalog_set_paused(int64 schedule_id, bool paused, TimestampTz next_run);

} // namespace mvs::pg
