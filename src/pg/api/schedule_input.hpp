// Turns the schedule text a user passes to the SQL API into a Schedule, or a clear error.
#pragma once

#include "pg/pg_headers.hpp"

#include "core/schedule.hpp"

namespace mvs::pg {

// Raises ERROR 22023 with the accepted forms as HINT when the text is not a schedule.
mvs::Schedule schedule_from_text(const char* text);
// An 'on change' schedule with the given least interval (nullptr: the default), or an ERROR
// naming what is wrong with it.
mvs::Schedule on_change_with(const mvs::Schedule& parsed, const Interval* min_interval);

} // namespace mvs::pg
