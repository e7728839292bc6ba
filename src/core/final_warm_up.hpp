// A refresh worker plans a run's query once more shortly before its due time. After the sleep up
// to it, the CPU's caches are cold, and a REFRESH takes about 0.3 ms longer to reach its query
// than one right after the same work; planning the query again first gives back most of that.
// This decides when that last warm-up starts. Pure functions.
#pragma once

#include <cstdint>
#include <optional>

namespace mvs {

// A view whose last warm-up took longer than this is not warmed up again before each run: it
// would cost more than it gives back, and would have to start so early that the caches cool again.
constexpr std::int64_t kFinalWarmUpMaxMicros = 2500;
// The warm-up starts twice as long before the due time as the view's last one took, and at
// least this long before it, so that it ends before the due time with room to spare.
constexpr std::int64_t kFinalWarmUpMinLeadMicros = 1000;
// How long the view's last warm-up took is not known yet: it is taken to be the longest allowed.
constexpr std::int64_t kFinalWarmUpNotMeasured = -1;

// When to start the last warm-up of a run due at `due`, seen at `now` (both in microseconds on
// the same clock), given how long the view's last warm-up took. None when that took longer than
// kFinalWarmUpMaxMicros, or when the start would not be in the future.
std::optional<std::int64_t> final_warm_up_start(std::int64_t due, std::int64_t now,
                                                std::int64_t last_took) noexcept;

} // namespace mvs
