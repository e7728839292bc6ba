// The C++ -> PostgreSQL error bridge. PostgreSQL reports errors with longjmp, which must never
// cross a C++ frame that owns something, and C++ exceptions must never reach a C frame. So: C++
// work runs inside run_cpp(), which turns any exception into a message in a plain buffer; the
// caller raises the PostgreSQL error only after the C++ frames are gone.
#pragma once

#include <cstddef>
#include <cstdio>
#include <exception>
#include <new>
#include <type_traits>

namespace mvs::pg {

struct CppFailure {
    bool failed = false;
    char message[256] = {0};
};
// Alive in the frame that MVS_RAISE_IF_FAILED longjmps out of.
static_assert(std::is_trivially_destructible_v<CppFailure>, "crosses a longjmp");

template <typename F> CppFailure run_cpp(F&& f) noexcept {
    CppFailure failure;
    try {
        f();
    } catch (const std::bad_alloc&) {
        failure.failed = true;
        std::snprintf(failure.message, sizeof failure.message, "out of memory");
    } catch (const std::exception& e) {
        failure.failed = true;
        std::snprintf(failure.message, sizeof failure.message, "%s", e.what());
    } catch (...) {
        failure.failed = true;
        std::snprintf(failure.message, sizeof failure.message, "unknown C++ exception");
    }
    return failure;
}

} // namespace mvs::pg

// Raises the failure as a PostgreSQL ERROR. Call it where no C++ object is alive in this frame.
#define MVS_RAISE_IF_FAILED(failure)                                                               \
    do {                                                                                           \
        if ((failure).failed)                                                                      \
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),                                       \
                            errmsg("matview_scheduler: %s", (failure).message)));                  \
    } while (0)
