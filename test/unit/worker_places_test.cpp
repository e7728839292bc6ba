// max_workers and max_workers_per_role: the places the pool and refresh_now() share.
#include <climits>

#include <gtest/gtest.h>

#include "core/worker_places.hpp"

namespace {

TEST(WorkerPlaces, DatabaseLimitIsMaxWorkersWithinTheCapacity) {
    EXPECT_EQ(mvs::database_place_limit(4, 64), 4);
    EXPECT_EQ(mvs::database_place_limit(100, 64), 64);
    EXPECT_EQ(mvs::database_place_limit(-1, 64), 0);
}

TEST(WorkerPlaces, RoleLimitDefaultsToAllButOne) {
    EXPECT_EQ(mvs::role_place_limit(4, -1), 3);
    EXPECT_EQ(mvs::role_place_limit(1, -1), 1); // at least one
    EXPECT_EQ(mvs::role_place_limit(4, 2), 2);
    EXPECT_EQ(mvs::role_place_limit(4, 10), 4); // never more than the database's
    EXPECT_EQ(mvs::role_place_limit(4, 0), 1);
    EXPECT_EQ(mvs::role_place_limit(0, INT_MIN), 1);
    EXPECT_EQ(mvs::role_place_limit(INT_MAX, INT_MAX), INT_MAX);
}

TEST(WorkerPlaces, PoolLeavesRefreshNowItsPlaces) {
    // 4 places: 1 pool run under way, 2 refresh_now() runs: one more for the pool.
    EXPECT_EQ(mvs::pool_places_granted(4, 1, 2, 3), 1);
    EXPECT_EQ(mvs::pool_places_granted(4, 0, 0, 4), 4);
    EXPECT_EQ(mvs::pool_places_granted(4, 0, 0, 2), 2); // no more than wanted
    EXPECT_EQ(mvs::pool_places_granted(4, 3, 3, 4), 0); // over-full: none, never negative
    EXPECT_EQ(mvs::pool_places_granted(INT_MAX, INT_MIN, INT_MIN, INT_MAX), INT_MAX);
}

TEST(WorkerPlaces, RefreshNowStartsWhenAPlaceIsFreeAndItsRoleIsUnderItsLimit) {
    EXPECT_TRUE(mvs::manual_may_start(false, 2, 1, 0, 4, 3));
    EXPECT_FALSE(mvs::manual_may_start(false, 3, 1, 0, 4, 3)); // all 4 taken
    EXPECT_FALSE(mvs::manual_may_start(false, 0, 0, 3, 4, 3)); // its role holds 3
    EXPECT_TRUE(mvs::manual_may_start(true, 4, 4, 9, 4, 3));   // running already
}

TEST(WorkerPlaces, BudgetHandsOutFreePlacesOnlyToRolesUnderTheirCap) {
    mvs::PlaceBudget budget{2};
    EXPECT_FALSE(budget.available(true));
    EXPECT_TRUE(budget.available(false));
    budget.take();
    budget.take();
    EXPECT_FALSE(budget.available(false));
    budget.take(); // never below zero
    EXPECT_EQ(budget.free, 0);
}

TEST(WorkerPlaces, FetchLimitIsOneMoreThanThePoolCanUse) {
    EXPECT_EQ(mvs::due_fetch_limit(3, 1), 5);
    EXPECT_EQ(mvs::due_fetch_limit(0, 0), 1);
    EXPECT_EQ(mvs::due_fetch_limit(INT_MAX, INT_MAX), INT_MAX);
}

TEST(WorkerPlaces, FetchLimitKeepsBusyPlacesOnlyForDueSchedulesUnderWay) {
    // Every place busy with other schedules, 4 of queue room: 8 + 1 + 4 fetched, of which 8 could
    // only wait for a place; 4 queued and 1 to see that more wait.
    EXPECT_EQ(mvs::trim_fetch_limit(13, 8, 0), 5);
    // Two of the first due schedules have their run under way: they are skipped, not placed.
    EXPECT_EQ(mvs::trim_fetch_limit(13, 8, 2), 7);
    EXPECT_EQ(mvs::trim_fetch_limit(13, 8, 8), 13);
    // Nothing busy: unchanged.
    EXPECT_EQ(mvs::trim_fetch_limit(4, 0, 0), 4);
    // Never below one (a full batch must still show that more wait), never above the limit.
    EXPECT_EQ(mvs::trim_fetch_limit(9, 8, 0), 1);
    EXPECT_EQ(mvs::trim_fetch_limit(1, 8, 0), 1);
    EXPECT_EQ(mvs::trim_fetch_limit(0, 0, 0), 1);
    EXPECT_EQ(mvs::trim_fetch_limit(5, 2, 9), 5);
    EXPECT_EQ(mvs::trim_fetch_limit(5, 2, -3), 3);
    EXPECT_EQ(mvs::trim_fetch_limit(INT_MAX, INT_MAX, 0), 1);
    EXPECT_EQ(mvs::trim_fetch_limit(INT_MAX, 0, 0), INT_MAX);
}

} // namespace
