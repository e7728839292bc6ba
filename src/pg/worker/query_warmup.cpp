#include "pg/worker/query_warmup.hpp"

extern "C" {
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "rewrite/prs2lock.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/dest.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include "core/final_warm_up.hpp"
#include "pg/spi_support.hpp"
#include "pg/subtransaction.hpp"

namespace mvs::pg {

namespace {

// The views this process has warmed up, with how long the last warm-up before a run took. Its
// libraries stay loaded and most of its cache entries stay valid, so the whole warm-up is done
// once; beyond the bound, views are not warmed up at all.
struct WarmView {
    Oid view;
    int64 took_us; // the last final warm-up, or kFinalWarmUpNotMeasured
};
constexpr int kMaxWarmViews = 1024;
WarmView warm_views[kMaxWarmViews];
int warm_count = 0;

WarmView* find_warm_view(Oid view) {
    for (int i = 0; i < warm_count; ++i)
        if (warm_views[i].view == view)
            return &warm_views[i];
    return nullptr;
}

// A lock another session holds is waited for by the REFRESH, within its own lock_timeout, not
// here, ahead of the due time; a millisecond before it, hardly at all.
constexpr const char* kWarmUpLockTimeout = "10ms";
constexpr const char* kFinalLockTimeout = "1ms";

struct WarmUp {
    Oid view;
    Oid role;
    bool whole; // also the new heap; otherwise only the query
};

// What REFRESH does up to running the query (matview.c, refresh_matview_datafill), in the current
// subtransaction. Only a materialized view with its single SELECT rule is planned.
void plan_and_start(void* arg) {
    const auto* w = static_cast<const WarmUp*>(arg);
    const Oid view = w->view;
    // REFRESH refuses a role that may not refresh the view before it plans anything; so does this.
    if (!role_may_refresh(view, w->role))
        return;
    (void)set_config_option("lock_timeout", w->whole ? kWarmUpLockTimeout : kFinalLockTimeout,
                            PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
    Relation rel = try_table_open(view, AccessShareLock);
    if (rel == nullptr)
        return;
    const RuleLock* rules = rel->rd_rules;
    if (rel->rd_rel->relkind != RELKIND_MATVIEW || rules == nullptr || rules->numLocks != 1 ||
        rules->rules[0]->event != CMD_SELECT || list_length(rules->rules[0]->actions) != 1) {
        table_close(rel, NoLock);
        return;
    }
    // copyObject() itself needs C's typeof.
    auto* query =
        static_cast<Query*>(copyObjectImpl(linitial_node(Query, rules->rules[0]->actions)));
    const Oid owner = rel->rd_rel->relowner;
    const Oid tablespace = rel->rd_rel->reltablespace;
    const Oid access_method = rel->rd_rel->relam;
    const char persistence = rel->rd_rel->relpersistence;
    table_close(rel, NoLock);

    // REFRESH first builds the heap its query fills, as the view's owner; so does the whole
    // warm-up (in the view's own tablespace, also for CONCURRENTLY). That is most of a REFRESH's
    // work before its query, and most of it is slow in a new process. The subtransaction's end
    // removes it. Not before every run: each would take a transaction ID and write WAL.
    Oid user = InvalidOid;
    int context = 0;
    GetUserIdAndSecContext(&user, &context);
    if (w->whole) {
        SetUserIdAndSecContext(owner, context | SECURITY_LOCAL_USERID_CHANGE);
        (void)make_new_heap(view, tablespace, access_method, persistence, ExclusiveLock);
    }

    // As REFRESH runs the query: as the view's owner, security-restricted, with a safe
    // search_path (PostgreSQL 17 and later; earlier ones keep the session's, which here is the
    // catalog's safe one anyway). The subtransaction's end puts all three back.
    SetUserIdAndSecContext(owner, context | SECURITY_RESTRICTED_OPERATION);
    (void)set_config_option("search_path", kSafeSearchPath, PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_LOCAL, true, 0, false);
    AcquireRewriteLocks(query, true, false);
    List* rewritten = QueryRewrite(query);
    if (list_length(rewritten) != 1)
        return;
    CHECK_FOR_INTERRUPTS();
    PlannedStmt* plan = plan_query(linitial_node(Query, rewritten), "REFRESH MATERIALIZED VIEW",
                                   CURSOR_OPT_PARALLEL_OK);
    // EXPLAIN's start: PostgreSQL checks the owner's rights on what the query reads, then
    // initialises every node and looks up every function, which loads their languages.
    QueryDesc* desc = CreateQueryDesc(plan, "REFRESH MATERIALIZED VIEW", GetActiveSnapshot(),
                                      InvalidSnapshot, None_Receiver, nullptr, nullptr, 0);
    ExecutorStart(desc, EXEC_FLAG_EXPLAIN_ONLY);
    ExecutorEnd(desc);
    FreeQueryDesc(desc);
}

void run_warm_up(Oid view, Oid role, bool whole) {
    // Never kept: whatever the planner ran (a mislabelled stable function) is undone.
    WarmUp w{view, role, whole};
    ErrorData* error = in_rolled_back_subtransaction(plan_and_start, &w);
    if (error != nullptr && error->sqlerrcode == ERRCODE_QUERY_CANCELED)
        ReThrowError(error);
}

} // namespace

void warm_up_view_query(Oid view, Oid role) {
    if (find_warm_view(view) != nullptr || warm_count == kMaxWarmViews)
        return;
    warm_views[warm_count++] = WarmView{view, kFinalWarmUpNotMeasured};
    run_warm_up(view, role, true);
}

TimestampTz final_warm_up_at(Oid view, TimestampTz due) {
    const WarmView* warm = find_warm_view(view);
    if (warm == nullptr)
        return 0;
    return final_warm_up_start(due, GetCurrentTimestamp(), warm->took_us).value_or(0);
}

void final_warm_up(Oid view, Oid role) {
    WarmView* warm = find_warm_view(view);
    if (warm == nullptr)
        return;
    const TimestampTz start = GetCurrentTimestamp();
    run_warm_up(view, role, false);
    warm->took_us = GetCurrentTimestamp() - start;
}

} // namespace mvs::pg
