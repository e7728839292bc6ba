// Small helpers for the catalog SQL run through SPI.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace mvs::pg {

// A transaction of catalog work in a background worker: started with SPI connected and a
// snapshot, and committed.
void begin_catalog_work();
void end_catalog_work();

// Runs fn(arg) in a subtransaction of the current catalog work, so that an error undoes only what
// fn did. Returns the error (copied into the caller's memory context), or nullptr.
ErrorData* in_subtransaction(void (*fn)(void*), void* arg);

// Runs one statement; any result other than `expected` is an ERROR.
int run_sql(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls, int expected,
            long limit = 0);
// A column of the last result, 1-based.
Datum get_column(int row, int column, bool* isnull);
void copy_text_column(int row, int column, char* buffer, size_t size);
// DT_NOEND ("no such time") is stored as NULL.
Datum optional_timestamptz(TimestampTz t);
char null_flag(bool present);
// An int8[], int4[] or oid[] of n values (n may be 0).
Datum int8_array(const int64* values, int n);
Datum int4_array(const int32* values, int n);
Datum oid_array(const Oid* values, int n);

} // namespace mvs::pg
