#pragma once

namespace mvs::pg {
// Was the library loaded through shared_preload_libraries (so the scheduler runs)?
bool library_preloaded();
} // namespace mvs::pg
