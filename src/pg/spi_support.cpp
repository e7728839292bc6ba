#include "pg/spi_support.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace mvs::pg {

void begin_catalog_work() {
    // As worker_spi does: otherwise now() and xact_start are those of the process's first
    // transaction.
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "matview_scheduler: SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
}

void end_catalog_work() {
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
}

ErrorData* in_subtransaction(void (*fn)(void*), void* arg) {
    MemoryContext outer = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    ErrorData* volatile error = nullptr;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(outer);
    PG_TRY();
    {
        fn(arg);
        ReleaseCurrentSubTransaction();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(outer);
        error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
    }
    PG_END_TRY();
    MemoryContextSwitchTo(outer);
    CurrentResourceOwner = owner;
    return error;
}

int run_sql(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls, int expected,
            long limit) {
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

} // namespace

Datum int8_array(const int64* values, int n) {
    return array_of(values, n, int8_datum, INT8OID, 8, TYPALIGN_DOUBLE);
}

Datum int4_array(const int32* values, int n) {
    return array_of(values, n, int4_datum, INT4OID, sizeof(int32), TYPALIGN_INT);
}

Datum oid_array(const Oid* values, int n) {
    return array_of(values, n, oid_datum, OIDOID, sizeof(Oid), TYPALIGN_INT);
}

} // namespace mvs::pg
