// NOTIFY matview_scheduler after a run, for schedules that ask for it (notify => true). Sent in a
// transaction of its own after the run's record has committed: a full notification queue (or
// any other failure to notify) is logged and never undoes a refresh.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {

// Notes the notification of a run being recorded in the current transaction (catalog_finish_run
// calls it). `view_name` may be NULL: the view's qualified name is looked up then.
void note_run_notification(int64 run_id, Oid view, const char* view_name, const char* status,
                           bool manual);

// Sends the noted notification, if the transaction that noted it has committed; then forgets it.
// Call outside a transaction, after the one that recorded the run.
void send_run_notification();

} // namespace mvs::pg
