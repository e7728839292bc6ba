// Catching a PostgreSQL error without losing the transaction: the work runs in a subtransaction
// of its own, which the error rolls back alone, and the caller carries on with a copy of it.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

// Runs fn(arg) in a subtransaction of the current transaction, so that an error undoes only what
// fn did. Returns the error (copied into the caller's memory context), or nullptr. fn allocates in
// the caller's memory context.
ErrorData* in_subtransaction(void (*fn)(void*), void* arg);

// The same, but the subtransaction is rolled back also when fn succeeds: nothing fn did is kept.
ErrorData* in_rolled_back_subtransaction(void (*fn)(void*), void* arg);

} // namespace mvs::pg
