#include "pg/scheduler/view_sources_cache.hpp"

#include <algorithm>

extern "C" {
#include "catalog/pg_class.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
}

#include "pg/catalog/dependency_catalog.hpp"
#include "pg/catalog/view_tracking.hpp"
#include "pg/compat.hpp"

namespace mvs::pg {

namespace {

struct CachedView {
    Oid view; // the key
    bool tracked;
    int n_sources;
    Oid* sources;
};

// What a view waits for: its materialized view sources, and the other relations on the way there,
// whose change makes the entry stale.
struct CachedMatviews {
    Oid view; // the key
    int n_matviews;
    Oid* matviews;
    int n_path;
    Oid* path;
};

MemoryContext cache_context = nullptr;
HTAB* cache = nullptr;
HTAB* matview_cache = nullptr;
bool registered = false;
// Set by the callbacks, which may run at any point where messages are read: they only note what
// changed. `stale`: everything; otherwise the `n_changed` relations in `changed`.
bool stale = true;
// Every REFRESH announces several relations (the view, its new heap, their TOAST tables): room
// for the refreshes between two passes of a busy scheduler, so that they do not make it walk
// every view again.
constexpr int kChangedRoom = 4096;
Oid changed[kChangedRoom];
int n_changed = 0;
// Moved by every callback: a walk during which it moved may have read a catalog mid-change.
uint64 changes_seen = 0;

void on_relation_change(Datum, Oid relid) {
    ++changes_seen;
    if (!OidIsValid(relid) || n_changed == kChangedRoom)
        stale = true;
    else
        changed[n_changed++] = relid;
}

void on_function_change(Datum, SyscacheCallbackId, uint32) {
    ++changes_seen;
    stale = true;
}

// Whether any of the n relations is among those that changed (changed[] sorted).
bool any_changed(const Oid* relids, int n) {
    for (int i = 0; i < n; ++i)
        if (std::binary_search(changed, changed + n_changed, relids[i]))
            return true;
    return false;
}

// Forgets the views that read a relation that changed (a refresh of a materialized view, too:
// telling it from a change of its definition would need the catalog, which a callback cannot read).
void forget_changed() {
    if (n_changed == 0)
        return;
    std::sort(changed, changed + n_changed);
    HASH_SEQ_STATUS mscan;
    hash_seq_init(&mscan, matview_cache);
    CachedMatviews* m = nullptr;
    while ((m = static_cast<CachedMatviews*>(hash_seq_search(&mscan))) != nullptr)
        if (any_changed(m->path, m->n_path))
            (void)hash_search(matview_cache, &m->view, HASH_REMOVE, nullptr);
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, cache);
    CachedView* entry = nullptr;
    // Removing the entry the scan returned last is allowed during a scan.
    while ((entry = static_cast<CachedView*>(hash_seq_search(&scan))) != nullptr)
        if (any_changed(entry->sources, entry->n_sources))
            (void)hash_search(cache, &entry->view, HASH_REMOVE, nullptr);
    n_changed = 0;
}

void start_afresh() {
    if (cache_context == nullptr)
        cache_context = AllocSetContextCreate(TopMemoryContext, "matview_scheduler view sources",
                                              ALLOCSET_DEFAULT_SIZES);
    MemoryContextReset(cache_context);
    HASHCTL info;
    memset(&info, 0, sizeof info);
    info.keysize = sizeof(Oid);
    info.entrysize = sizeof(CachedView);
    info.hcxt = cache_context;
    cache = hash_create("matview_scheduler view sources", 256, &info,
                        HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    info.entrysize = sizeof(CachedMatviews);
    matview_cache = hash_create("matview_scheduler materialized view sources", 256, &info,
                                HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    stale = false;
    n_changed = 0;
}

} // namespace

void view_sources_cache_init() {
    if (registered)
        return;
    // Any relation: a plain view replaced, a partition attached, a table dropped, a rule or a
    // policy added. Functions: one a view calls may be replaced or change its volatility.
    CacheRegisterRelcacheCallback(on_relation_change, Datum(0));
    CacheRegisterSyscacheCallback(PROCOID, on_function_change, Datum(0));
    registered = true;
}

bool view_sources_known(Oid view) {
    if (!registered || stale || cache == nullptr || n_changed > 0)
        return false;
    bool found = false;
    (void)hash_search(cache, &view, HASH_FIND, &found);
    return found;
}

namespace {

// Brings the cache up to date with the invalidation messages read since the last look.
void catch_up() {
    if (stale || cache == nullptr)
        start_afresh();
    forget_changed();
}

Oid* copy_oids(MemoryContext context, const Oid* oids, int n) {
    Oid* out = static_cast<Oid*>(MemoryContextAlloc(context, sizeof(Oid) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i)
        out[i] = oids[i];
    return out;
}

// Walks the views in `views` (none known) and fills out[index[k]] for each views[k]; keeps the
// answers unless the walk saw invalidation messages.
void walk_matview_sources(const Oid* views, const int* index, int n, ViewMatviews* out) {
    const uint64 before = changes_seen;
    SourceRow* rows = nullptr;
    const int m = catalog_view_sources(views, n, &rows);
    const bool keep = registered && changes_seen == before && !stale;
    Oid* matviews = static_cast<Oid*>(palloc(sizeof(Oid) * (m > 0 ? m : 1)));
    Oid* path = static_cast<Oid*>(palloc(sizeof(Oid) * (m > 0 ? m : 1)));
    for (int k = 0; k < n; ++k) {
        int n_matviews = 0;
        int n_path = 0;
        for (int r = 0; r < m; ++r) {
            if (rows[r].view != views[k] || rows[r].source == views[k])
                continue;
            if (rows[r].relkind == RELKIND_MATVIEW) {
                if (rows[r].direct)
                    matviews[n_matviews++] = rows[r].source;
            } else {
                path[n_path++] = rows[r].source;
            }
        }
        if (!keep) {
            out[index[k]] =
                ViewMatviews{n_matviews, copy_oids(CurrentMemoryContext, matviews, n_matviews)};
            continue;
        }
        bool found = false;
        CachedMatviews* entry =
            static_cast<CachedMatviews*>(hash_search(matview_cache, &views[k], HASH_ENTER, &found));
        entry->n_matviews = n_matviews;
        entry->matviews = copy_oids(cache_context, matviews, n_matviews);
        entry->n_path = n_path;
        entry->path = copy_oids(cache_context, path, n_path);
        out[index[k]] = ViewMatviews{entry->n_matviews, entry->matviews};
    }
}

} // namespace

void view_matview_sources(const Oid* views, int n, ViewMatviews* out) {
    if (registered)
        catch_up();
    Oid* unknown = static_cast<Oid*>(palloc(sizeof(Oid) * (n > 0 ? n : 1)));
    int* index = static_cast<int*>(palloc(sizeof(int) * (n > 0 ? n : 1)));
    int n_unknown = 0;
    for (int i = 0; i < n; ++i) {
        bool found = false;
        const CachedMatviews* entry = registered ? static_cast<CachedMatviews*>(hash_search(
                                                       matview_cache, &views[i], HASH_FIND, &found))
                                                 : nullptr;
        if (entry != nullptr) {
            out[i] = ViewMatviews{entry->n_matviews, entry->matviews};
        } else {
            unknown[n_unknown] = views[i];
            index[n_unknown++] = i;
        }
    }
    if (n_unknown > 0)
        walk_matview_sources(unknown, index, n_unknown, out);
}

ViewSources view_sources(Oid view) {
    if (!registered) {
        Oid* sources = nullptr;
        const int n = catalog_change_sources(view, &sources);
        return ViewSources{view_untracked_reason(view) == nullptr, n, sources};
    }
    catch_up();
    bool found = false;
    CachedView* entry = static_cast<CachedView*>(hash_search(cache, &view, HASH_FIND, &found));
    if (entry != nullptr)
        return ViewSources{entry->tracked, entry->n_sources, entry->sources};
    // Walked outside the cache's context; kept only once complete, so an error here leaves no
    // half-made entry.
    const uint64 before = changes_seen;
    const bool tracked = view_untracked_reason(view) == nullptr;
    Oid* sources = nullptr;
    // Also for an untracked view: a change of what it reads may make it tracked.
    const int n = catalog_change_sources(view, &sources);
    // The walk read invalidation messages: what it found may mix before and after; not kept.
    if (changes_seen != before || stale)
        return ViewSources{tracked, n, sources};
    Oid* kept = static_cast<Oid*>(MemoryContextAlloc(cache_context, sizeof(Oid) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i)
        kept[i] = sources[i];
    entry = static_cast<CachedView*>(hash_search(cache, &view, HASH_ENTER, &found));
    entry->tracked = tracked;
    entry->n_sources = n;
    entry->sources = kept;
    return ViewSources{tracked, n, kept};
}

} // namespace mvs::pg
