// The size of the error-message buffers that core fills and the server side copies from: plain
// char arrays, so that they can cross a longjmp.
#pragma once

#include <cstddef>

namespace mvs {

constexpr std::size_t kMessageSize = 256;

} // namespace mvs
