// The C++ -> PostgreSQL error bridge. PostgreSQL reports errors with longjmp, which must never
// cross a C++ frame that owns something, and C++ exceptions must never reach a C frame. So: C++
// work runs inside run_cpp(), which turns any exception into a message in a plain buffer; the
// caller raises the PostgreSQL error only after the C++ frames are gone.
#pragma once

#include <type_traits>

#include "core/cpp_failure.hpp"
#include "core/message_size.hpp"

namespace mvs::pg {

struct CppFailure {
    bool failed = false;
    mvs::FailureKind kind = mvs::FailureKind::Unknown;
    char message[mvs::kMessageSize] = {0};
};
// Alive in the frame that MVS_RAISE_IF_FAILED longjmps out of.
static_assert(std::is_trivially_destructible_v<CppFailure>, "crosses a longjmp");

template <typename F> CppFailure run_cpp(F&& f) noexcept {
    CppFailure failure;
    try {
        f();
    } catch (...) {
        failure.failed = true;
        failure.kind = mvs::describe_current_exception(failure.message, sizeof failure.message);
    }
    return failure;
}

} // namespace mvs::pg

// Raises the failure as a PostgreSQL ERROR, with the SQLSTATE core gives it (53200 when C++ ran
// out of memory). Call it where no C++ object is alive in this frame.
#define MVS_RAISE_IF_FAILED(failure)                                                               \
    do {                                                                                           \
        if ((failure).failed) {                                                                    \
            const char* mvs_state_ = mvs::failure_sqlstate((failure).kind);                        \
            ereport(ERROR, (errcode(MAKE_SQLSTATE(mvs_state_[0], mvs_state_[1], mvs_state_[2],     \
                                                  mvs_state_[3], mvs_state_[4])),                  \
                            errmsg("matview_scheduler: %s", (failure).message),                    \
                            (failure).kind == mvs::FailureKind::OutOfMemory                        \
                                ? errdetail("A C++ allocation failed.")                            \
                                : 0));                                                             \
        }                                                                                          \
    } while (0)
