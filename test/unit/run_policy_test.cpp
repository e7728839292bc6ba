// The decision for one due schedule at an injected "now": run, skip, wait for a place or later;
// coalescing after downtime; the end by until and repeats; clock jumps.
#include <cstdint>

#include <gtest/gtest.h>

#include "core/next_run.hpp"
#include "core/run_policy.hpp"
#include "core/time_zone.hpp"
#include "test_support.hpp"

namespace {

using mvs::DueAction;
using mvs::DueDecision;
using mvs::DueFacts;
using mvs::kNever;
using mvs::UtcMicros;
using mvs_test::every;
using mvs_test::kHour;
using mvs_test::kMinute;
using mvs_test::kSecond;
using mvs_test::utc;

const mvs::FixedOffsetZone kUtc(0);

DueFacts due_at(UtcMicros next_run) {
    DueFacts f;
    f.next_run = next_run;
    f.place_free = true;
    return f;
}

TEST(RunPolicy, DueWhenNotPausedNotFinishedAndWithinTheHorizon) {
    const UtcMicros t = utc(2026, 3, 1, 12);
    EXPECT_TRUE(mvs::schedule_due(t, false, t));
    EXPECT_TRUE(mvs::schedule_due(t - 1, false, t));
    EXPECT_FALSE(mvs::schedule_due(t + 1, false, t));
    EXPECT_FALSE(mvs::schedule_due(t - kHour, true, t));    // paused
    EXPECT_FALSE(mvs::schedule_due(kNever, false, kNever)); // finished
}

TEST(RunPolicy, DueScheduleWithAFreePlaceRunsNow) {
    const UtcMicros now = utc(2026, 3, 1, 12, 0, 1);
    const DueDecision d = mvs::decide_due(due_at(utc(2026, 3, 1, 12)), now);
    EXPECT_EQ(d.action, DueAction::Run);
    EXPECT_EQ(d.at, now); // late: starts now, not at its due time
    EXPECT_FALSE(d.too_late);
}

TEST(RunPolicy, RunHandedOverEarlyStartsAtItsDueTime) {
    const UtcMicros due = utc(2026, 3, 1, 12);
    const DueDecision d = mvs::decide_due(due_at(due), due - 50000);
    EXPECT_EQ(d.action, DueAction::Run);
    EXPECT_EQ(d.at, due);
}

TEST(RunPolicy, NoPlaceFreeWaitsWithoutMovingOn) {
    DueFacts f = due_at(utc(2026, 3, 1, 12));
    f.place_free = false;
    EXPECT_EQ(mvs::decide_due(f, utc(2026, 3, 1, 12, 5)).action, DueAction::NeedsPlace);
}

TEST(RunPolicy, BusyScheduleIsSkippedWhenDueAndLeftAloneBefore) {
    DueFacts f = due_at(utc(2026, 3, 1, 12));
    f.busy = true;
    f.place_free = false; // a skip needs no place
    EXPECT_EQ(mvs::decide_due(f, utc(2026, 3, 1, 12)).action, DueAction::Skip);
    EXPECT_EQ(mvs::decide_due(f, utc(2026, 3, 1, 11, 59, 59)).action, DueAction::Later);
}

TEST(RunPolicy, StartAfterUntilIsSkippedAndFinishes) {
    DueFacts f = due_at(utc(2026, 3, 1, 12));
    f.has_until = true;
    f.until = utc(2026, 3, 1, 12, 0, 30);
    f.place_free = false;
    const DueDecision on_time = mvs::decide_due(f, utc(2026, 3, 1, 12, 0, 30));
    EXPECT_EQ(on_time.action, DueAction::NeedsPlace); // at == until still runs
    const DueDecision d = mvs::decide_due(f, utc(2026, 3, 1, 12, 0, 31));
    EXPECT_EQ(d.action, DueAction::Skip);
    EXPECT_TRUE(d.too_late);
    const mvs::DueOutcome out = mvs::settle_due(f, d, every(0, 0, kMinute), f.next_run, kUtc);
    EXPECT_EQ(out.next_run, kNever);
    EXPECT_EQ(out.skipped, 1);
}

TEST(RunPolicy, DowntimeIsCoalescedIntoOneRunCountingTheSkippedDueTimes) {
    // Every minute from 12:00; down from 12:00 to 15:30:10.
    const UtcMicros anchor = utc(2026, 3, 1, 12);
    const DueFacts f = due_at(anchor);
    const UtcMicros now = utc(2026, 3, 1, 15, 30, 10);
    const DueDecision d = mvs::decide_due(f, now);
    ASSERT_EQ(d.action, DueAction::Run);
    const mvs::DueOutcome out = mvs::settle_due(f, d, every(0, 0, kMinute), anchor, kUtc);
    EXPECT_EQ(out.next_run, utc(2026, 3, 1, 15, 31)); // back on the grid, in the future
    EXPECT_EQ(out.skipped, 3 * 60 + 30);              // 12:01 .. 15:30
}

TEST(RunPolicy, SkipCountsItsOwnDueTimeAndTheMissedOnes) {
    const UtcMicros anchor = utc(2026, 3, 1, 12);
    DueFacts f = due_at(anchor);
    f.busy = true;
    const DueDecision d = mvs::decide_due(f, anchor + 2 * kMinute + kSecond);
    ASSERT_EQ(d.action, DueAction::Skip);
    const mvs::DueOutcome out = mvs::settle_due(f, d, every(0, 0, kMinute), anchor, kUtc);
    EXPECT_EQ(out.next_run, anchor + 3 * kMinute);
    EXPECT_EQ(out.skipped, 3); // 12:00 itself, 12:01, 12:02
}

TEST(RunPolicy, CoalescedCountStopsAtTheCap) {
    const UtcMicros anchor = utc(2000, 1, 1);
    const DueFacts f = due_at(anchor);
    const UtcMicros now = utc(2026, 1, 1); // a second grid: ~8e8 due times missed
    const DueDecision d = mvs::decide_due(f, now);
    const mvs::DueOutcome out = mvs::settle_due(f, d, every(0, 0, kSecond), anchor, kUtc);
    EXPECT_EQ(out.skipped, mvs::kMaxCounted);
    EXPECT_EQ(out.next_run, now + kSecond);
}

TEST(RunPolicy, RepeatsFinishWithTheLastRun) {
    DueFacts f = due_at(utc(2026, 3, 1, 12));
    f.has_repeats = true;
    f.repeats = 3;
    f.runs_total = 1;
    const UtcMicros later = utc(2026, 3, 1, 13);
    EXPECT_EQ(mvs::next_run_after(f, true, later), later); // the 2nd of 3
    f.runs_total = 2;
    EXPECT_EQ(mvs::next_run_after(f, true, later), kNever); // the 3rd: finished
    EXPECT_EQ(mvs::next_run_after(f, false, later), later); // a skip is no run
}

TEST(RunPolicy, RepeatsWithAHandWrittenHugeRunCountFinishes) {
    DueFacts f = due_at(utc(2026, 3, 1, 12));
    f.has_repeats = true;
    f.repeats = 5;
    f.runs_total = INT64_MAX; // runs_total + 1 would overflow
    EXPECT_EQ(mvs::next_run_after(f, true, utc(2026, 3, 1, 13)), kNever);
    f.repeats = 0;
    f.runs_total = INT64_MIN;
    EXPECT_EQ(mvs::next_run_after(f, true, utc(2026, 3, 1, 13)), utc(2026, 3, 1, 13));
}

TEST(RunPolicy, UntilEndsTheScheduleWhenTheNextDueTimeIsLater) {
    DueFacts f = due_at(utc(2026, 3, 1, 12));
    f.has_until = true;
    f.until = utc(2026, 3, 1, 13);
    EXPECT_EQ(mvs::next_run_after(f, true, utc(2026, 3, 1, 13)), utc(2026, 3, 1, 13));
    EXPECT_EQ(mvs::next_run_after(f, true, utc(2026, 3, 1, 13) + 1), kNever);
    EXPECT_EQ(mvs::next_run_after(f, true, kNever), kNever);
}

TEST(RunPolicy, ClockBehindTheDueTimeRunsAtTheDueTime) {
    // now earlier than the due time (the clock went back after the run was planned): the run is
    // handed over for its due time, and the schedule moves on from that due time.
    const UtcMicros anchor = utc(2026, 3, 1, 12);
    const DueFacts f = due_at(anchor + kHour);
    const DueDecision d = mvs::decide_due(f, anchor); // an hour early
    EXPECT_EQ(d.action, DueAction::Run);
    EXPECT_EQ(d.at, anchor + kHour);
    const mvs::DueOutcome out = mvs::settle_due(f, d, every(0, 0, kHour), anchor, kUtc);
    EXPECT_EQ(out.next_run, anchor + 2 * kHour);
    EXPECT_EQ(out.skipped, 0);
}

TEST(RunPolicy, ClockFarAheadCoalescesToTheEndOfTime) {
    const UtcMicros anchor = utc(2026, 3, 1, 12);
    const DueFacts f = due_at(anchor);
    const UtcMicros now = mvs::kEndOfTime - kSecond; // 9999-12-31 23:59:59
    const DueDecision d = mvs::decide_due(f, now);
    ASSERT_EQ(d.action, DueAction::Run);
    const mvs::DueOutcome out = mvs::settle_due(f, d, every(0, 0, kHour), anchor, kUtc);
    EXPECT_EQ(out.next_run, kNever); // no due time before the end of time: finished
    EXPECT_EQ(out.skipped, mvs::kMaxCounted);
    const DueDecision beyond = mvs::decide_due(f, INT64_MAX - 1);
    EXPECT_EQ(mvs::settle_due(f, beyond, every(0, 0, kHour), anchor, kUtc).next_run, kNever);
}

TEST(RunPolicy, DecisionsAreTheSameForTheSameInput) {
    DueFacts f = due_at(utc(2026, 3, 1, 12));
    f.has_until = true;
    f.until = utc(2026, 3, 2);
    const UtcMicros now = utc(2026, 3, 1, 12, 0, 0, 7);
    const DueDecision a = mvs::decide_due(f, now);
    const DueDecision b = mvs::decide_due(f, now);
    EXPECT_EQ(a.action, b.action);
    EXPECT_EQ(a.at, b.at);
    EXPECT_EQ(a.too_late, b.too_late);
}

TEST(RunPolicy, OnChangeWithNothingChangedWaitsAtItsNextRun) {
    const UtcMicros now = utc(2025, 6, 1, 12, 0, 0, 0);
    DueFacts f = due_at(now - kHour); // waiting for a change for an hour
    EXPECT_EQ(mvs::settle_waiting_for_change(f, now).next_run, now - kHour);
    EXPECT_EQ(mvs::settle_waiting_for_change(f, now).skipped, 0);
    f.has_until = true;
    f.until = now + kMinute;
    EXPECT_EQ(mvs::settle_waiting_for_change(f, now).next_run, now - kHour);
    f.until = now - kSecond; // past its until: finished
    EXPECT_EQ(mvs::settle_waiting_for_change(f, now).next_run, kNever);
}

} // namespace
