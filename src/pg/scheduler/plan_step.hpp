// One due schedule planned by the scheduler: its run recorded, its due time skipped (the previous
// run is still going), or the schedule failed; each in a subtransaction of its own, so that an
// error in one schedule's bookkeeping undoes and fails only that schedule.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

#include "pg/catalog/schedule_catalog.hpp"

namespace mvs::pg {

// Due times that passed unchanged in one pass, recorded together at its end (one statement rather
// than one per schedule). Plain data in the pass's memory.
struct UnchangedBatch {
    int n;
    int capacity;
    int64* ids;
    TimestampTz* next_runs; // DT_NOEND: finished
    int64* skipped;
};

// Runs decided in one pass and recorded together after it (one statement rather than one per
// run). Plain data in the pass's memory; run_ids are filled by record_starts (0: not recorded).
struct StartBatch {
    int n;
    int capacity;
    const DueSchedule** due;
    int64* ids;
    Oid* views;
    TimestampTz* scheduled_for;
    TimestampTz* started;
    TimestampTz* next_runs; // DT_NOEND: finished
    int64* skipped;
    int32* waiting; // 1: queued behind a worker's run, recorded 'waiting'
    int64* run_ids;
};

struct PlanStep {
    const DueSchedule* due;
    TimestampTz now;
    bool worker_free;
    enum Outcome { kLater, kNeedsWorker, kStarted, kMovedOn } outcome;
    int64 run_id;   // kStarted: the run recorded
    TimestampTz at; // kStarted: when its refresh starts
    // The generation of watched writes the pass started in ('on change' schedules).
    uint64 watch_generation;
    // Where an unchanged due time is noted (nullptr: recorded at once). Only while it has room.
    UnchangedBatch* unchanged;
    // Where a run is noted to be recorded after the pass (nullptr: recorded at once); run_id is
    // then 0 and `start` its place in the batch. Not for change-aware schedules, whose reading of
    // the counters is recorded with their run.
    StartBatch* starts;
    int start;
    // The run is queued behind a worker's current run (of the same role) rather than given a
    // place: recorded 'waiting', restamped when the worker starts it.
    bool queue;
};

UnchangedBatch* unchanged_batch(int capacity);
// Records the batch's due times (when, and in which generation, they were looked at); a batch
// that cannot be recorded as one is recorded schedule by schedule, and a schedule whose record
// fails is left alone for a while (quarantine), as a failed planning is.
void record_unchanged(const UnchangedBatch* batch, TimestampTz checked, uint64 watch_generation);

StartBatch* start_batch(int capacity);
// Records the batch's runs in one statement; if that fails, each in a subtransaction of its own,
// and a schedule whose run cannot be recorded is failed as a planning error is (its run_id 0).
void record_starts(StartBatch* batch, TimestampTz now);

// Plans step->due; an error is logged and recorded as a failed run of that schedule (outcome
// kMovedOn).
void plan_schedule(PlanStep* step);

} // namespace mvs::pg
