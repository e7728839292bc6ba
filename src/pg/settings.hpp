// The matview_scheduler.* settings (GUCs).
#pragma once

namespace mvs::pg {

extern bool setting_enabled;              // run refreshes at all
extern int setting_max_workers;           // refresh workers per database at once
extern int setting_max_workers_per_role;  // of them, for one role (-1: all but one)
extern int setting_history_per_view;      // run rows kept per view
extern int setting_history_max_age_s;     // run rows older than this are trimmed (seconds)
extern int setting_max_databases;         // databases the launcher can track
extern int setting_max_tracked_relations; // change counters in shared memory (only_if_changed)

// matview_scheduler.max_databases: its default and largest value.
constexpr int kDefaultMaxDatabases = 64;
constexpr int kMaxDatabasesLimit = 4096;

// matview_scheduler.max_tracked_relations: its default and bounds.
constexpr int kDefaultMaxTrackedRelations = 4096;
constexpr int kMinTrackedRelations = 16;
constexpr int kMaxTrackedRelationsLimit = 1 << 20;

void define_settings(bool preloading);

} // namespace mvs::pg
