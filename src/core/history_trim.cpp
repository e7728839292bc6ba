#include "history_trim.hpp"

namespace mvs {

int trim_every(int history_per_view) noexcept {
    const int every = history_per_view / 16;
    if (every < 1)
        return 1;
    return every > kMaxTrimEvery ? kMaxTrimEvery : every;
}

bool trim_due(bool scheduled, std::int64_t runs_total, int history_per_view) noexcept {
    if (!scheduled || runs_total <= 0)
        return true;
    return runs_total % trim_every(history_per_view) == 0;
}

} // namespace mvs
