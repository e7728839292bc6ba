#include "pg/settings.hpp"

#include <climits>

#include "pg/pg_headers.hpp"
#include "pg/shmem/worker_pool.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace mvs::pg {

// The pool holds at most this many workers: max_workers (and max_workers_per_role) can ask for no
// more than its array has slots.
constexpr int kMaxWorkersLimit = kPoolCapacity;
static_assert(sizeof(WorkerPool::slots) / sizeof(WorkerPool::slots[0]) == kMaxWorkersLimit,
              "max_workers must fit the pool");

bool setting_enabled = true;
int setting_max_workers = 4;
int setting_max_workers_per_role = -1;
int setting_history_per_view = 1000;
int setting_history_max_age_s = 30 * 24 * 3600;
int setting_max_databases = kDefaultMaxDatabases;
int setting_max_tracked_relations = kDefaultMaxTrackedRelations;

void define_settings(bool preloading) {
    DefineCustomBoolVariable(
        "matview_scheduler.enabled", "Runs scheduled refreshes.",
        "Off: schedules are kept and can be changed, but nothing runs; due "
        "times missed meanwhile are coalesced into one run when it is on again.",
        &setting_enabled, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "matview_scheduler.max_workers", "Refreshes that may run at once in each database.",
        "Each running refresh uses one background worker process, out of "
        "max_worker_processes.",
        &setting_max_workers, 4, 1, kMaxWorkersLimit, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "matview_scheduler.max_workers_per_role",
        "Refreshes of one role that may run at once in each database.",
        "-1: one less than max_workers (at least one), so that one role alone never takes every "
        "place. refresh_now() runs count, also while they wait for a place.",
        &setting_max_workers_per_role, -1, -1, kMaxWorkersLimit, PGC_SIGHUP, 0, nullptr, nullptr,
        nullptr);
    DefineCustomIntVariable(
        "matview_scheduler.history_per_view", "Rows of run history kept per materialized view.",
        "Older rows are deleted as new runs are recorded: at every (history_per_view / 16)-th "
        "run of a schedule (every run below 32, at most every 64th) and every refresh_now run.",
        &setting_history_per_view, 1000, 1, INT_MAX, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("matview_scheduler.history_max_age",
                            "Run history older than this is deleted as new runs are recorded.",
                            "The latest run of each view is always kept.",
                            &setting_history_max_age_s, 30 * 24 * 3600, 60, INT_MAX, PGC_SIGHUP,
                            GUC_UNIT_S, nullptr, nullptr, nullptr);
    // It sizes shared memory, so it exists only when the library is preloaded: a session that
    // loads the library later may not define a server-start setting.
    if (preloading)
        DefineCustomIntVariable("matview_scheduler.max_databases",
                                "Databases the scheduler can serve in this cluster.", nullptr,
                                &setting_max_databases, kDefaultMaxDatabases, 1, kMaxDatabasesLimit,
                                PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    if (preloading)
        DefineCustomIntVariable(
            "matview_scheduler.max_tracked_relations",
            "Relations whose changes can be counted for only_if_changed, in the whole cluster.",
            "One for each table, partition, plain or materialized view a change-aware view reads, "
            "and one per database. When full, views reading a relation without room are "
            "refreshed at every due time.",
            &setting_max_tracked_relations, kDefaultMaxTrackedRelations, kMinTrackedRelations,
            kMaxTrackedRelationsLimit, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("matview_scheduler");
}

} // namespace mvs::pg
