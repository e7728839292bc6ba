// What each transaction writes, for only_if_changed: executor and utility hooks note the relations
// a (sub)transaction writes; at COMMIT only, their change counters are published in shared memory
// (shmem/change_counters). Nothing is written anywhere on the write path.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace mvs::pg {

// Installs the executor hook and the transaction callbacks (the library is preloaded).
void install_change_tracking();
// A utility statement that ran (PostgreSQL's own checks passed): notes what it changed.
void note_utility_changes(const Node* parsetree);

} // namespace mvs::pg
