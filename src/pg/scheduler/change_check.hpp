// only_if_changed, at a due time: reads the change counters of what the view reads and asks
// core's change_policy whether it changed since its baseline.
#pragma once

#include "pg/catalog/schedule_catalog.hpp"

namespace mvs::pg {

struct ChangeCheck {
    mvs::ChangeVerdict verdict;
    bool keep;            // the reading becomes the baseline should the refresh succeed
    mvs::ChangeMark mark; // the reading
};
static_assert(std::is_trivially_destructible_v<ChangeCheck>, "kept across SPI calls");

// For a change-aware due schedule, in the scheduler's planning transaction (so before the run it
// may record, and before that refresh's snapshot). An error while reading is logged and counts as
// a change.
ChangeCheck check_changes(const DueSchedule& due);

} // namespace mvs::pg
