#include "pg/api/database_guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "nodes/parsenodes.h"
#include "postmaster/bgworker.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

#include "pg/shmem/shared_state.hpp"

namespace mvs::pg {

namespace {

// Our processes get this long to leave a database; what is left then, PostgreSQL's own check
// reports (as it would for any other session).
constexpr long kLeaveMs = 10 * 1000;

// A database this transaction stepped aside, and the subtransaction that did it.
struct SteppedAside {
    Oid dboid;
    SubTransactionId subxact;
    bool dropping;
};

SteppedAside* stepped = nullptr; // in TopMemoryContext, reused from one transaction to the next
int stepped_count = 0;
int stepped_capacity = 0;

object_access_hook_type prev_object_access_hook = nullptr;

bool is_ours(pid_t pid) {
    const char* type = GetBackgroundWorkerTypeByPid(pid);
    return type != nullptr && (strcmp(type, "matview_scheduler scheduler") == 0 ||
                               strcmp(type, "matview_scheduler refresh") == 0);
}

// Our schedulers and refresh workers connected to the database, into `pids` (room for every
// PGPROC). A free PGPROC keeps its last pid, so each one is checked against the live ProcArray.
int our_processes_in(Oid dboid, pid_t* pids) {
    int n = 0;
    for (uint32 i = 0; i < ProcGlobal->allProcCount; ++i) {
        const PGPROC* proc = &ProcGlobal->allProcs[i];
        const int pid = proc->pid;
        if (pid == 0 || pid == MyProcPid || proc->databaseId != dboid)
            continue;
        const PGPROC* live = BackendPidGetProc(pid);
        if (live != nullptr && live->databaseId == dboid && is_ours(pid))
            pids[n++] = pid;
    }
    return n;
}

// Ends our processes in the database (the scheduler, pool workers and refresh_now() workers; a
// refresh worker records its run as interrupted on the way out) and waits until they have left.
// Nothing of ours starts there meanwhile: the command holds a lock on the database that new
// connections wait for, and the launcher starts no scheduler in a database stepped aside.
void end_our_processes(Oid dboid) {
    const Size room = sizeof(pid_t) * ProcGlobal->allProcCount;
    pid_t* pids = static_cast<pid_t*>(palloc(room));
    pid_t* signalled = static_cast<pid_t*>(palloc(room));
    int signalled_count = 0;
    const TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kLeaveMs);
    for (;;) {
        const int n = our_processes_in(dboid, pids);
        if (n == 0 || GetCurrentTimestamp() >= deadline)
            break;
        for (int i = 0; i < n; ++i) {
            bool done = false;
            for (int j = 0; j < signalled_count && !done; ++j)
                done = signalled[j] == pids[i];
            if (done || signalled_count * sizeof(pid_t) >= room)
                continue;
            (void)kill(pids[i], SIGTERM);
            signalled[signalled_count++] = pids[i];
        }
        CHECK_FOR_INTERRUPTS();
        pg_usleep(10 * 1000L);
    }
    pfree(pids);
    pfree(signalled);
}

void step_aside(Oid dboid, bool dropping) {
    if (!shared_state_available())
        return;
    if (stepped_count == stepped_capacity) {
        const int capacity = stepped_capacity == 0 ? 4 : stepped_capacity * 2;
        const Size size = sizeof(SteppedAside) * capacity;
        stepped = static_cast<SteppedAside*>(stepped == nullptr
                                                 ? MemoryContextAlloc(TopMemoryContext, size)
                                                 : repalloc(stepped, size));
        stepped_capacity = capacity;
    }
    // Remembered before anything can fail, so that an abort always brings it back.
    (void)step_aside_slot(dboid);
    stepped[stepped_count++] = SteppedAside{dboid, GetCurrentSubTransactionId(), dropping};
    end_our_processes(dboid);
}

void on_xact(XactEvent event, void*) {
    if (stepped_count == 0)
        return;
    bool dropped = false;
    switch (event) {
    case XACT_EVENT_COMMIT:
        // A dropped database is forgotten by the launcher; a renamed or copied one is served again.
        for (int i = 0; i < stepped_count; ++i) {
            if (stepped[i].dropping)
                dropped = true;
            else
                come_back_slot(stepped[i].dboid);
        }
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    case XACT_EVENT_PREPARE: // the prepared transaction's lock keeps the scheduler waiting
        for (int i = 0; i < stepped_count; ++i)
            come_back_slot(stepped[i].dboid);
        break;
    default:
        return;
    }
    stepped_count = 0;
    if (dropped)
        request_rescan_now();
}

void on_subxact(SubXactEvent event, SubTransactionId subxact, SubTransactionId parent, void*) {
    if (event == SUBXACT_EVENT_COMMIT_SUB) {
        for (int i = 0; i < stepped_count; ++i)
            if (stepped[i].subxact == subxact)
                stepped[i].subxact = parent;
    } else if (event == SUBXACT_EVENT_ABORT_SUB) {
        int kept = 0;
        for (int i = 0; i < stepped_count; ++i) {
            if (stepped[i].subxact == subxact)
                come_back_slot(stepped[i].dboid);
            else
                stepped[kept++] = stepped[i];
        }
        stepped_count = kept;
    }
}

// dropdb calls this after its permission check and before it counts the database's sessions
// (and, WITH (FORCE), terminates them, which a non-superuser may not do to ours).
void on_object_access(ObjectAccessType access, Oid class_id, Oid object_id, int sub_id, void* arg) {
    if (prev_object_access_hook != nullptr)
        prev_object_access_hook(access, class_id, object_id, sub_id, arg);
    if (access == OAT_DROP && class_id == DatabaseRelationId && object_id != MyDatabaseId)
        step_aside(object_id, true);
}

// PostgreSQL's have_createdb_privilege().
bool may_create_databases() {
    if (superuser())
        return true;
    HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
    if (!HeapTupleIsValid(tuple))
        return false;
    const bool createdb = reinterpret_cast<Form_pg_authid>(GETSTRUCT(tuple))->rolcreatedb;
    ReleaseSysCache(tuple);
    return createdb;
}

bool is_template(Oid dboid) {
    HeapTuple tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(dboid));
    if (!HeapTupleIsValid(tuple))
        return false;
    const bool result = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple))->datistemplate;
    ReleaseSysCache(tuple);
    return result;
}

