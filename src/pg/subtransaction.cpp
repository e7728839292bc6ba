#include "pg/subtransaction.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace mvs::pg {

namespace {

ErrorData* run_in_subtransaction(void (*fn)(void*), void* arg, bool keep) {
    MemoryContext outer = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    ErrorData* volatile error = nullptr;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(outer);
    PG_TRY();
    {
        fn(arg);
        if (keep)
            ReleaseCurrentSubTransaction();
        else
            RollbackAndReleaseCurrentSubTransaction();
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

} // namespace

ErrorData* in_subtransaction(void (*fn)(void*), void* arg) {
    return run_in_subtransaction(fn, arg, true);
}

ErrorData* in_rolled_back_subtransaction(void (*fn)(void*), void* arg) {
    return run_in_subtransaction(fn, arg, false);
}

} // namespace mvs::pg
