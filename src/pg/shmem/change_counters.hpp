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
// own counter when `all`. When one of them is watched (an 'on change' view reads it), the
// database's generation of watched writes moves on, and its scheduler is woken if it asked to be.
// Takes no lock that can fail and raises no error.
void change_counters_publish(Oid dboid, const Oid* relids, int n, bool all);

// The scheduler: the counters of the `n` distinct relations of `dboid` (relid 0: the database's
// own), each added to the table first if missing, and marked watched when `watch`. A relation
// that finds no room is not present (logged once per server life). Returns the epoch, 0 when
// there is no shared memory.
uint64 change_counters_read(Oid dboid, const Oid* relids, int n, bool watch, uint64* counters,
                            bool* present);

// The scheduler: the database's generation of watched writes (0 until an 'on change' view was
// looked at). With `arm`, the next watched write wakes the scheduler (once); arming comes before
// the reading, so a write after the reading is never missed.
uint64 change_watch_generation(Oid dboid, bool arm);

} // namespace mvs::pg
