#include "worker_places.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

namespace mvs {

namespace {

// int64 sums of ints cannot overflow; back to int within [lo, hi].
int clamp_int(std::int64_t v, std::int64_t lo, std::int64_t hi) noexcept {
    return static_cast<int>(std::max(lo, std::min(v, hi)));
}

} // namespace

int database_place_limit(int max_workers, int capacity) noexcept {
    return std::max(0, std::min(max_workers, capacity));
}

int role_place_limit(int database_limit, int per_role_setting) noexcept {
    const std::int64_t per_role =
        per_role_setting < 0 ? std::int64_t{database_limit} - 1 : per_role_setting;
    return clamp_int(std::min(per_role, std::int64_t{database_limit}), 1, INT_MAX);
}

int pool_places_granted(int limit, int held, int manual_taken, int wanted) noexcept {
    const std::int64_t room = std::int64_t{limit} - held - manual_taken;
    return clamp_int(std::min(std::int64_t{wanted}, room), 0, INT_MAX);
}

bool manual_may_start(bool running, int pool_places, int manual_running, int role_running,
                      int limit, int per_role) noexcept {
    return running ||
           (std::int64_t{pool_places} + manual_running < limit && role_running < per_role);
}

int due_fetch_limit(int free_places, int busy_places) noexcept {
    return clamp_int(std::int64_t{free_places} + busy_places + 1, 1, INT_MAX);
}

int trim_fetch_limit(int limit, int busy_places, int busy_due) noexcept {
    const std::int64_t unused = std::int64_t{busy_places} - std::max(0, busy_due);
    return clamp_int(std::int64_t{limit} - std::max<std::int64_t>(0, unused), 1,
                     std::max(1, limit));
}

} // namespace mvs
