// Change-aware refresh (only_if_changed): whether a due view's sources changed since its last
// successful refresh, from per-relation change counters, and which writes a (sub)transaction
// publishes at commit. Pure functions on plain data.
//
// The one rule: never "unchanged" while a committed change exists. A false "changed" costs one
// refresh; a false "unchanged" would leave the view stale.
#pragma once

#include <cstdint>

namespace mvs {

// A reading of the counters of a view's sources, combined; a schedule keeps the one taken before
// its last successful refresh as its baseline.
struct ChangeMark {
    std::uint64_t epoch = 0;    // the server life the counters belong to
    std::uint64_t set_hash = 0; // which relations were read (order does not matter)
    std::uint64_t sum = 0;      // their counters added, modulo 2^64
};

// One source's counter; `present` false when it could not be tracked (no room left).
struct SourceCounter {
    std::uint32_t relid = 0; // 0: the database's own counter (writes of unknown relations)
    std::uint64_t counter = 0;
    bool present = false;
};

struct ChangeReading {
    bool complete = false; // every source had a counter: a basis for "unchanged"
    ChangeMark mark;
};

// Combines the counters of distinct relations. Each counter only grows, so the sum changes as
// soon as one of them does, as long as they grew by less than 2^64 in all since the baseline
// (at a billion commits a second, some 580 years): wrapping around is harmless.
ChangeReading combine_counters(std::uint64_t epoch, const SourceCounter* counters, int n) noexcept;

enum class ChangeVerdict : std::uint8_t {
    Refresh,   // refresh as usual (only_if_changed off, or a change, or no exact baseline)
    Unchanged, // skip this due time: nothing the view reads changed since its baseline
};

struct ChangeFacts {
    bool only_if_changed = false;
    bool tracked = false;  // the view's changes can be tracked (dependencies.tracked)
    bool populated = true; // a view left unpopulated (REFRESH ... WITH NO DATA) is refreshed
    bool has_baseline = false;
    ChangeMark baseline;
    ChangeReading reading;
};

ChangeVerdict decide_change(const ChangeFacts& f) noexcept;
// Whether the reading is kept as the baseline should the refresh it starts succeed.
bool keeps_baseline(const ChangeFacts& f) noexcept;

// The relations a transaction wrote, per subtransaction level (1: the top level), published at
// commit only: a rolled-back savepoint forgets its own. Bounded: past kCapacity distinct relations
// the writes count for every tracked relation of the database (never lost). Plain data.
struct PendingWrites {
    static constexpr int kCapacity = 64;
    struct Entry {
        std::uint32_t relid;
        int level;
    };
    Entry entries[kCapacity];
    int n = 0;
    int all_level = 0; // > 0: from this level on, every relation of the database counts
};

void pending_note(PendingWrites& p, std::uint32_t relid, int level) noexcept;
void pending_note_all(PendingWrites& p, int level) noexcept;
// The subtransaction at `level` commits: its writes become its parent's.
void pending_subcommit(PendingWrites& p, int level) noexcept;
// The subtransaction at `level` aborts: its writes (and deeper ones) are forgotten.
void pending_subabort(PendingWrites& p, int level) noexcept;
void pending_clear(PendingWrites& p) noexcept;
bool pending_empty(const PendingWrites& p) noexcept;

} // namespace mvs
