// The order in which due schedules get places: in turns between roles, oldest due first within a
// role, stable for schedules due at the same microsecond; the roles' caps.
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "core/fair_share.hpp"
#include "test_support.hpp"

namespace {

using mvs::DueCandidate;
using mvs::RolePlaces;
using mvs::UtcMicros;
using mvs_test::kSecond;
using mvs_test::utc;

DueCandidate candidate(std::int64_t id, std::uint32_t role, UtcMicros next_run) {
    DueCandidate c;
    c.id = id;
    c.role = role;
    c.next_run = next_run;
    return c;
}

std::vector<std::int64_t> ids(const std::vector<DueCandidate>& v, int n) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < n; ++i)
        out.push_back(v[i].id);
    return out;
}

const UtcMicros kT = utc(2026, 3, 1, 12);

TEST(FairShare, RolesTakeTurnsOldestDueFirstWithinARole) {
    // Role 10 has three due, the oldest first; role 20 one, due later than all of them.
    std::vector<DueCandidate> due = {candidate(1, 10, kT), candidate(2, 10, kT + 1),
                                     candidate(3, 10, kT + 2), candidate(4, 20, kT + 9)};
    const int n = mvs::fair_order(due.data(), 4, RolePlaces{}, 3, 10);
    EXPECT_EQ(n, 4);
    EXPECT_EQ(ids(due, n), (std::vector<std::int64_t>{1, 4, 2, 3}));
    EXPECT_EQ(due[0].turn, 1);
    EXPECT_EQ(due[1].turn, 1);
    EXPECT_EQ(due[2].turn, 2);
    EXPECT_EQ(due[3].turn, 3);
}

TEST(FairShare, PlacesHeldAlreadyPushARoleBack) {
    // Role 10 holds two places (pool runs, waiting runs or refresh_now() runs): its oldest due
    // schedule comes at turn 3, after role 20's two.
    const std::uint32_t roles[] = {10};
    const std::int32_t held[] = {2};
    std::vector<DueCandidate> due = {candidate(1, 10, kT - kSecond), candidate(2, 20, kT),
                                     candidate(3, 20, kT + 1)};
    const int n = mvs::fair_order(due.data(), 3, RolePlaces{roles, held, 1}, 3, 10);
    EXPECT_EQ(ids(due, n), (std::vector<std::int64_t>{2, 3, 1}));
    EXPECT_EQ(due[2].turn, 3);
    EXPECT_FALSE(due[2].over_limit);
}

TEST(FairShare, PastTheRoleCapIsMarkedAndComesLast) {
    const std::uint32_t roles[] = {10, 30};
    const std::int32_t held[] = {1, 0};
    std::vector<DueCandidate> due = {candidate(1, 10, kT), candidate(2, 10, kT + 1),
                                     candidate(3, 20, kT + 2)};
    const int n = mvs::fair_order(due.data(), 3, RolePlaces{roles, held, 2}, 1, 10);
    ASSERT_EQ(n, 3);
    EXPECT_EQ(ids(due, n), (std::vector<std::int64_t>{3, 1, 2}));
    EXPECT_FALSE(due[0].over_limit);
    EXPECT_TRUE(due[1].over_limit);
    EXPECT_TRUE(due[2].over_limit);
}

TEST(FairShare, LimitTakesTheFirstInFairOrder) {
    std::vector<DueCandidate> due;
    for (int i = 0; i < 10; ++i)
        due.push_back(candidate(100 + i, 1, kT + i));
    due.push_back(candidate(5, 2, kT + 100));
    const int n = mvs::fair_order(due.data(), static_cast<int>(due.size()), RolePlaces{}, 64, 2);
    EXPECT_EQ(n, 2);
    EXPECT_EQ(ids(due, n), (std::vector<std::int64_t>{100, 5}));
    EXPECT_EQ(mvs::fair_order(due.data(), static_cast<int>(due.size()), RolePlaces{}, 64, 0), 0);
    EXPECT_EQ(mvs::fair_order(due.data(), 0, RolePlaces{}, 64, 5), 0);
}

TEST(FairShare, ManyDueAtTheSameMicrosecondAreStableAndFair) {
    // 3 roles x 200 schedules, all due at the same microsecond, given in a shuffled order: the
    // result is the same whatever the input order, by id within a turn, roles interleaved.
    std::vector<DueCandidate> due;
    for (int role = 1; role <= 3; ++role)
        for (int k = 0; k < 200; ++k)
            due.push_back(candidate(role * 1000 + k, static_cast<std::uint32_t>(role), kT));
    std::vector<std::int64_t> first;
    std::mt19937 rng(42);
    for (int round = 0; round < 5; ++round) {
        std::shuffle(due.begin(), due.end(), rng);
        const int n = mvs::fair_order(due.data(), 600, RolePlaces{}, 1000, 600);
        ASSERT_EQ(n, 600);
        if (round == 0)
            first = ids(due, n);
        else
            EXPECT_EQ(ids(due, n), first);
    }
    for (int i = 0; i < 600; i += 3) {
        EXPECT_EQ(first[i], 1000 + i / 3);
        EXPECT_EQ(first[i + 1], 2000 + i / 3);
        EXPECT_EQ(first[i + 2], 3000 + i / 3);
    }
}

TEST(FairShare, ABusyRoleCannotHoldUpAnother) {
    // Role 1 has 1000 due, due earlier; role 2 one. With 4 places and a cap of 3 per role, role 2
    // gets one of the first two places.
    std::vector<DueCandidate> due;
    for (int k = 0; k < 1000; ++k)
        due.push_back(candidate(k + 1, 1, kT - 1000 + k));
    due.push_back(candidate(5000, 2, kT));
    const int n = mvs::fair_order(due.data(), 1001, RolePlaces{}, 3, 5);
    ASSERT_EQ(n, 5);
    EXPECT_EQ(ids(due, n), (std::vector<std::int64_t>{1, 5000, 2, 3, 4}));
    EXPECT_FALSE(due[3].over_limit);
    EXPECT_TRUE(due[4].over_limit);
}

} // namespace
