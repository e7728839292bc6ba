#include "cpp_failure.hpp"

#include <cstdio>
#include <exception>
#include <new>

namespace mvs {

FailureKind describe_current_exception(char* message, std::size_t size) noexcept {
    try {
        throw;
    } catch (const std::bad_alloc&) {
        std::snprintf(message, size, "out of memory");
        return FailureKind::OutOfMemory;
    } catch (const std::exception& e) {
        std::snprintf(message, size, "%s", e.what());
        return FailureKind::Exception;
    } catch (...) {
        std::snprintf(message, size, "unknown C++ exception");
        return FailureKind::Unknown;
    }
}

const char* failure_sqlstate(FailureKind kind) noexcept {
    return kind == FailureKind::OutOfMemory ? "53200" : "XX000";
}

} // namespace mvs
