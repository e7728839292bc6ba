// No refresh runs against a half-restored database: while pg_restore is connected to the
// scheduler's database, due refreshes wait. The log says once when they start waiting and once
// when the restore has gone. Needs a transaction.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

bool restore_in_progress();

} // namespace mvs::pg
