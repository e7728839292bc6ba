// Shared memory the launcher, the schedulers and ordinary backends use to find and wake each other.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

// Called from the shmem request and startup hooks.
void shared_state_request();
void shared_state_attach();
bool shared_state_available();

// Launcher side.
void launcher_register_self();
void launcher_unregister_self();
// Makes sure the database has a slot. Returns its index, or -1 when every slot is taken.
int slot_for_database(Oid dboid, bool create);
int slot_count();
// What the launcher reads of a slot.
struct SlotInfo {
    Oid dboid;
    bool wanted;        // a scheduler is kept here (the database has, or may have, the extension)
    bool has_extension; // its scheduler found the extension (not only looking)
    bool stepped_aside; // a DROP, RENAME or template copy needs the database to itself
};
// What a slot holds; false for a free slot.
bool slot_get(int index, SlotInfo* info);
void slot_release(int index);
// Frees the slot of a database found without the extension; false, changing nothing, when the
// extension was created there since.
bool slot_release_if_unwanted(int index, Oid dboid);
// Takes the databases where CREATE EXTENSION found no free slot (room for kUnservedRoom);
// `overflow`: there were more, unnamed.
constexpr int kUnservedRoom = 16;
int take_unserved(Oid* dboids, bool* overflow);
// The scheduler registered in a slot, or 0.
pid_t slot_scheduler_pid(int index);
// Takes the launcher's pending "look at pg_database again" request.
bool take_rescan_request();

// Scheduler side.
void scheduler_register_self(Oid dboid);
// How many times CREATE EXTENSION asked for a scheduler in the database.
uint64 slot_requests(Oid dboid);
// How many commits asked to wake the database's scheduler (wake_scheduler_at_commit); a pass that
// starts after reading it sees what they changed.
uint64 slot_changes(Oid dboid);
// The database has no extension (any more): the launcher stops keeping a scheduler there. Returns
// false, changing nothing, when the extension was created since `requests_seen` was read.
bool scheduler_mark_unwanted(Oid dboid, uint64 requests_seen);
void scheduler_found_extension(Oid dboid);

// Wakes the database's scheduler now (a watched write committed), if it runs.
void wake_scheduler_now(Oid dboid);

// Backend side: ask for a wake once the current transaction commits.
void wake_scheduler_at_commit(); // a schedule of this database changed
void wake_launcher_at_commit();  // the extension was created here
void request_rescan_at_commit(); // a database was created
void register_commit_callback();
// The scheduler and its refresh workers hand each other their changes directly, so the trigger on
// the schedules table does not also wake the scheduler from them.
void mark_own_background_process();
bool in_own_background_process();
// A session steps the database's scheduler aside (no scheduler starts there until every session
// that did so has brought it back); returns the scheduler's pid, or 0.
pid_t step_aside_slot(Oid dboid);
void come_back_slot(Oid dboid);
// The launcher looks at pg_database again now (a database was dropped).
void request_rescan_now();

} // namespace mvs::pg
