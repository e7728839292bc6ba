// Sources first: of the views due in one scheduler pass, which may start now and which wait for
// the materialized views they read. A view waits while a view it reads is being refreshed, or is
// due in the same pass ahead of it (due no later than it), so it is never rebuilt from rows about
// to be replaced. A source due later than the view does not hold it: a view held back keeps its
// due time and becomes the older one, so a source refreshed more often cannot starve it.
#pragma once

#include <cstdint>

#include "civil_time.hpp"

namespace mvs {

// A view of the pass: one that is due, or a source that is only running. Plain data.
struct BatchView {
    bool due = false;
    bool running = false; // being refreshed now
    UtcMicros next_run = 0;
    // Indices (into the same batch) of the materialized views it reads, directly or through plain
    // views. Sources that are neither due nor running need not be listed.
    const int* sources = nullptr;
    int n_sources = 0;
};

// Sets held[i] for each of the `n` views: true when a due view must wait for its sources; false
// for a view that may start (and for every view that is not due). Cycles (possible through plain
// views replaced after the fact) never hold every view of the cycle: one of them goes first (which
// one depends only on the batch order). `scratch` holds 3 * n ints. O(n + edges); allocates
// nothing.
void hold_for_sources(const BatchView* batch, int n, bool* held, int* scratch) noexcept;

} // namespace mvs
