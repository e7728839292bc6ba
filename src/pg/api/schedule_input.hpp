// Turns the schedule text a user passes to the SQL API into a Schedule, or a clear error.
#pragma once

#include "pg/pg_headers.hpp"

#include "core/schedule.hpp"

namespace mvs::pg {

// Raises ERROR 22023 with the accepted forms as HINT when the text is not a schedule.
mvs::Schedule schedule_from_text(const char* text);

} // namespace mvs::pg
