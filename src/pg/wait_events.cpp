#include "pg/wait_events.hpp"

#include <cstddef>
#include <iterator>

namespace mvs::pg {

namespace {

constexpr const char* kNames[] = {
    "MatviewSchedulerLauncherMain", "MatviewSchedulerSchedulerExit", "MatviewSchedulerNextDue",
    "MatviewSchedulerErrorPause",   "MatviewSchedulerWorkerIdle",    "MatviewSchedulerDueTime",
    "MatviewSchedulerFreePlace",    "MatviewSchedulerRefreshNow",
};
static_assert(std::size(kNames) == static_cast<std::size_t>(Wait::Count), "one name per wait");

// 0 until registered in this process (no event has the value 0).
uint32 registered[std::size(kNames)] = {};

} // namespace

uint32 wait_event(Wait what) {
    const auto i = static_cast<std::size_t>(what);
    if (registered[i] == 0)
        registered[i] = custom_wait_event(kNames[i]);
    return registered[i];
}

} // namespace mvs::pg
