#include "pg/worker/run_notify.hpp"

extern "C" {
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include "pg/spi_support.hpp"

namespace mvs::pg {

namespace {

// The one notification waiting to be sent; plain data.
struct PendingNotification {
    bool pending;
    TransactionId xid; // the transaction that recorded the run
    int64 run_id;
    bool manual;
    char status[16];
    char view[2 * NAMEDATALEN + 8];
};
PendingNotification noted = {};

} // namespace

void note_run_notification(int64 run_id, Oid view, const char* view_name, const char* status,
                           bool manual) {
    if (view_name == nullptr) {
        const char* name = get_rel_name(view);
        view_name =
            name != nullptr
                ? quote_qualified_identifier(get_namespace_name(get_rel_namespace(view)), name)
                : psprintf("%u", view);
    }
    noted.pending = true;
    noted.xid = GetTopTransactionId();
    noted.run_id = run_id;
    noted.manual = manual;
    strlcpy(noted.status, status, sizeof noted.status);
    strlcpy(noted.view, view_name, sizeof noted.view);
}

void send_run_notification() {
    if (!noted.pending)
        return;
    noted.pending = false;
    if (!TransactionIdDidCommit(noted.xid))
        return;
    MemoryContext outer = CurrentMemoryContext;
    PG_TRY();
    {
        start_catalog_transaction();
        Oid types[4] = {TEXTOID, INT8OID, TEXTOID, BOOLOID};
        Datum values[4] = {CStringGetTextDatum(noted.view), Int64GetDatum(noted.run_id),
                           CStringGetTextDatum(noted.status), BoolGetDatum(noted.manual)};
        run_sql("SELECT pg_catalog.pg_notify('matview_scheduler', pg_catalog.json_build_object("
                "    'view', $1, 'run_id', $2, 'status', $3, 'manual', $4)::pg_catalog.text)",
                4, types, values, nullptr, SPI_OK_SELECT);
        commit_catalog_transaction(); // the queue is written at commit: a full one fails here
    }
    PG_CATCH();
    {
        HOLD_INTERRUPTS();
        MemoryContextSwitchTo(outer);
        ErrorData* error = CopyErrorData();
        FlushErrorState();
        AbortCurrentTransaction();
        RESUME_INTERRUPTS();
        ereport(WARNING, (errcode(error->sqlerrcode),
                          errmsg("matview_scheduler: could not send the notification of run "
                                 "%lld: %s",
                                 static_cast<long long>(noted.run_id), error->message)));
    }
    PG_END_TRY();
    MemoryContextSwitchTo(outer);
}

} // namespace mvs::pg
