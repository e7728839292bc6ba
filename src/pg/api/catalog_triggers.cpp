// The trigger on matview_scheduler.schedules: a change made other than through the API functions
// (a restore's COPY, a DBA's UPDATE) wakes the database's scheduler once the transaction commits.
#include "pg/pg_headers.hpp"

extern "C" {
#include "commands/trigger.h"
}

#include "pg/shmem/shared_state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mvs_wake_scheduler);
}

extern "C" Datum mvs_wake_scheduler(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("matview_scheduler.wake_scheduler() must be called as a trigger")));
    if (!mvs::pg::in_own_background_process())
        mvs::pg::wake_scheduler_at_commit();
    return PointerGetDatum(static_cast<void*>(nullptr)); // 19's macro takes no nullptr_t
}
