#include "pg/api/change_tracking.hpp"

#include <type_traits>

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "nodes/pg_list.h"
#include "parser/parsetree.h"
#include "replication/logicalworker.h"
}

#include "core/change_policy.hpp"
#include "pg/shmem/change_counters.hpp"

namespace mvs::pg {

namespace {

static_assert(std::is_trivially_destructible_v<mvs::PendingWrites>, "a plain static");
mvs::PendingWrites pending;
ExecutorStart_hook_type prev_executor_start = nullptr;
bool installed = false;

void note(Oid relid) {
    if (OidIsValid(relid))
        mvs::pending_note(pending, relid, GetCurrentTransactionNestLevel());
}

void note_all() {
    mvs::pending_note_all(pending, GetCurrentTransactionNestLevel());
}

// The relation a statement names, as it resolves now (after the statement ran); unknown: every
// relation of the database counts.
void note_range_var(const RangeVar* rv) {
    const Oid relid = rv != nullptr ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
    if (OidIsValid(relid))
        note(relid);
    else
        note_all();
}

// After PostgreSQL's own ExecutorStart (its permission checks passed): every relation the plan
// writes, writable CTEs included. INSERT, UPDATE, DELETE and MERGE, also from functions, triggers
// and foreign-key actions, which run through SPI and the executor.
void on_executor_start(QueryDesc* query, int eflags) {
    if (prev_executor_start != nullptr)
        prev_executor_start(query, eflags);
    else
        standard_ExecutorStart(query, eflags);
    if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0)
        return;
    const PlannedStmt* stmt = query->plannedstmt;
    for_each_result_relation(stmt,
                             [stmt](int index) { note(rt_fetch(index, stmt->rtable)->relid); });
}

// Publishes at XACT_EVENT_COMMIT, never at PRE_COMMIT: by then the transaction is visible to new
// snapshots. The counter a refresh is compared against is read before that refresh takes its
// snapshot (the scheduler reads it when it records the run, before the worker starts the
// REFRESH), so a change either is counted in that reading (and committed before it, so the
// refresh sees it) or moves a counter after it (and the next due time refreshes again): no
// committed change is ever lost.
void on_xact(XactEvent event, void*) {
    switch (event) {
    case XACT_EVENT_PRE_COMMIT:
        // A logical replication apply worker writes through neither hook (worker.c calls
        // ExecSimpleRelationInsert and friends directly): any of its transactions that wrote
        // counts for every relation of the database.
        if (IsLogicalWorker() && TransactionIdIsValid(GetTopTransactionIdIfAny()))
            mvs::pending_note_all(pending, 1);
        break;
    case XACT_EVENT_COMMIT:
        if (!mvs::pending_empty(pending) && OidIsValid(MyDatabaseId)) {
            Oid relids[mvs::PendingWrites::kCapacity];
            for (int i = 0; i < pending.n; ++i)
                relids[i] = pending.entries[i].relid;
            change_counters_publish(MyDatabaseId, relids, pending.n, pending.all_level != 0);
        }
        mvs::pending_clear(pending);
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PREPARE: // counted at COMMIT PREPARED
        mvs::pending_clear(pending);
        break;
    default:
        break;
    }
}

void on_subxact(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    // Called while the subtransaction is still the current one.
    if (event == SUBXACT_EVENT_COMMIT_SUB)
        mvs::pending_subcommit(pending, GetCurrentTransactionNestLevel());
    else if (event == SUBXACT_EVENT_ABORT_SUB)
        mvs::pending_subabort(pending, GetCurrentTransactionNestLevel());
}

} // namespace

void install_change_tracking() {
    mvs::pending_clear(pending);
    prev_executor_start = ExecutorStart_hook;
    ExecutorStart_hook = on_executor_start;
    RegisterXactCallback(on_xact, nullptr);
    RegisterSubXactCallback(on_subxact, nullptr);
    installed = true;
}

void note_utility_changes(const Node* parsetree) {
    if (!installed)
        return;
    switch (nodeTag(parsetree)) {
    case T_TruncateStmt: {
        // The named relations; their partitions and inheritance children are followed by the
        // scheduler (a view reading a child also watches its parents). CASCADE reaches tables
        // not named here: the whole database counts.
        const TruncateStmt* stmt = castNode(TruncateStmt, parsetree);
        ListCell* cell = nullptr;
        foreach (cell, stmt->relations)
            note_range_var(static_cast<const RangeVar*>(lfirst(cell)));
        if (stmt->behavior == DROP_CASCADE)
            note_all();
        break;
    }
    case T_CopyStmt: {
        const CopyStmt* stmt = castNode(CopyStmt, parsetree);
        if (stmt->is_from)
            note_range_var(stmt->relation);
        break;
    }
    case T_RefreshMatViewStmt: // a view reading this one changes with its refresh
        note_range_var(castNode(RefreshMatViewStmt, parsetree)->relation);
        break;
    case T_AlterTableStmt: // also ATTACH / DETACH PARTITION, column types, RLS
        note_range_var(castNode(AlterTableStmt, parsetree)->relation);
        break;
    case T_ViewStmt: // CREATE OR REPLACE VIEW: what the views reading it return
        note_range_var(castNode(ViewStmt, parsetree)->view);
        break;
    case T_RuleStmt:
        note_range_var(castNode(RuleStmt, parsetree)->relation);
        break;
    case T_CreatePolicyStmt:
        note_range_var(castNode(CreatePolicyStmt, parsetree)->table);
        break;
    case T_AlterPolicyStmt:
        note_range_var(castNode(AlterPolicyStmt, parsetree)->table);
        break;
    case T_DropStmt: {
        const ObjectType type = castNode(DropStmt, parsetree)->removeType;
        if (type == OBJECT_POLICY || type == OBJECT_RULE)
            note_all();
        break;
    }
    case T_CreateFunctionStmt: // a new body of an immutable function a view calls
        if (castNode(CreateFunctionStmt, parsetree)->replace)
            note_all();
        break;
    case T_AlterTSConfigurationStmt:
    case T_AlterTSDictionaryStmt:
        note_all();
        break;
    case T_TransactionStmt:
        // What the prepared transaction wrote is not known here: every relation of the
        // database counts, at the commit of COMMIT PREPARED itself.
        if (castNode(TransactionStmt, parsetree)->kind == TRANS_STMT_COMMIT_PREPARED)
            note_all();
        break;
    default:
        break;
    }
}

} // namespace mvs::pg
