// Whether a materialized view's changes can be tracked: core's dependency_policy on what the
// dependency walk finds.
#pragma once

#include "pg/catalog/dependency_catalog.hpp"

namespace mvs::pg {

// Why `view` is untracked, as words for matview_scheduler.dependencies; nullptr when tracked.
// From the rows the walk found for the views (sources, functions, clock syntax).
const char* untracked_reason(Oid view, const SourceRow* sources, int n_sources,
                             const CalledFunction* functions, int n_functions,
                             const ClockSyntax* clocks, int n_clocks,
                             const SystemRead* system_reads, int n_system_reads);
// The same for one view, reading the catalog (SPI connected, safe search_path).
const char* view_untracked_reason(Oid view);

} // namespace mvs::pg
