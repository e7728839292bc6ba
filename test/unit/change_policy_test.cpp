// only_if_changed: when a due view counts as unchanged, and which writes a transaction publishes.
#include <cstdint>

#include <gtest/gtest.h>

#include "core/change_policy.hpp"
#include "core/run_policy.hpp"

namespace {

using mvs::ChangeFacts;
using mvs::ChangeReading;
using mvs::ChangeVerdict;
using mvs::PendingWrites;
using mvs::SourceCounter;

SourceCounter counter(std::uint32_t relid, std::uint64_t value, bool present = true) {
    SourceCounter c;
    c.relid = relid;
    c.counter = value;
    c.present = present;
    return c;
}

// A tracked, change-aware schedule whose baseline is `baseline` and whose sources now read `now`.
ChangeFacts facts(const ChangeReading& baseline, const ChangeReading& now) {
    ChangeFacts f;
    f.only_if_changed = true;
    f.tracked = true;
    f.has_baseline = true;
    f.baseline = baseline.mark;
    f.reading = now;
    return f;
}

TEST(ChangePolicy, UnchangedOnlyWhenEverythingMatches) {
    const SourceCounter before[] = {counter(0, 5), counter(16384, 7), counter(16390, 0)};
    const ChangeReading base = mvs::combine_counters(42, before, 3);
    ASSERT_TRUE(base.complete);
    EXPECT_EQ(mvs::decide_change(facts(base, base)), ChangeVerdict::Unchanged);

    // Any one counter moved.
    for (int i = 0; i < 3; ++i) {
        SourceCounter after[] = {before[0], before[1], before[2]};
        after[i].counter += 1;
        EXPECT_EQ(mvs::decide_change(facts(base, mvs::combine_counters(42, after, 3))),
                  ChangeVerdict::Refresh)
            << i;
    }
    // Another server life: the counters started again, whatever their values.
    EXPECT_EQ(mvs::decide_change(facts(base, mvs::combine_counters(43, before, 3))),
              ChangeVerdict::Refresh);
    // Another set of sources with the same sum (a plain view now reads another table).
    const SourceCounter other[] = {counter(0, 5), counter(16384, 7), counter(16391, 0)};
    EXPECT_EQ(mvs::decide_change(facts(base, mvs::combine_counters(42, other, 3))),
              ChangeVerdict::Refresh);
    // One source fewer, one with a zero counter gone.
    EXPECT_EQ(mvs::decide_change(facts(base, mvs::combine_counters(42, before, 2))),
              ChangeVerdict::Refresh);
    // The same sources in another order.
    const SourceCounter shuffled[] = {before[2], before[0], before[1]};
    EXPECT_EQ(mvs::decide_change(facts(base, mvs::combine_counters(42, shuffled, 3))),
              ChangeVerdict::Unchanged);
}

TEST(ChangePolicy, WrappingSumsStillChange) {
    const std::uint64_t top = UINT64_MAX;
    const SourceCounter before[] = {counter(1, top), counter(2, top - 1)};
    const ChangeReading base = mvs::combine_counters(9, before, 2);
    const SourceCounter after[] = {counter(1, top), counter(2, top)};
    EXPECT_EQ(mvs::decide_change(facts(base, mvs::combine_counters(9, after, 2))),
              ChangeVerdict::Refresh);
    const SourceCounter wrapped[] = {counter(1, 0), counter(2, top - 1)}; // 1 grew by one, wrapped
    EXPECT_EQ(mvs::decide_change(facts(base, mvs::combine_counters(9, wrapped, 2))),
              ChangeVerdict::Refresh);
}

TEST(ChangePolicy, NeverUnchangedWithoutAnExactReading) {
    const SourceCounter ok[] = {counter(0, 1), counter(5, 1)};
    const ChangeReading base = mvs::combine_counters(7, ok, 2);
    // A source found no room in the shared table: its writes are not counted.
    const SourceCounter missing[] = {counter(0, 1), counter(5, 0, false)};
    const ChangeReading partial = mvs::combine_counters(7, missing, 2);
    EXPECT_FALSE(partial.complete);
    ChangeFacts f = facts(base, partial);
    EXPECT_EQ(mvs::decide_change(f), ChangeVerdict::Refresh);
    EXPECT_FALSE(mvs::keeps_baseline(f));
    // Without shared memory (epoch 0) nothing is known.
    EXPECT_FALSE(mvs::combine_counters(0, ok, 2).complete);

    f = facts(base, base);
    f.has_baseline = false; // never refreshed since the schedule was made
    EXPECT_EQ(mvs::decide_change(f), ChangeVerdict::Refresh);
    EXPECT_TRUE(mvs::keeps_baseline(f));
    f = facts(base, base);
    f.tracked = false; // dependencies.tracked = false: always refreshed
    EXPECT_EQ(mvs::decide_change(f), ChangeVerdict::Refresh);
    EXPECT_FALSE(mvs::keeps_baseline(f));
    f = facts(base, base);
    f.populated = false; // emptied by REFRESH ... WITH NO DATA since
    EXPECT_EQ(mvs::decide_change(f), ChangeVerdict::Refresh);
    EXPECT_TRUE(mvs::keeps_baseline(f));
    f = facts(base, base);
    f.only_if_changed = false;
    EXPECT_EQ(mvs::decide_change(f), ChangeVerdict::Refresh);
    EXPECT_FALSE(mvs::keeps_baseline(f));
}

TEST(ChangePolicy, UnchangedDueTimeCountsNoRun) {
    mvs::DueFacts due;
    due.next_run = 1000;
    due.has_repeats = true;
    due.repeats = 1;
    due.runs_total = 0;
    // A run now would be the last; an unchanged due time is not a run, so the schedule goes on.
    const mvs::DueOutcome out = mvs::settle_unchanged(due, mvs::Advance{2000, 3});
    EXPECT_EQ(out.next_run, 2000);
    EXPECT_EQ(out.skipped, 3);
    due.has_until = true;
    due.until = 1500;
    EXPECT_EQ(mvs::settle_unchanged(due, mvs::Advance{2000, 0}).next_run, mvs::kNever);
}

PendingWrites empty_pending() {
    PendingWrites p;
    mvs::pending_clear(p);
    return p;
}

bool has(const PendingWrites& p, std::uint32_t relid, int level) {
    for (int i = 0; i < p.n; ++i)
        if (p.entries[i].relid == relid && p.entries[i].level == level)
            return true;
    return false;
}

TEST(PendingWrites, SavepointsKeepOrForgetTheirWrites) {
    PendingWrites p = empty_pending();
    EXPECT_TRUE(mvs::pending_empty(p));
    mvs::pending_note(p, 10, 1);
    mvs::pending_note(p, 10, 1);
    EXPECT_EQ(p.n, 1);
    mvs::pending_note(p, 11, 2); // SAVEPOINT a; write 11
    mvs::pending_note(p, 10, 2); // known at level 1 already
    EXPECT_EQ(p.n, 2);
    mvs::pending_note(p, 12, 3); // SAVEPOINT b; write 12
    mvs::pending_subabort(p, 3); // ROLLBACK TO b
    EXPECT_FALSE(has(p, 12, 3));
    EXPECT_EQ(p.n, 2);
    mvs::pending_note(p, 13, 3);
    mvs::pending_subcommit(p, 3); // RELEASE b: 13 belongs to a now
    EXPECT_TRUE(has(p, 13, 2));
    mvs::pending_subabort(p, 2); // ROLLBACK TO a: 11 and 13 are forgotten
    EXPECT_EQ(p.n, 1);
    EXPECT_TRUE(has(p, 10, 1));
    mvs::pending_clear(p);
    EXPECT_TRUE(mvs::pending_empty(p));
}

TEST(PendingWrites, CommittedSubtransactionsMergeWithoutDuplicates) {
    PendingWrites p = empty_pending();
    mvs::pending_note(p, 20, 2);
    mvs::pending_subcommit(p, 2);
    mvs::pending_note(p, 20, 2); // a new savepoint writes 20 again: counted at level 1 already
    EXPECT_EQ(p.n, 1);
    mvs::pending_note(p, 21, 3);
    mvs::pending_subcommit(p, 3);
    mvs::pending_subcommit(p, 2);
    EXPECT_EQ(p.n, 2);
    EXPECT_TRUE(has(p, 20, 1));
    EXPECT_TRUE(has(p, 21, 1));
}

TEST(PendingWrites, PastCapacityEverythingCounts) {
    PendingWrites p = empty_pending();
    for (std::uint32_t r = 1; r <= PendingWrites::kCapacity; ++r)
        mvs::pending_note(p, r, 1);
    EXPECT_EQ(p.all_level, 0);
    mvs::pending_note(p, 1000, 2); // no room: the whole database counts, from level 2
    EXPECT_EQ(p.all_level, 2);
    mvs::pending_subabort(p, 2); // and is forgotten with it
    EXPECT_EQ(p.all_level, 0);
    mvs::pending_note(p, 1000, 2);
    mvs::pending_subcommit(p, 2);
    EXPECT_EQ(p.all_level, 1);
    mvs::pending_subabort(p, 2); // a later savepoint's abort keeps the level-1 mark
    EXPECT_EQ(p.all_level, 1);
    EXPECT_FALSE(mvs::pending_empty(p));
}

TEST(PendingWrites, AllAtALowerLevelCoversLaterWrites) {
    PendingWrites p = empty_pending();
    mvs::pending_note_all(p, 1); // COMMIT PREPARED
    mvs::pending_note(p, 5, 2);
    EXPECT_EQ(p.n, 0);
    mvs::pending_note_all(p, 3);
    EXPECT_EQ(p.all_level, 1);
}

} // namespace
