// How long the scheduler sleeps after a pass, on an injected clock.
#include <climits>
#include <cstdint>

#include <gtest/gtest.h>

#include "core/next_wake.hpp"
#include "test_support.hpp"

namespace {

using mvs::PassResult;
using mvs::UtcMicros;
using mvs_test::kSecond;
using mvs_test::utc;

const UtcMicros kNow = utc(2026, 3, 1, 12);

TEST(NextWake, MillisRoundUpAndSaturate) {
    EXPECT_EQ(mvs::millis_until(kNow, kNow), 0);
    EXPECT_EQ(mvs::millis_until(kNow, kNow - 1), 0);
    EXPECT_EQ(mvs::millis_until(kNow, kNow + 1), 1);
    EXPECT_EQ(mvs::millis_until(kNow, kNow + 1000), 1);
    EXPECT_EQ(mvs::millis_until(kNow, kNow + 1001), 2);
    EXPECT_EQ(mvs::millis_until(INT64_MIN, INT64_MAX), INT32_MAX);
    EXPECT_EQ(mvs::millis_until(kNow, kNow + 100LL * 24 * 3600 * kSecond), INT32_MAX);
}

TEST(NextWake, LeadSaturates) {
    EXPECT_EQ(mvs::minus_lead(INT64_MIN + 1), INT64_MIN);
    EXPECT_EQ(mvs::minus_lead(INT64_MIN + 1, mvs::kWarmLeadMicros), INT64_MIN);
    EXPECT_EQ(mvs::plus_horizon(INT64_MAX - 1), INT64_MAX);
    EXPECT_EQ(mvs::minus_lead(kNow), kNow - mvs::kColdLeadMicros);
    EXPECT_EQ(mvs::minus_lead(kNow, mvs::kWarmLeadMicros), kNow - 25 * 1000);
    EXPECT_EQ(mvs::plus_horizon(kNow), kNow + 150 * 1000);
}

PassResult pass_with_earliest(UtcMicros earliest, bool warm = false) {
    PassResult p;
    p.now = kNow;
    p.has_earliest = true;
    p.earliest = earliest;
    p.warm = warm;
    return p;
}

TEST(NextWake, SleepsUntilTheLeadBeforeTheEarliestDueTime) {
    // A worker process must be started: 50 ms ahead. Workers are up: 25 ms.
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow + 10 * kSecond)), 9950);
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow + 10 * kSecond, true)), 9975);
}

TEST(NextWake, TheLeadsLeaveRoomForAWorkerAndForSeveralRunsAPass) {
    // A cold lead covers starting a process (about 20 ms) with room to spare; the warm lead
    // covers the worker's catalog work and the query warm-up (5 ms).
    EXPECT_GE(mvs::kColdLeadMicros, 40 * 1000);
    EXPECT_GE(mvs::kWarmLeadMicros, 20 * 1000);
    EXPECT_LT(mvs::kWarmLeadMicros, mvs::kColdLeadMicros);
    EXPECT_LT(mvs::kColdLeadMicros, mvs::kHorizonMicros);
    EXPECT_EQ(mvs::kWarmWindowMicros, mvs::kColdLeadMicros - mvs::kWarmLeadMicros);
}

TEST(NextWake, DueTimesCloseTogetherShareAPass) {
    // A pass took everything due within the horizon; the next due time lies just beyond it.
    const UtcMicros next = kNow + mvs::kHorizonMicros + 1000;
    // Workers are up: the next pass is 126 ms away and hands it over 25 ms ahead, with every run
    // due in the 150 ms after it.
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(next, true)), 126);
    // A process to start: 101 ms away, 50 ms ahead.
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(next)), 101);
    // The next due time 60 ms away (a row that was locked): its hand-over is 10 ms away, but the
    // scheduler waits for kMinPassGapMs, and then hands it over still 35 ms ahead.
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow + 60 * 1000)), mvs::kMinPassGapMs);
    EXPECT_EQ(mvs::kMinPassGapMs, 25);
    // Further away than the gap: on time, as before.
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow + 90 * 1000)), 40);
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow + 90 * 1000, true)), 65);
}

TEST(NextWake, ARunWithoutAPlaceWaitsForOneOnlyOnceItsHandOverHasCome) {
    EXPECT_TRUE(mvs::needs_place_now(kNow - kSecond, kNow));
    EXPECT_TRUE(mvs::needs_place_now(kNow + mvs::kColdLeadMicros, kNow));
    EXPECT_FALSE(mvs::needs_place_now(kNow + mvs::kColdLeadMicros + 1, kNow));
    EXPECT_FALSE(mvs::needs_place_now(kNow + mvs::kHorizonMicros, kNow));
    // Due times written as -infinity or infinity, a clock at the end of the range: no overflow.
    EXPECT_TRUE(mvs::needs_place_now(INT64_MIN, kNow));
    EXPECT_FALSE(mvs::needs_place_now(INT64_MAX, kNow));
    EXPECT_TRUE(mvs::needs_place_now(INT64_MAX, INT64_MAX - 1));
    EXPECT_TRUE(mvs::needs_place_now(kNow, INT64_MAX));
}

