#include "fair_share.hpp"

#include <algorithm>

namespace mvs {

namespace {

std::int64_t held_by(const RolePlaces& places, std::uint32_t role) noexcept {
    for (int i = 0; i < places.n_roles; ++i)
        if (places.roles[i] == role)
            return places.held[i];
    return 0;
}

} // namespace

int fair_order(DueCandidate* due, int n, const RolePlaces& places, int per_role,
               int limit) noexcept {
    if (n <= 0)
        return 0;
    // Each role's schedules oldest due first, to number them.
    std::sort(due, due + n, [](const DueCandidate& a, const DueCandidate& b) {
        if (a.role != b.role)
            return a.role < b.role;
        if (a.next_run != b.next_run)
            return a.next_run < b.next_run;
        return a.id < b.id;
    });
    int i = 0;
    while (i < n) {
        const std::uint32_t role = due[i].role;
        // rank <= n and held is 32-bit: the sum fits in 64 bits.
        const std::int64_t held = held_by(places, role);
        std::int64_t rank = 0;
        for (; i < n && due[i].role == role; ++i) {
            due[i].turn = ++rank + held;
            due[i].over_limit = due[i].turn > per_role;
        }
    }
    std::sort(due, due + n, [](const DueCandidate& a, const DueCandidate& b) {
        if (a.turn != b.turn)
            return a.turn < b.turn;
        if (a.next_run != b.next_run)
            return a.next_run < b.next_run;
        return a.id < b.id;
    });
    return limit <= 0 ? 0 : std::min(n, limit);
}

} // namespace mvs
