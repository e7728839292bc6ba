#include "final_warm_up.hpp"

namespace mvs {

std::optional<std::int64_t> final_warm_up_start(std::int64_t due, std::int64_t now,
                                                std::int64_t last_took) noexcept {
    const std::int64_t took = last_took < 0 ? kFinalWarmUpMaxMicros : last_took;
    if (took > kFinalWarmUpMaxMicros)
        return std::nullopt;
    const std::int64_t lead =
        took * 2 > kFinalWarmUpMinLeadMicros ? took * 2 : kFinalWarmUpMinLeadMicros;
    // Due times come from the catalog and may be anything a timestamptz holds (-infinity too).
    std::int64_t ahead = 0;
    if (due <= now || __builtin_sub_overflow(due, now, &ahead) || ahead <= lead)
        return std::nullopt;
    return due - lead;
}

} // namespace mvs
