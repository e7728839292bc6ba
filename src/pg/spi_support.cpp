#include "pg/spi_support.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace mvs::pg {

namespace {

// The GUC nest level of the safe search_path of the current catalog transaction; 0: none.
int catalog_transaction_level = 0;

} // namespace

int enter_safe_search_path() {
    const int level = NewGUCNestLevel();
    (void)set_config_option("search_path", kSafeSearchPath, PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_SAVE, true, 0, false);
    return level;
}

void leave_safe_search_path(int level) {
    AtEOXact_GUC(true, level);
}

void start_session_transaction() {
    // As worker_spi does: now() and xact_start of this transaction are its real start.
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "matview_scheduler: SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
    // A catalog transaction that ended in an error left its level behind; this one has none yet.
    catalog_transaction_level = 0;
}

void start_catalog_transaction() {
    start_session_transaction();
    catalog_transaction_level = enter_safe_search_path();
}

void commit_catalog_transaction() {
    leave_safe_search_path(catalog_transaction_level);
    catalog_transaction_level = 0;
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
}

void use_catalog_search_path() {
    Assert(catalog_transaction_level == 0);
    catalog_transaction_level = enter_safe_search_path();
}

bool catalog_has_run_history() {
    const Oid schema = get_namespace_oid("matview_scheduler", true);
    return OidIsValid(schema) && OidIsValid(get_relname_relid("run_history", schema));
}

bool catalog_has_change_columns() {
    const Oid schema = get_namespace_oid("matview_scheduler", true);
    if (!OidIsValid(schema))
        return false;
    const Oid schedules = get_relname_relid("schedules", schema);
    return OidIsValid(schedules) && get_attnum(schedules, "min_interval") != InvalidAttrNumber;
}

const char* with_history_table(const char* sql) {
    const char* table =
        catalog_has_run_history() ? "matview_scheduler.run_history" : "matview_scheduler.runs";
    const char* token = "@history@";
    StringInfoData out;
    initStringInfo(&out);
    for (const char* at = strstr(sql, token); at != nullptr; at = strstr(sql, token)) {
        appendBinaryStringInfo(&out, sql, static_cast<int>(at - sql));
        appendStringInfoString(&out, table);
        sql = at + strlen(token);
    }
    appendStringInfoString(&out, sql);
    return out.data;
}

namespace {

// Catalog statements are prepared once per process and kept: parsing and analysing them again
// was half of the scheduler's and the workers' CPU per run. PostgreSQL's plan cache replans one
// when what it reads changes (DDL, a different search_path, role or row security), and chooses
// between a generic and a custom plan as for any prepared statement. Their texts are a few dozen
// constant strings; a text beyond kMaxKeptPlans is run without keeping it.
constexpr int kMaxKeptPlans = 128;
// A statement kept with PlanChoice::kGeneric is prepared afresh after this many calls: a generic
// plan is otherwise made again only when what it reads is analysed or altered, and the table's
// size when it was made (a few schedules) may have nothing to do with its size now.
constexpr int kGenericPlanCalls = 1000;

struct KeptPlan {
    uint32 hash;
    PlanChoice choice;
    int nargs;
    Oid* types;
    char* sql;
    SPIPlanPtr plan;
    int calls; // since it was prepared
};
KeptPlan kept_plans[kMaxKeptPlans];
int kept_count = 0;

SPIPlanPtr prepare_kept(const char* sql, int nargs, const Oid* types, PlanChoice choice) {
    SPIPlanPtr plan =
        SPI_prepare_cursor(sql, nargs, const_cast<Oid*>(types),
                           choice == PlanChoice::kGeneric ? CURSOR_OPT_GENERIC_PLAN : 0);
    if (plan == nullptr)
        elog(ERROR, "matview_scheduler: could not prepare a catalog statement (%s): %s",
             SPI_result_code_string(SPI_result), sql);
    if (SPI_keepplan(plan) != 0)
        elog(ERROR, "matview_scheduler: could not keep a catalog statement's plan: %s", sql);
    return plan;
}

// The kept plan of sql with these argument types, prepared now if new; nullptr when full.
SPIPlanPtr kept_plan(const char* sql, int nargs, const Oid* types, PlanChoice choice) {
    const size_t len = strlen(sql);
    const uint32 hash =
        hash_bytes(reinterpret_cast<const unsigned char*>(sql), static_cast<int>(len));
    for (int i = 0; i < kept_count; ++i) {
        KeptPlan& k = kept_plans[i];
        if (k.hash == hash && k.choice == choice && k.nargs == nargs && strcmp(k.sql, sql) == 0 &&
            (nargs == 0 || memcmp(k.types, types, sizeof(Oid) * nargs) == 0)) {
            if (choice == PlanChoice::kGeneric && ++k.calls >= kGenericPlanCalls) {
                // The new plan first: an error leaves the old one kept.
                SPIPlanPtr fresh = prepare_kept(sql, nargs, types, choice);
                SPI_freeplan(k.plan);
                k.plan = fresh;
                k.calls = 0;
            }
            return k.plan;
        }
    }
    if (kept_count == kMaxKeptPlans)
        return nullptr;
    // Copied first: a failure here leaves nothing half recorded.
    char* text = MemoryContextStrdup(TopMemoryContext, sql);
    Oid* kept_types = static_cast<Oid*>(
        MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * (nargs > 0 ? nargs : 1)));
    if (nargs > 0)
        memcpy(kept_types, types, sizeof(Oid) * nargs);
    SPIPlanPtr plan = prepare_kept(sql, nargs, types, choice);
    kept_plans[kept_count++] = KeptPlan{hash, choice, nargs, kept_types, text, plan, 0};
    return plan;
}

} // namespace

