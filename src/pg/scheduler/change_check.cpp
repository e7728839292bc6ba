#include "pg/scheduler/change_check.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "utils/syscache.h"
}

#include "pg/catalog/dependency_catalog.hpp"
#include "pg/catalog/run_catalog.hpp"
#include "pg/catalog/view_tracking.hpp"
#include "pg/scheduler/view_sources_cache.hpp"
#include "pg/shmem/change_counters.hpp"
#include "pg/subtransaction.hpp"

namespace mvs::pg {

namespace {

// pg_class.relispopulated from the syscache: no statement.
bool view_populated(Oid view) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(view));
    if (!HeapTupleIsValid(tuple))
        return false;
    const bool populated = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relispopulated;
    ReleaseSysCache(tuple);
    return populated;
}

struct CheckInput {
    const DueSchedule* due;
    ChangeCheck* out;
};

void read_changes(void* arg) {
    CheckInput& in = *static_cast<CheckInput*>(arg);
    const DueSchedule& due = *in.due;
    mvs::ChangeFacts f;
    f.only_if_changed = due.only_if_changed || due.on_change;
    f.has_baseline = due.has_baseline;
    f.baseline = due.baseline;
    const ViewSources known = view_sources(due.view);
    f.tracked = known.tracked;
    f.populated = view_populated(due.view);
    if (f.tracked) {
        const Oid* sources = known.sources;
        const int n_sources = known.n_sources;
        // The database's own counter first (relid 0): writes whose relations are unknown.
        const int n = n_sources + 1;
        Oid* relids = static_cast<Oid*>(palloc(sizeof(Oid) * n));
        relids[0] = InvalidOid;
        for (int i = 0; i < n_sources; ++i)
            relids[i + 1] = sources[i];
        uint64* counters = static_cast<uint64*>(palloc(sizeof(uint64) * n));
        bool* present = static_cast<bool*>(palloc(sizeof(bool) * n));
        const uint64 epoch =
            change_counters_read(MyDatabaseId, relids, n, due.on_change, counters, present);
        mvs::SourceCounter* read =
            static_cast<mvs::SourceCounter*>(palloc(sizeof(mvs::SourceCounter) * n));
        for (int i = 0; i < n; ++i) {
            read[i].relid = relids[i];
            read[i].counter = counters[i];
            read[i].present = present[i];
        }
        f.reading = mvs::combine_counters(epoch, read, n);
    }
    in.out->verdict = mvs::decide_change(f);
    in.out->keep = mvs::keeps_baseline(f);
    in.out->mark = f.reading.mark;
}

} // namespace

ChangeCheck check_changes(const DueSchedule& due) {
    ChangeCheck check{mvs::ChangeVerdict::Refresh, false, mvs::ChangeMark{}};
    CheckInput in{&due, &check};
    // Known sources: only shared memory and the syscache are read, which raise no error a
    // subtransaction would have to catch (the caller's own one takes anything else).
    if (view_sources_known(due.view)) {
        read_changes(&in);
        return check;
    }
    ErrorData* error = in_subtransaction(read_changes, &in);
    if (error == nullptr)
        return check;
    ereport(WARNING, (errmsg("matview_scheduler: could not tell whether what materialized view "
                             "with OID %u reads changed; it is refreshed: %s",
                             due.view, error->message)));
    return ChangeCheck{mvs::ChangeVerdict::Refresh, false, mvs::ChangeMark{}};
}

} // namespace mvs::pg
