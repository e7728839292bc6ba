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

struct PlanStep {
    const DueSchedule* due;
    TimestampTz now;
    bool worker_free;
    enum Outcome { kLater, kNeedsWorker, kStarted, kMovedOn } outcome;
    int64 run_id;   // kStarted: the run recorded
    TimestampTz at; // kStarted: when its refresh starts
    // The generation of watched writes the pass started in ('on change' schedules).
    uint64 watch_generation;
};

// Plans step->due; an error is logged and recorded as a failed run of that schedule (outcome
// kMovedOn).
void plan_schedule(PlanStep* step);

} // namespace mvs::pg