TEST(NextWake, ARunNotYetWaitingIsStillHandedOverWithTheWarmLead) {
    // A pass left a run without a place, due anywhere beyond the cold lead within the horizon:
    // the scheduler wakes for it (warm or cold, at least kMinPassGapMs later) no later than the
    // warm lead before it (to the millisecond).
    for (UtcMicros due = kNow + mvs::kColdLeadMicros + 1; due <= kNow + mvs::kHorizonMicros;
         due += 997) {
        ASSERT_FALSE(mvs::needs_place_now(due, kNow));
        for (bool warm : {false, true}) {
            const std::int64_t ms = mvs::wake_after_pass(pass_with_earliest(due, warm));
            EXPECT_GE(ms, mvs::kMinPassGapMs);
            // (A sleep is rounded up to the next millisecond.)
            EXPECT_LT(kNow + ms * 1000, due - mvs::kWarmLeadMicros + 1000) << (due - kNow) << warm;
        }
    }
}

TEST(NextWake, RunsLeftForLaterDoNotMakeTheBatchFull) {
    EXPECT_TRUE(mvs::pass_batch_full(true, false, false, 0));
    EXPECT_FALSE(mvs::pass_batch_full(false, false, false, 5));
    // A run left for its own hand-over: the scheduler sleeps until then instead of going round
    // at once (again and again, until the run is due within the cold lead).
    EXPECT_FALSE(mvs::pass_batch_full(true, true, false, 5));
    // Change-aware schedules beyond the batch: at once only after progress.
    EXPECT_TRUE(mvs::pass_batch_full(false, false, true, 1));
    EXPECT_TRUE(mvs::pass_batch_full(true, true, true, 1));
    EXPECT_FALSE(mvs::pass_batch_full(false, true, true, 0));
}

TEST(NextWake, APassThatWaitsOrGoesRoundAtOnceNeedsNoEarliestDueTime) {
    PassResult p;
    p.now = kNow;
    EXPECT_TRUE(mvs::wake_needs_earliest(p));
    int skipped = 0;
    for (int bits = 0; bits < 16; ++bits) {
        PassResult q;
        q.now = kNow;
        q.batch_full = (bits & 1) != 0;
        q.waiting_for_place = (bits & 2) != 0;
        q.held_for_sources = (bits & 4) != 0 ? 2 : 0;
        q.progress = (bits & 8) != 0 ? 3 : 0;
        q.has_upcoming = true;
        q.upcoming = kNow + 2 * kSecond;
        if (mvs::wake_needs_earliest(q))
            continue;
        ++skipped;
        // Not read: the same sleep whatever the earliest due time is, or whether there is one.
        const std::int64_t without = mvs::wake_after_pass(q);
        for (UtcMicros earliest : {kNow - kSecond, kNow + 30 * 1000, kNow + 3600 * kSecond}) {
            for (bool warm : {false, true}) {
                PassResult with = q;
                with.has_earliest = true;
                with.earliest = earliest;
                with.warm = warm;
                EXPECT_EQ(mvs::wake_after_pass(with), without) << bits;
            }
        }
    }
    // Held without progress (4 of the 16), waiting for places (6 more), a full batch (3 more).
    EXPECT_EQ(skipped, 4 + 6 + 3);
}

TEST(NextWake, WarmOnlyWhenAWorkerIsUpForEachRunDueFirst) {
    EXPECT_FALSE(mvs::warm_hand_over(0, 1)); // a process must start
    EXPECT_FALSE(mvs::warm_hand_over(0, 0));
    EXPECT_FALSE(mvs::warm_hand_over(-2, 0)); // this pass's runs hold more than are free
    EXPECT_TRUE(mvs::warm_hand_over(1, 1));
    EXPECT_TRUE(mvs::warm_hand_over(3, 2));
    EXPECT_FALSE(mvs::warm_hand_over(2, 3)); // the third due first would start a process
}

TEST(NextWake, NothingScheduledSleepsUntilWoken) {
    PassResult p;
    p.now = kNow;
    EXPECT_EQ(mvs::wake_after_pass(p), -1);
}

TEST(NextWake, FullBatchGoesRoundAtOnce) {
    PassResult p = pass_with_earliest(kNow + kSecond * 3600);
    p.batch_full = true;
    EXPECT_EQ(mvs::wake_after_pass(p), 0);
}

