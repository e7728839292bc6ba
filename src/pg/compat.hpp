// The calls that differ between PostgreSQL versions, in one place. Written for 15; each branch for
// a newer version is where its renamed call goes.
#pragma once

extern "C" {
#include "catalog/pg_database.h"
#include "storage/lock.h"
#include "storage/lockdefs.h"
#include "utils/acl.h"
}

#if PG_VERSION_NUM < 150000
#error "matview_scheduler needs PostgreSQL 15 or newer"
#endif

namespace mvs::pg {

// Does `role` own the relation (directly, or through membership, or as superuser)?
inline bool role_owns_relation(Oid relid, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(RelationRelationId, relid, role);
#else
    return pg_class_ownercheck(relid, role);
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

} // namespace mvs::pg
