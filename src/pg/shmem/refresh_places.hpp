// Places: at most matview_scheduler.max_workers refreshes of a database run at once, scheduled
// and refresh_now() together, and at most max_workers_per_role of them for one role, so that no
// role can take every place (or every background worker slot) from the others. A table in shared
// memory, one entry per database, under one LWLock.
#pragma once

#include <type_traits>

#include "pg/pg_headers.hpp"

extern "C" {
#include "storage/latch.h"
}

namespace mvs::pg {

// refresh_now() workers of one database, running or waiting for a place. Each holds a background
// worker slot while it waits, so their number is bounded too.
constexpr int kMaxManualRuns = 64;

// Refreshes that may run at once in a database, and of one role.
int database_place_limit();
int role_place_limit();

void places_shmem_request();
void places_shmem_attach();

// Scheduler side. The scheduler of MyDatabaseId registers its latch, which a freed place sets.
void places_scheduler_attach(Latch* latch);
// The pool takes `in_use` places for its runs under way and up to `wanted` more, leaving those that
// refresh_now() runs hold or wait for (when their role is under its limit). Returns how many more.
int places_reserve_pool(int in_use, int wanted);
// The role of the run pool slot `slot` carries (InvalidOid: none).
void places_pool_role(int slot, Oid role);

// Places per role, as the scheduler counts them to share the places fairly. Plain data.
constexpr int kUsageRoles = 256;
struct RoleUsage {
    int n;
    Oid roles[kUsageRoles];
    int32 counts[kUsageRoles];
};
static_assert(std::is_trivially_destructible_v<RoleUsage>, "kept across SPI calls");
// Counts one more place for `role` (roles past kUsageRoles are not counted).
void usage_add(RoleUsage* usage, Oid role, int count);

// Adds the places each role holds or waits for through refresh_now().
void places_manual_usage(RoleUsage* usage);
// Whether a refresh_now() run of this database waits for a place.
bool places_manual_waiting();

// refresh_now() side, in the caller: an entry for a worker of `role` that is yet to start.
// Returns false with *why set when the role has role_place_limit() refresh_now() runs already,
// or the database kMaxManualRuns.
struct ManualTicket {
    int32 index;
    uint32 generation;
};
static_assert(std::is_trivially_destructible_v<ManualTicket>, "kept across PostgreSQL calls");
bool places_manual_enter(Oid role, ManualTicket* ticket, const char** why);
// The caller gives the entry back if its worker never took it over.
void places_manual_abandon(const ManualTicket& ticket);
// In the worker: takes the entry over; false if it is not there any more.
bool places_manual_adopt(const ManualTicket& ticket);
// A place for the adopted entry, if one is free and its role is under its limit. If not, wakes
// the scheduler, which then gives back the places of the runs that finished and hears of the
// next ones (pool_wake_on_finish).
bool places_manual_try_start();
// Gives the adopted entry (and its place) back, and wakes the scheduler.
void places_manual_leave();

} // namespace mvs::pg