// Takes the lock the command itself takes, which also keeps new sessions out while ours leave;
// false (and no lock) when the name no longer names that database.
bool lock_database(Oid dboid, const char* name, LOCKMODE mode) {
    LockSharedObject(DatabaseRelationId, dboid, 0, mode);
    if (get_database_oid(name, true) == dboid)
        return true;
    UnlockSharedObject(DatabaseRelationId, dboid, 0, mode);
    return false;
}

// The TEMPLATE option of CREATE DATABASE, or PostgreSQL's default.
const char* template_of(const CreatedbStmt* stmt) {
    ListCell* cell = nullptr;
    foreach (cell, stmt->options) {
        const DefElem* option = static_cast<const DefElem*>(lfirst(cell));
        if (strcmp(option->defname, "template") == 0 && option->arg != nullptr)
            return defGetString(const_cast<DefElem*>(option));
    }
    return "template1";
}

// RenameDatabase's checks, in its order: the caller owns the database, may create databases,
// the new name is free, and it is not the current database.
void guard_rename(const RenameStmt* stmt) {
    const Oid dboid = get_database_oid(stmt->subname, true);
    if (!OidIsValid(dboid) || dboid == MyDatabaseId)
        return;
    if (!role_owns_database(dboid, GetUserId()) || !may_create_databases())
        return;
    if (OidIsValid(get_database_oid(stmt->newname, true)))
        return;
    if (lock_database(dboid, stmt->subname, AccessExclusiveLock))
        step_aside(dboid, false);
}

// createdb's checks on the source: it refuses in a transaction block; the caller may create
// databases and copy this one (a template, or one it owns).
void guard_copy(const CreatedbStmt* stmt, ProcessUtilityContext context) {
    if (context != PROCESS_UTILITY_TOPLEVEL || IsTransactionBlock() || IsSubTransaction())
        return;
    if (!may_create_databases())
        return;
    const char* source = template_of(stmt);
    const Oid dboid = get_database_oid(source, true);
    if (!OidIsValid(dboid))
        return;
    if (!is_template(dboid) && !role_owns_database(dboid, GetUserId()))
        return;
    if (lock_database(dboid, source, ShareLock))
        step_aside(dboid, false);
}

} // namespace

void install_database_guard() {
    prev_object_access_hook = object_access_hook;
    object_access_hook = on_object_access;
    RegisterXactCallback(on_xact, nullptr);
    RegisterSubXactCallback(on_subxact, nullptr);
}

void guard_database_command(const Node* parsetree, ProcessUtilityContext context) {
    if (!shared_state_available())
        return;
    if (IsA(parsetree, RenameStmt) &&
        castNode(RenameStmt, parsetree)->renameType == OBJECT_DATABASE)
        guard_rename(castNode(RenameStmt, parsetree));
    else if (IsA(parsetree, CreatedbStmt))
        guard_copy(castNode(CreatedbStmt, parsetree), context);
}

} // namespace mvs::pg
