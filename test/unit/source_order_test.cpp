// Sources first: which due views start now and which wait for the views they read.
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "core/source_order.hpp"

namespace {

using mvs::BatchView;

struct Batch {
    std::vector<std::vector<int>> sources;
    std::vector<BatchView> views;

    int add(bool due, bool running, mvs::UtcMicros next_run, std::vector<int> reads) {
        sources.push_back(std::move(reads));
        BatchView v;
        v.due = due;
        v.running = running;
        v.next_run = next_run;
        views.push_back(v);
        return static_cast<int>(views.size()) - 1;
    }
    int due(std::vector<int> reads = {}, mvs::UtcMicros at = 100) {
        return add(true, false, at, std::move(reads));
    }
    // Which views may start now.
    std::vector<bool> starts() {
        for (size_t i = 0; i < views.size(); ++i) {
            views[i].sources = sources[i].data();
            views[i].n_sources = static_cast<int>(sources[i].size());
        }
        const int n = static_cast<int>(views.size());
        std::unique_ptr<bool[]> h(new bool[n + 1]);
        std::vector<int> scratch(3 * n + 1);
        mvs::hold_for_sources(views.data(), n, h.get(), scratch.data());
        std::vector<bool> out;
        for (int i = 0; i < n; ++i)
            out.push_back(views[i].due && !h[i]);
        return out;
    }
};

TEST(SourceOrder, IndependentViewsAllStart) {
    Batch b;
    b.due();
    b.due();
    b.due({}, 50);
    EXPECT_EQ(b.starts(), (std::vector<bool>{true, true, true}));
}

TEST(SourceOrder, FiveLevelChainStartsAtItsRootOnly) {
    // Listed from the top of the chain down, so that batch order does not help.
    Batch b;
    const int e = b.due({1});
    const int d = b.due({2});
    const int c = b.due({3});
    const int bb = b.due({4});
    const int a = b.due();
    (void)e, (void)d, (void)c, (void)bb, (void)a;
    EXPECT_EQ(b.starts(), (std::vector<bool>{false, false, false, false, true}));
}

TEST(SourceOrder, ChainMovesOneLevelPerPass) {
    // a has started (running): b waits; then a finished and is no longer due: b starts.
    for (int level = 0; level < 5; ++level) {
        Batch b;
        std::vector<int> idx;
        for (int i = 0; i < 5; ++i) {
            std::vector<int> reads;
            if (i > 0)
                reads.push_back(i - 1);
            if (i < level)
                idx.push_back(b.add(false, false, 100, reads)); // refreshed, no longer due
            else
                idx.push_back(b.due(reads));
        }
        std::vector<bool> want(5, false);
        want[level] = true;
        EXPECT_EQ(b.starts(), want) << "level " << level;
    }
}

TEST(SourceOrder, RunningSourceHoldsItsDependents) {
    Batch b;
    const int a = b.add(false, true, 0, {});
    b.due({a});
    b.due({a}, 10); // due long before the source's run: still held while it runs
    b.due();
    EXPECT_EQ(b.starts(), (std::vector<bool>{false, false, false, true}));
}

TEST(SourceOrder, RunningAndDueSourceHolds) {
    Batch b;
    const int a = b.add(true, true, 100, {});
    b.due({a});
    EXPECT_EQ(b.starts(), (std::vector<bool>{true, false}));
}

TEST(SourceOrder, DiamondWaitsForBothSides) {
    // a <- l, a <- r, (l, r) <- top.
    Batch b;
    const int top = b.due({1, 2});
    const int l = b.due({3});
    const int r = b.due({3});
    const int a = b.due();
    (void)top, (void)l, (void)r, (void)a;
    EXPECT_EQ(b.starts(), (std::vector<bool>{false, false, false, true}));
    // Next pass: a refreshed; both sides start together, top waits for them.
    Batch next;
    next.due({1, 2});
    next.due({3});
    next.due({3});
    next.add(false, false, 100, {});
    EXPECT_EQ(next.starts(), (std::vector<bool>{false, true, true, false}));
}

TEST(SourceOrder, SourceDueLaterDoesNotHold) {
    // b was held and is due since 100; a's next due time is 200: b goes now, a is not starved of
    // it.
    Batch b;
    const int a = b.due({}, 200);
    b.due({a}, 100);
    EXPECT_EQ(b.starts(), (std::vector<bool>{true, true}));
}

TEST(SourceOrder, SourceDueAtTheSameInstantHolds) {
    Batch b;
    const int a = b.due({}, 100);
    b.due({a}, 100);
    EXPECT_EQ(b.starts(), (std::vector<bool>{true, false}));
}

TEST(SourceOrder, NotDueNotRunningSourceDoesNotHold) {
    Batch b;
    const int a = b.add(false, false, 0, {});
    b.due({a});
    EXPECT_EQ(b.starts(), (std::vector<bool>{false, true}));
}

TEST(SourceOrder, ReadingItselfDoesNotHold) {
    Batch b;
    b.due({0});
    EXPECT_EQ(b.starts(), (std::vector<bool>{true}));
}

TEST(SourceOrder, CycleLetsOneViewGo) {
    // Possible through plain views replaced after the fact: x reads y, y reads z, z reads x.
    Batch b;
    b.due({1});
    b.due({2});
    b.due({0});
    const std::vector<bool> s = b.starts();
    int starting = 0;
    for (bool x : s)
        starting += x ? 1 : 0;
    EXPECT_EQ(starting, 1);
}

TEST(SourceOrder, OutOfRangeSourcesAreIgnored) {
    Batch b;
    b.due({-1, 7});
    EXPECT_EQ(b.starts(), (std::vector<bool>{true}));
}

TEST(SourceOrder, LongChainIsNotRecursive) {
    // 100,000 levels: the walk uses its scratch, not the stack.
    Batch b;
    const int n = 100000;
    for (int i = 0; i < n; ++i)
        b.due(i + 1 < n ? std::vector<int>{i + 1} : std::vector<int>{});
    const std::vector<bool> s = b.starts();
    EXPECT_TRUE(s[n - 1]);
    for (int i = 0; i < n - 1; ++i)
        ASSERT_FALSE(s[i]) << i;
}

} // namespace
