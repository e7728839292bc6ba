#include "pg/worker/refresh_lock.hpp"

extern "C" {
#include "storage/ipc.h"
#include "storage/lock.h"
}

#include "pg/compat.hpp"

namespace mvs::pg {

namespace {

Oid held_view = InvalidOid;

LOCKTAG refresh_tag(Oid view) {
    LOCKTAG tag;
    SET_LOCKTAG_OBJECT(tag, MyDatabaseId, kRefreshLockClass, view, kRefreshLockSubId);
    return tag;
}

void release_at_exit(int, Datum) {
    if (OidIsValid(held_view))
        unlock_view_after_refresh(held_view);
}

} // namespace

void release_refresh_lock_at_exit() {
    before_shmem_exit(release_at_exit, 0);
}

bool lock_view_for_refresh(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
        return false;
    held_view = view;
    return true;
}

void lock_view_for_refresh_waiting(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    (void)LockAcquire(&tag, ExclusiveLock, true, false);
    held_view = view;
}

void unlock_view_after_refresh(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    if (lock_held_by_me(&tag, ExclusiveLock))
        LockRelease(&tag, ExclusiveLock, true);
    held_view = InvalidOid;
}

bool view_refresh_in_progress(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
        return true;
    LockRelease(&tag, ExclusiveLock, true);
    return false;
}

} // namespace mvs::pg
