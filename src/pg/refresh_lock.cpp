#include "pg/refresh_lock.hpp"

extern "C" {
#include "storage/lock.h"
}

namespace mvs::pg {

namespace {

LOCKTAG refresh_tag(Oid view) {
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, kRefreshLockClass, view, kRefreshLockSubId);
    return tag;
}

} // namespace

bool lock_view_for_refresh(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    return LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL;
}

void lock_view_for_refresh_waiting(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    (void)LockAcquire(&tag, ExclusiveLock, true, false);
}

void unlock_view_after_refresh(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    LockRelease(&tag, ExclusiveLock, true);
}

bool view_refresh_in_progress(Oid view) {
    const LOCKTAG tag = refresh_tag(view);
    if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
        return true;
    LockRelease(&tag, ExclusiveLock, true);
    return false;
}

} // namespace mvs::pg