TEST(NextWake, WaitingForAPlaceWakesForTheNextNotYetDue) {
    PassResult p = pass_with_earliest(kNow - kSecond);
    p.batch_full = true; // waiting wins over a full batch: a freed place sets the latch
    p.waiting_for_place = true;
    EXPECT_EQ(mvs::wake_after_pass(p), -1);
    p.has_upcoming = true;
    p.upcoming = kNow + 2 * kSecond;
    EXPECT_EQ(mvs::wake_after_pass(p), 1950);
    p.upcoming = kNow + 10000; // within the lead: at once
    EXPECT_EQ(mvs::wake_after_pass(p), 0);
}

TEST(NextWake, APassForPlacesWhenOneIsFreeOrNoRunIsQueued) {
    EXPECT_TRUE(mvs::place_pass_due(1, 0, 8));  // a place is free
    EXPECT_FALSE(mvs::place_pass_due(0, 3, 8)); // 5 of 8 workers have a run queued
    EXPECT_FALSE(mvs::place_pass_due(0, 7, 8)); // one has
    EXPECT_TRUE(mvs::place_pass_due(0, 8, 8));  // nothing queued: every freed worker, as before
    EXPECT_TRUE(mvs::place_pass_due(0, 0, 0));  // no worker busy
    EXPECT_TRUE(mvs::place_pass_due(0, 1, 1));
    EXPECT_FALSE(mvs::place_pass_due(0, 0, 1));
}

TEST(NextWake, FinishedRunsWakeTheSchedulerOnlyWhenAPassWouldBeDue) {
    using mvs::FinishWake;
    EXPECT_EQ(mvs::finish_wake(true, false), FinishWake::kEach);
    EXPECT_EQ(mvs::finish_wake(true, true), FinishWake::kEach);
    EXPECT_EQ(mvs::finish_wake(false, true), FinishWake::kPlaceOrQueue);
    EXPECT_EQ(mvs::finish_wake(false, false), FinishWake::kNone);
    for (bool free : {false, true}) {
        for (bool left : {false, true}) {
            EXPECT_TRUE(mvs::finish_wakes(FinishWake::kEach, free, left));
            EXPECT_FALSE(mvs::finish_wakes(FinishWake::kNone, free, left));
        }
    }
    // Waiting for places: the worker went on to its queued run, and others still have theirs.
    EXPECT_FALSE(mvs::finish_wakes(FinishWake::kPlaceOrQueue, false, true));
    // A place is free, or the last queued run was taken: a pass is due (place_pass_due).
    EXPECT_TRUE(mvs::finish_wakes(FinishWake::kPlaceOrQueue, true, true));
    EXPECT_TRUE(mvs::finish_wakes(FinishWake::kPlaceOrQueue, false, false));
    EXPECT_TRUE(mvs::place_pass_due(0, 8, 8));
}

TEST(NextWake, RunsHeldForSourcesNeverSpin) {
    // Held runs stay due (earliest in the past) and may fill the batch: no pass at once.
    PassResult p = pass_with_earliest(kNow - kSecond);
    p.batch_full = true;
    p.held_for_sources = 3;
    EXPECT_EQ(mvs::wake_after_pass(p), mvs::kLookAgainMs);
    p.waiting_for_place = true;
    EXPECT_EQ(mvs::wake_after_pass(p), mvs::kLookAgainMs);
    p.has_upcoming = true;
    p.upcoming = kNow + 300 * 1000;
    EXPECT_EQ(mvs::wake_after_pass(p), 250);
    p.upcoming = kNow + 10 * kSecond; // later than a second: still a second
    EXPECT_EQ(mvs::wake_after_pass(p), mvs::kLookAgainMs);
    // A pass that started or moved something goes round again, as without held runs.
    p.progress = 1;
    p.waiting_for_place = false;
    EXPECT_EQ(mvs::wake_after_pass(p), 0);
}

TEST(NextWake, DueWithProgressGoesRoundAtOnce) {
    PassResult p = pass_with_earliest(kNow + 10000);
    p.progress = 1;
    EXPECT_EQ(mvs::wake_after_pass(p), 0);
}

TEST(NextWake, DueWithoutProgressLooksAgainAtTheDueTimeOrAfterASecond) {
    // Within the lead, but its row was locked: wake at the due time itself, at least 1 ms.
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow + 10000)), 10);
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow + 1)), 1);
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow)), mvs::kLookAgainMs);
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(kNow - 3600 * kSecond)), mvs::kLookAgainMs);
}

TEST(NextWake, ClockJumps) {
    // A due time written as -infinity, or a clock far ahead of every due time: no overflow.
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(INT64_MIN)), mvs::kLookAgainMs);
    PassResult far = pass_with_earliest(kNow);
    far.now = INT64_MAX;
    EXPECT_EQ(mvs::wake_after_pass(far), mvs::kLookAgainMs);
    // The clock went back an hour: the sleep grows accordingly, capped at INT32_MAX ms.
    PassResult back = pass_with_earliest(kNow);
    back.now = kNow - 3600 * kSecond;
    EXPECT_EQ(mvs::wake_after_pass(back), 3600 * 1000 - 50);
    EXPECT_EQ(mvs::wake_after_pass(pass_with_earliest(INT64_MAX)), INT32_MAX);
}

