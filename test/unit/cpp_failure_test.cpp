#include <gtest/gtest.h>

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "core/cpp_failure.hpp"

namespace {

using mvs::FailureKind;

template <typename F> FailureKind describe(F&& thrower, std::string* message) {
    char buffer[64];
    try {
        thrower();
    } catch (...) {
        const FailureKind kind = mvs::describe_current_exception(buffer, sizeof buffer);
        *message = buffer;
        return kind;
    }
    ADD_FAILURE() << "nothing was thrown";
    return FailureKind::Unknown;
}

TEST(CppFailure, OutOfMemoryIs53200) {
    std::string message;
    EXPECT_EQ(describe([] { throw std::bad_alloc(); }, &message), FailureKind::OutOfMemory);
    EXPECT_EQ(message, "out of memory");
    EXPECT_STREQ(mvs::failure_sqlstate(FailureKind::OutOfMemory), "53200");
}

TEST(CppFailure, ArraySizeTooLargeIsOutOfMemory) {
    std::string message;
    EXPECT_EQ(describe([] { throw std::bad_array_new_length(); }, &message),
              FailureKind::OutOfMemory);
    EXPECT_EQ(message, "out of memory");
}

TEST(CppFailure, OtherExceptionsAreInternalErrorsWithTheirMessage) {
    std::string message;
    EXPECT_EQ(describe([] { throw std::runtime_error("bad spec"); }, &message),
              FailureKind::Exception);
    EXPECT_EQ(message, "bad spec");
    EXPECT_STREQ(mvs::failure_sqlstate(FailureKind::Exception), "XX000");
}

TEST(CppFailure, AnythingElseIsAnUnknownInternalError) {
    std::string message;
    EXPECT_EQ(describe([] { throw 42; }, &message), FailureKind::Unknown);
    EXPECT_EQ(message, "unknown C++ exception");
    EXPECT_STREQ(mvs::failure_sqlstate(FailureKind::Unknown), "XX000");
}

TEST(CppFailure, LongMessagesAreCutToTheBuffer) {
    char buffer[8];
    try {
        throw std::runtime_error(std::string(100, 'x'));
    } catch (...) {
        mvs::describe_current_exception(buffer, sizeof buffer);
    }
    EXPECT_EQ(std::strlen(buffer), 7U);
}

} // namespace
