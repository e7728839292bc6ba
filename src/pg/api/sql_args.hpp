// Checking the arguments of the SQL-callable functions, and their access to the catalog.
#pragma once

#include <type_traits>

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "pgtime.h"
}

#include "core/retry_policy.hpp"
#include "core/schedule.hpp"

namespace mvs::pg {

// NULL is an error (22004) for every argument without a meaning for NULL.
void require_argument(FunctionCallInfo fcinfo, int arg, const char* name);

// The view must exist, be a permanent materialized view, and be owned by the caller (or a role
// the caller is a member of).
void check_schedulable_view(Oid relid);

// The catalog is written only through the API, as a superuser: users get no write grants on it.
// Within the caller's transaction, the current user becomes a superuser and the caller's
// search_path is set aside (the caller controls it) until leave_catalog_as_superuser.
struct SuperuserCatalogAccess {
    Oid saved_user;
    int saved_context;
    int guc_level;
};
static_assert(std::is_trivially_destructible_v<SuperuserCatalogAccess>, "kept across SPI calls");
SuperuserCatalogAccess enter_catalog_as_superuser(); // also connects SPI
void leave_catalog_as_superuser(const SuperuserCatalogAccess& access);

// A time zone PostgreSQL knows, or ERROR 22023.
const pg_tz* zone_from_name(const char* name);

// A time argument the schedule arithmetic can use: finite, between the years 1 and 9999.
void check_time_argument(TimestampTz t, const char* name);

// start_at, until and repeats: each checked on its own and against the others.
void check_bounds(const mvs::Schedule& schedule, bool has_start_at, TimestampTz start_at,
                  bool has_until, TimestampTz until, bool has_repeats, int32 repeats,
                  TimestampTz now);

// The bounds of max_retries and retry_delay. The retry backoff (core/retry_policy.hpp) saturates
// as well, so no catalog value can make it overflow.
constexpr int32 kMaxRetries = 100;
constexpr int kMaxRetryDelayDays = mvs::kMaxRetryDelayDays;

// schedule_refresh's arguments 6..10: how each refresh runs.
struct RefreshOptions {
    const char* concurrently; // auto, always or never
    Datum timeout;            // interval, or 0 for NULL
    Datum lock_timeout;       // interval, or 0 for NULL
    int32 max_retries;
    Datum retry_delay; // interval
};
static_assert(std::is_trivially_destructible_v<RefreshOptions>, "kept across SPI calls");
RefreshOptions refresh_options(FunctionCallInfo fcinfo, Oid relid);

} // namespace mvs::pg
