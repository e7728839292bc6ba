#include "pg/statistics.hpp"

#include <algorithm>

#include "pg/pg_headers.hpp"

extern "C" {
#include "pgstat.h"
#include "utils/timestamp.h"
}

namespace mvs::pg {

namespace {

// Statistics are held back until then; 0: none are.
TimestampTz report_due = 0;

} // namespace

void report_statistics() {
    const TimestampTz now = GetCurrentTimestamp();
    if (report_due != 0 && now >= report_due) {
        // As a backend does after an idle while: forced, or the rate would count from the last
        // commit's time and hold them back again.
        (void)pgstat_report_stat(true);
        report_due = 0;
        return;
    }
    const long held_ms = pgstat_report_stat(false);
    if (held_ms <= 0)
        report_due = 0;
    else if (report_due == 0)
        report_due = TimestampTzPlusMilliseconds(now, held_ms);
}

long report_statistics_before_wait(long wait_ms) {
    report_statistics();
    if (report_due == 0)
        return wait_ms;
    const long until_due = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), report_due) + 1;
    return wait_ms < 0 ? until_due : std::min(wait_ms, until_due);
}

} // namespace mvs::pg
