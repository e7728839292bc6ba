// What a C++ exception means once it has to become a PostgreSQL error: running out of memory is
// SQLSTATE 53200, as when palloc fails; anything else is an internal error (XX000).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mvs {

enum class FailureKind : std::uint8_t { OutOfMemory, Exception, Unknown };

// Describes the exception being handled; call it only inside a catch block. The message (its
// what(), or a fixed text) goes to `message`, truncated to `size`.
FailureKind describe_current_exception(char* message, std::size_t size) noexcept;

// The SQLSTATE PostgreSQL reports the failure with: five characters.
const char* failure_sqlstate(FailureKind kind) noexcept;

} // namespace mvs
