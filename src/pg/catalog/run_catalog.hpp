// matview_scheduler.runs through SPI. Every function here expects a transaction, SPI_connect()
// and an active snapshot.
#pragma once

#include <type_traits>

#include "pg/pg_headers.hpp"

namespace mvs::pg {

// Marks the `n` given runs as interrupted, those still 'running' or 'waiting'.
void catalog_interrupt_runs(const int64* run_ids, int n, const char* message);
// Marks as interrupted every 'running' run whose refresh no longer holds its view's lock (its
// process is gone: a crash, a restart).
void catalog_interrupt_abandoned_runs(const char* message);

// How a run is to be carried out. Plain data.
struct RunSettings {
    Oid view;
    Oid owner;            // the schedule's owner; InvalidOid when the schedule is gone
    bool manual;          // refresh_now
    bool waiting;         // recorded 'waiting' for a background worker slot
    char concurrently[8]; // auto, always or never
    int timeout_ms;       // 0: none
    int lock_timeout_ms;  // 0: the server's lock_timeout
};
static_assert(std::is_trivially_destructible_v<RunSettings>, "kept across the refresh");

// The settings of a run still marked 'running' or 'waiting'; false if it is not (settled already).
bool catalog_run_settings(int64 run_id, RunSettings* out);

// Records a refresh_now run as started (as the view's schedule's latest run, if it has one).
int64 catalog_start_manual_run(Oid view);

// Sets a run's start time to now and its status to 'running' (a refresh_now() run that waited for
// the view's lock, or a run that waited for a background worker slot).
void catalog_restamp_start(int64 run_id);

// Runs recorded while no background worker slot was free.
void catalog_mark_waiting(const int64* run_ids, int n);
// The runs left 'waiting' (by an earlier scheduler), oldest due first; returns how many.
int catalog_waiting_runs(int64** run_ids, int64** schedule_ids);

// Whether the view can be refreshed CONCURRENTLY now: populated, with a usable unique index.
bool catalog_view_populated(Oid view);
bool catalog_view_has_unique_index(Oid view);

// Records how a run ended (mode NULL when it did not run), updates the schedule's counters, sets a
// retry after a failure (retry_delay doubling per consecutive failure, capped, never past the next
// due time, at most max_retries), and trims the view's history. When the schedule asks for a
// notification (notify => true), notes one naming the view (as `view_name`, or looked up when
// NULL) for send_run_notification (run_notify.hpp) to send once this transaction has committed.
void catalog_finish_run(int64 run_id, const char* status, const char* sqlstate, const char* message,
                        const char* mode, const char* view_name);

} // namespace mvs::pg