TEST(NextWake, WaitingRunsLookAgainEverySecond) {
    EXPECT_EQ(mvs::wake_with_waiting_runs(-1, 1), mvs::kLookAgainMs);
    EXPECT_EQ(mvs::wake_with_waiting_runs(5000, 1), mvs::kLookAgainMs);
    EXPECT_EQ(mvs::wake_with_waiting_runs(200, 1), 200);
    EXPECT_EQ(mvs::wake_with_waiting_runs(-1, 0), -1);
    EXPECT_EQ(mvs::wake_with_waiting_runs(5000, 0), 5000);
}

TEST(NextWake, FreedWorkerAloneNeedsNoPass) {
    // The latch was set while 800 ms of a 1 s sleep are left: a worker or place became free.
    mvs::Wakeup freed;
    freed.sleep_left_ms = 800;
    EXPECT_FALSE(mvs::pass_needed(freed));
    // Sleeping until woken, nothing else happened: still no pass.
    freed.sleep_left_ms = -1;
    EXPECT_FALSE(mvs::pass_needed(freed));
}

TEST(NextWake, EveryOtherCauseNeedsAPass) {
    mvs::Wakeup over;
    over.sleep_left_ms = 0; // the planned wake-up, or a pass that asked to go round at once
    EXPECT_TRUE(mvs::pass_needed(over));
    for (int cause = 0; cause < 5; ++cause) {
        mvs::Wakeup w;
        w.sleep_left_ms = -1;
        w.catalog_changed = cause == 0; // a schedule changed, or a worker planned a retry
        w.config_reloaded = cause == 1; // e.g. matview_scheduler.enabled turned on
        w.workers_stopped = cause == 2; // its run must be marked interrupted
        w.runs_waiting = cause == 3;    // the freed worker or place is theirs
        w.watched_writes = cause == 4;  // what an 'on change' view reads was written
        EXPECT_TRUE(mvs::pass_needed(w)) << "cause " << cause;
    }
}

TEST(NextWake, SleepLeftOnAMonotonicClock) {
    EXPECT_EQ(mvs::sleep_left(1000, 200), 800);
    EXPECT_EQ(mvs::sleep_left(1000, 1000), 0);
    EXPECT_EQ(mvs::sleep_left(1000, 5000), 0);
    EXPECT_EQ(mvs::sleep_left(0, 0), 0);
    EXPECT_EQ(mvs::sleep_left(-1, 5000), -1); // until woken has no end
    EXPECT_EQ(mvs::sleep_left(1000, -7), 1000);
    EXPECT_EQ(mvs::sleep_left(INT32_MAX, 1), INT32_MAX - 1);
}

TEST(NextWake, WatchedWritesAreLookedAtOncePerSecondAtMost) {
    EXPECT_FALSE(mvs::watch_pass_due(false, -1)); // nothing new
    EXPECT_FALSE(mvs::watch_pass_due(false, 5000));
    EXPECT_TRUE(mvs::watch_pass_due(true, -1)); // the first ever
    EXPECT_FALSE(mvs::watch_pass_due(true, 0));
    EXPECT_FALSE(mvs::watch_pass_due(true, mvs::kWatchPassMs - 1));
    EXPECT_TRUE(mvs::watch_pass_due(true, mvs::kWatchPassMs));
    EXPECT_TRUE(mvs::watch_pass_due(true, INT64_MAX));
}

TEST(NextWake, UnseenWatchedWritesShortenTheSleep) {
    // Nothing unseen: the sleep is unchanged, also "until woken".
    EXPECT_EQ(mvs::sleep_for_watch(-1, false, 10), -1);
    EXPECT_EQ(mvs::sleep_for_watch(5000, false, 10), 5000);
    // Unseen, a pass 300 ms ago: 700 ms more, or less if the sleep was shorter.
    EXPECT_EQ(mvs::sleep_for_watch(-1, true, 300), mvs::kWatchPassMs - 300);
    EXPECT_EQ(mvs::sleep_for_watch(5000, true, 300), mvs::kWatchPassMs - 300);
    EXPECT_EQ(mvs::sleep_for_watch(200, true, 300), 200);
    // Unseen and the rate allows it: at once.
    EXPECT_EQ(mvs::sleep_for_watch(-1, true, -1), 0);
    EXPECT_EQ(mvs::sleep_for_watch(5000, true, mvs::kWatchPassMs), 0);
}

} // namespace
