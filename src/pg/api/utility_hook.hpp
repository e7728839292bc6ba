// Watches utility commands that change which databases need a scheduler.
#pragma once

namespace mvs::pg {
void install_utility_hook();
} // namespace mvs::pg
