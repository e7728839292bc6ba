// The calls that differ between PostgreSQL versions, in one place. Written for 15; each branch for
// a newer version is where its renamed call goes.
#pragma once

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "nodes/plannodes.h"
#include "storage/shmem.h"
#include "utils/hsearch.h"
#include "storage/lock.h"
#include "storage/lockdefs.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/elog.h"
#include "utils/palloc.h"
#include "utils/wait_event.h"
}

#if PG_VERSION_NUM < 150000
#error "matview_scheduler needs PostgreSQL 15 or newer"
#endif

namespace mvs::pg {

// A wait event of our own, `name` in pg_stat_activity from 17 (registered in shared memory on
// first use); before 17, the one event every extension shares.
inline uint32 custom_wait_event(const char* name) {
#if PG_VERSION_NUM >= 170000
    return WaitEventExtensionNew(name);
#else
    (void)name;
    return PG_WAIT_EXTENSION;
#endif
}

// Does `role` own the relation (directly, or through membership, or as superuser)?
inline bool role_owns_relation(Oid relid, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(RelationRelationId, relid, role);
#else
    return pg_class_ownercheck(relid, role);
#endif
}

// May `role` refresh the materialized view, and so schedule its refreshes? What REFRESH itself
// requires: ownership up to 16, the MAINTAIN privilege (which the owner holds) from 17.
inline bool role_may_refresh(Oid relid, Oid role) {
#if PG_VERSION_NUM >= 170000
    return pg_class_aclcheck(relid, role, ACL_MAINTAIN) == ACLCHECK_OK;
#else
    return role_owns_relation(relid, role);
#endif
}

// Refuses `role` the view `name`, in the words REFRESH would use on this version.
[[noreturn]] inline void refuse_refresh_right(const char* name) {
#if PG_VERSION_NUM >= 170000
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("permission denied for materialized view %s", name),
                    errhint("Scheduling its refresh needs the MAINTAIN privilege on it, as "
                            "refreshing it does; its owner has it.")));
#else
    ereport(ERROR,
            (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
             errmsg("must be owner of materialized view %s", name),
             errhint("Only the view's owner (or a member of the owning role) can schedule its "
                     "refresh, since refreshing it needs the same right.")));
#endif
    pg_unreachable();
}

// From 17, REFRESH runs the view's query with search_path = pg_catalog, pg_temp: a function the
// view calls that names a table or function without its schema then fails. Adds that pointer to
// the message of such a failure (`error` is a copy owned by the caller, in the current context).
inline void explain_refresh_error(ErrorData* error) {
#if PG_VERSION_NUM >= 170000
    if (error->sqlerrcode == ERRCODE_UNDEFINED_TABLE ||
        error->sqlerrcode == ERRCODE_UNDEFINED_FUNCTION)
        error->message =
            psprintf("%s (HINT: from PostgreSQL 17 on, a refresh runs with search_path = "
                     "pg_catalog, pg_temp: functions the view calls must schema-qualify the "
                     "tables and functions they use, or SET their own search_path)",
                     error->message);
#else
    (void)error;
#endif
}

// Does this process hold the lock in exactly this mode? (17 added a "or stronger" argument.)
inline bool lock_held_by_me(const LOCKTAG* tag, LOCKMODE mode) {
#if PG_VERSION_NUM >= 170000
    return LockHeldByMe(tag, mode, false);
#else
    return LockHeldByMe(tag, mode);
#endif
}

// Does `role` own the database (or is it a superuser)?
inline bool role_owns_database(Oid dboid, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(DatabaseRelationId, dboid, role);
#else
    return pg_database_ownercheck(dboid, role);
#endif
}

// The backend status entry at 1-based position `index` of this transaction's snapshot of the
// status array (16 renamed the call; its argument was always the position, not a backend id).
inline LocalPgBackendStatus* local_backend_status(int index) {
#if PG_VERSION_NUM >= 160000
    return pgstat_get_local_beentry_by_index(index);
#else
    return pgstat_fetch_stat_local_beentry(index);
#endif
}

// Does this transaction hold any lock on the relation? (CheckRelationOidLockedByMe is missing
// from early 15.x releases.)
inline bool relation_locked_by_me(Oid relid) {
    LOCKTAG tag;
    SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
    for (LOCKMODE mode = AccessShareLock; mode <= AccessExclusiveLock; ++mode)
        if (lock_held_by_me(&tag, mode))
            return true;
    return false;
}

// A fixed-size shared hash table of `size` entries (19 dropped the separate initial size).
inline HTAB* shmem_hash(const char* name, long size, HASHCTL* info, int flags) {
#if PG_VERSION_NUM >= 190000
    return ShmemInitHash(name, size, info, flags);
#else
    return ShmemInitHash(name, size, size, info, flags);
#endif
}

// Calls f(index) for the range-table index of each relation the plan writes (19 keeps them in a
// Bitmapset, earlier majors in a List).
template <typename F> void for_each_result_relation(const PlannedStmt* stmt, F f) {
#if PG_VERSION_NUM >= 190000
    int index = -1;
    while ((index = bms_next_member(stmt->resultRelationRelids, index)) >= 0)
        f(index);
#else
    ListCell* cell = nullptr;
    foreach (cell, stmt->resultRelations)
        f(lfirst_int(cell));
#endif
}

// A syscache callback's cache id: an int before 19, an enum from 19.
#if PG_VERSION_NUM >= 190000
} // namespace mvs::pg
extern "C" {
#include "utils/syscache.h"
}
namespace mvs::pg {
using SyscacheCallbackId = SysCacheIdentifier;
#else
using SyscacheCallbackId = int;
#endif

// make_new_heap(), which REFRESH builds its new heap with: in commands/repack.h from 19.
} // namespace mvs::pg
extern "C" {
#if PG_VERSION_NUM >= 190000
#include "commands/repack.h"
#else
#include "commands/cluster.h"
#endif
#include "tcop/tcopprot.h"
}
namespace mvs::pg {

// Plans a query as REFRESH plans its view's; 19 added an EXPLAIN state to pass (none here).
inline PlannedStmt* plan_query(Query* query, const char* text, int cursor_options) {
#if PG_VERSION_NUM >= 190000
    return pg_plan_query(query, text, cursor_options, nullptr, nullptr);
#else
    return pg_plan_query(query, text, cursor_options, nullptr);
#endif
}

} // namespace mvs::pg