int run_sql(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls, int expected,
            long limit, PlanChoice choice) {
    if (strstr(sql, "@history@") != nullptr)
        sql = with_history_table(sql);
    SPIPlanPtr plan = kept_plan(sql, nargs, types, choice);
    const int rc = plan != nullptr
                       ? SPI_execute_plan(plan, values, nulls, false, limit)
                       : SPI_execute_with_args(sql, nargs, types, values, nulls, false, limit);
    if (rc != expected)
        elog(ERROR, "matview_scheduler: catalog statement failed (SPI code %d): %s", rc, sql);
    return rc;
}

Datum get_column(int row, int column, bool* isnull) {
    return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, isnull);
}

void copy_text_column(int row, int column, char* buffer, size_t size) {
    char* value = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
    strlcpy(buffer, value != nullptr ? value : "", size);
}

Datum optional_timestamptz(TimestampTz t) {
    return t == DT_NOEND ? Datum(0) : TimestampTzGetDatum(t);
}

char null_flag(bool present) {
    return present ? ' ' : 'n';
}

namespace {

// A one-dimensional array of n plain values (n may be 0).
template <typename T>
Datum array_of(const T* values, int n, Datum (*to_datum)(T), Oid type, int16 len, char align) {
    Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i)
        elems[i] = to_datum(values[i]);
    return PointerGetDatum(construct_array(elems, n, type, len, true, align));
}

Datum int8_datum(int64 v) {
    return Int64GetDatum(v);
}
Datum int4_datum(int32 v) {
    return Int32GetDatum(v);
}
Datum oid_datum(Oid v) {
    return ObjectIdGetDatum(v);
}
Datum timestamptz_datum(TimestampTz v) {
    return TimestampTzGetDatum(v);
}

} // namespace

Datum int8_array(const int64* values, int n) {
    return array_of(values, n, int8_datum, INT8OID, 8, TYPALIGN_DOUBLE);
}

Datum int4_array(const int32* values, int n) {
    return array_of(values, n, int4_datum, INT4OID, sizeof(int32), TYPALIGN_INT);
}

Datum timestamptz_array(const TimestampTz* values, int n) {
    return array_of(values, n, timestamptz_datum, TIMESTAMPTZOID, 8, TYPALIGN_DOUBLE);
}

Datum oid_array(const Oid* values, int n) {
    return array_of(values, n, oid_datum, OIDOID, sizeof(Oid), TYPALIGN_INT);
}

} // namespace mvs::pg
