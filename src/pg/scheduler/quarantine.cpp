#include "pg/scheduler/quarantine.hpp"

namespace mvs::pg {

namespace {

struct Quarantined {
    int64 schedule_id;
    TimestampTz until;
};
Quarantined quarantine[kMaxQuarantined];
int quarantine_count = 0;

} // namespace

void quarantine_add(int64 schedule_id, TimestampTz now) {
    if (quarantine_count < kMaxQuarantined)
        quarantine[quarantine_count++] = Quarantined{schedule_id, now + kQuarantineUs};
}

int quarantined(TimestampTz now, int64* out) {
    int kept = 0;
    for (int i = 0; i < quarantine_count; ++i)
        if (quarantine[i].until > now) {
            quarantine[kept] = quarantine[i];
            out[kept++] = quarantine[i].schedule_id;
        }
    quarantine_count = kept;
    return kept;
}

} // namespace mvs::pg
