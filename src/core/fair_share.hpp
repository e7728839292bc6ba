// Which due schedules the scheduler takes first, fair between roles: each role's due schedules
// oldest due first, and a role's k-th one comes at turn k + the places the role holds already, so
// a role with nothing running goes before one with several. Ties (the same turn, the same due
// microsecond) go by due time, then id: the order is total and stable from pass to pass.
#pragma once

#include <cstdint>

#include "civil_time.hpp"

namespace mvs {

// A due schedule to order. Plain data; turn and over_limit are filled in by fair_order.
struct DueCandidate {
    std::int64_t id = 0;
    std::uint32_t role = 0;
    UtcMicros next_run = 0;
    std::int64_t turn = 0;     // 1 for a role's oldest due schedule when it holds no place
    bool over_limit = false;   // the role would hold more than per_role places: it waits its turn
    bool change_aware = false; // only_if_changed or 'on change': may pass without a place
};

// The places each role holds or waits for already: roles[i] holds held[i] (n_roles entries, each
// role at most once; a role not listed holds none).
struct RolePlaces {
    const std::uint32_t* roles = nullptr;
    const std::int32_t* held = nullptr;
    int n_roles = 0;
};

// Sorts the `n` candidates (any order, distinct ids) into fair order, sets their turn and
// over_limit, and returns how many of them to take: at most `limit` (those past it are left in
// order after them). O(n log n + n x n_roles); allocates nothing.
int fair_order(DueCandidate* due, int n, const RolePlaces& places, int per_role,
               int limit) noexcept;

} // namespace mvs
