// Per-relation change counters in shared memory, for only_if_changed: a fixed-size hash table
// keyed by (database, relation), holding only the relations some change-aware view reads (the
// scheduler adds them), plus one counter per database for writes whose relations are unknown.
// Counters only grow; they start again at 0 in each server life, told apart by the epoch.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

void change_counters_request();
void change_counters_attach();

// A backend at commit: +1 for each of the `n` relations that is tracked, and for the database's
// own counter when `all`. Takes no lock that can fail and raises no error.
void change_counters_publish(Oid dboid, const Oid* relids, int n, bool all);

// The scheduler: the counters of the `n` distinct relations of `dboid` (relid 0: the database's
// own), each added to the table first if missing. A relation that finds no room is not present
// (logged once per server life). Returns the epoch, 0 when there is no shared memory.
uint64 change_counters_read(Oid dboid, const Oid* relids, int n, uint64* counters, bool* present);

} // namespace mvs::pg
