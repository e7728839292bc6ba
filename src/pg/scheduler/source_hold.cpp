#include "pg/scheduler/source_hold.hpp"

#include "core/source_order.hpp"
#include "pg/catalog/dependency_catalog.hpp"
#include "pg/pg_time.hpp"
#include "pg/scheduler/view_sources_cache.hpp"
#include "pg/scheduler/waiting_runs.hpp"
#include "pg/shmem/worker_pool.hpp"
#include "pg/subtransaction.hpp"
#include "pg/worker/refresh_lock.hpp"

namespace mvs::pg {

namespace {

// A materialized view a due view reads, with its schedule's state.
struct DueSource {
    int reader; // index into the due views
    Oid source;
    bool due;
    TimestampTz next_run;
    bool active;
};

struct HoldInput {
    const DueSchedule* due;
    int n;
    TimestampTz horizon;
    uint64 watch_generation;
    bool* held;
};

void decide(void* arg) {
    HoldInput& in = *static_cast<HoldInput*>(arg);
    const int n = in.n;
    Oid* views = static_cast<Oid*>(palloc(sizeof(Oid) * n));
    for (int i = 0; i < n; ++i)
        views[i] = in.due[i].view;
    // What each due view reads comes from the cache; only the sources' schedules are read here.
    ViewMatviews* reads = static_cast<ViewMatviews*>(palloc(sizeof(ViewMatviews) * n));
    view_matview_sources(views, n, reads);
    int m = 0;
    for (int i = 0; i < n; ++i)
        m += reads[i].n;
    if (m == 0)
        return;
    Oid* sources = static_cast<Oid*>(palloc(sizeof(Oid) * m));
    int n_sources = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < reads[i].n; ++j)
            sources[n_sources++] = reads[i].matviews[j];
    SourceState* states = nullptr;
    const int n_states =
        catalog_sources_state(sources, n_sources, in.horizon, in.watch_generation, &states);
    DueSource* rows = static_cast<DueSource*>(palloc(sizeof(DueSource) * m));
    int filled = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < reads[i].n; ++j) {
            DueSource& row = rows[filled++];
            row = DueSource{i, reads[i].matviews[j], false, DT_NOEND, false};
            for (int t = 0; t < n_states; ++t)
                if (states[t].source == row.source) {
                    row.due = states[t].due;
                    row.next_run = states[t].next_run;
                    row.active = states[t].active;
                    break;
                }
        }
    // The batch: the due views, then each source that is not one of them.
    const int cap = n + m;
    mvs::BatchView* batch = static_cast<mvs::BatchView*>(palloc0(sizeof(mvs::BatchView) * cap));
    Oid* batch_view = static_cast<Oid*>(palloc(sizeof(Oid) * cap));
    for (int i = 0; i < n; ++i) {
        const DueSchedule& d = in.due[i];
        batch[i].due = true;
        batch[i].next_run = core_instant(d.next_run);
        batch[i].running =
            pool_is_running(d.id) || waiting_for_schedule(d.id) || view_refresh_in_progress(d.view);
        batch_view[i] = d.view;
    }
    int size = n;
    int* source_index = static_cast<int*>(palloc(sizeof(int) * m));
    int* per_reader = static_cast<int*>(palloc0(sizeof(int) * n));
    for (int k = 0; k < m; ++k) {
        const DueSource& s = rows[k];
        int at = -1;
        for (int j = 0; j < size; ++j)
            if (batch_view[j] == s.source) {
                at = j;
                break;
            }
        if (at < 0) {
            at = size++;
            batch_view[at] = s.source;
            batch[at].due = s.due;
            batch[at].next_run = s.due ? core_instant(s.next_run) : 0;
        }
        if (s.active || view_refresh_in_progress(s.source))
            batch[at].running = true;
        source_index[k] = at;
        if (s.reader >= 0)
            ++per_reader[s.reader];
    }
    // Each reader's sources, side by side in one array.
    int* edges = static_cast<int*>(palloc(sizeof(int) * m));
    int* start = static_cast<int*>(palloc(sizeof(int) * n));
    int offset = 0;
    for (int i = 0; i < n; ++i) {
        start[i] = offset;
        offset += per_reader[i];
    }
    for (int k = 0; k < m; ++k) {
        const int r = rows[k].reader;
        if (r >= 0)
            edges[start[r] + batch[r].n_sources++] = source_index[k];
    }
    for (int i = 0; i < n; ++i)
        batch[i].sources = edges + start[i];
    bool* held = static_cast<bool*>(palloc(sizeof(bool) * size));
    int* scratch = static_cast<int*>(palloc(sizeof(int) * 3 * size));
    mvs::hold_for_sources(batch, size, held, scratch);
    for (int i = 0; i < n; ++i)
        in.held[i] = held[i];
}

} // namespace

void hold_for_sources(const DueSchedule* due, int n, TimestampTz horizon, uint64 watch_generation,
                      bool* held) {
    for (int i = 0; i < n; ++i)
        held[i] = false;
    if (n == 0)
        return;
    HoldInput in{due, n, horizon, watch_generation, held};
    ErrorData* error = in_subtransaction(decide, &in);
    if (error == nullptr)
        return;
    for (int i = 0; i < n; ++i)
        held[i] = false;
    ereport(WARNING, (errmsg("matview_scheduler: could not read which views the due views read; "
                             "they start without waiting for their sources: %s",
                             error->message)));
}

} // namespace mvs::pg
