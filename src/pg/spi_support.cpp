#include "pg/spi_support.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
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

void start_catalog_transaction() {
    // As worker_spi does: now() and xact_start of this transaction are its real start.
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "matview_scheduler: SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
    catalog_transaction_level = enter_safe_search_path();
}

void commit_catalog_transaction() {
    leave_safe_search_path(catalog_transaction_level);
    catalog_transaction_level = 0;
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
}

void use_session_search_path() {
    Assert(catalog_transaction_level != 0);
    leave_safe_search_path(catalog_transaction_level);
    catalog_transaction_level = 0;
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

int run_sql(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls, int expected,
            long limit) {
    if (strstr(sql, "@history@") != nullptr)
        sql = with_history_table(sql);
    const int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, limit);
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
