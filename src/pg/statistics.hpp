// The cumulative statistics of the library's background processes. A backend reports what its
// transactions did (rows inserted, updated and deleted, commits) to pg_stat_* whenever it goes
// idle; a background worker has to do that itself, as worker_spi does. Autovacuum decides from
// these counts: unreported, neither the rows the scheduler and the refresh workers change in the
// catalog and run history, nor the catalog rows every REFRESH replaces, nor what a view's own
// functions write would count until the process exits, which a busy one never does.
#pragma once

namespace mvs::pg {

// Outside any transaction, after some: reports what they did, at most once a second
// (PostgreSQL's own rate for a backend); what that rate holds back goes at a later call.
void report_statistics();

// The same, before a wait of `wait_ms` (-1: no end): returns the wait, shortened so that what is
// held back is reported when it ends (by the next call of either function).
long report_statistics_before_wait(long wait_ms);

} // namespace mvs::pg
