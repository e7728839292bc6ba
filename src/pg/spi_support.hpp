// Small helpers for the catalog SQL run through SPI.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace mvs::pg {

// Every statement run with the extension's own rights runs with this search_path, so that no
// type, operator or function a user created can stand in for a built-in one (as PostgreSQL does
// for maintenance commands). The SQL qualifies every name as well.
constexpr const char* kSafeSearchPath = "pg_catalog, pg_temp";
// Sets it in a new GUC nest level, which leave_safe_search_path (or the end of the
// (sub)transaction) pops again.
int enter_safe_search_path();
void leave_safe_search_path(int level);

// In a background process, outside any transaction: a transaction of its own for catalog
// statements, started with SPI connected, a snapshot and the safe search_path, and committed.
// (The SQL functions, inside the caller's transaction, use enter_catalog_as_superuser.)
void start_catalog_transaction();
void commit_catalog_transaction();
// The same with the session's search_path, for a statement run on a user's behalf first (the
// REFRESH, as the view's owner); use_catalog_search_path turns it into a catalog transaction for
// the catalog statements after it.
void start_session_transaction();
void use_catalog_search_path();

// Catalog 0.3 renamed the run history table matview_scheduler.runs (a view now) to run_history
// and added schedules.notify. Until ALTER EXTENSION ... UPDATE the library keeps working on the
// older catalog.
bool catalog_has_run_history();
// Catalog 0.5 added the columns of change-aware schedules (only_if_changed, 'on change').
bool catalog_has_change_columns();
// `sql` with every "@history@" replaced by the run history table's qualified name.
const char* with_history_table(const char* sql);

// How a kept statement is planned. kCostBased: PostgreSQL's choice between a generic and a custom
// plan. kGeneric: always the generic plan, for a statement whose custom plans only look cheaper
// (the row counts of array parameters), so that it is not planned again on every call.
enum class PlanChoice { kCostBased, kGeneric };

// Runs one statement (with_history_table applied); any result other than `expected` is an ERROR.
int run_sql(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls, int expected,
            long limit = 0, PlanChoice choice = PlanChoice::kCostBased);
// A column of the last result, 1-based.
Datum get_column(int row, int column, bool* isnull);
void copy_text_column(int row, int column, char* buffer, size_t size);
// DT_NOEND ("no such time") is stored as NULL.
Datum optional_timestamptz(TimestampTz t);
char null_flag(bool present);
// An int8[], int4[] or oid[] of n values (n may be 0).
Datum int8_array(const int64* values, int n);
Datum timestamptz_array(const TimestampTz* values, int n);
Datum int4_array(const int32* values, int n);
Datum oid_array(const Oid* values, int n);

} // namespace mvs::pg
