#include "change_policy.hpp"

namespace mvs {

namespace {

// splitmix64's finalizer: spreads a relation's OID over 64 bits.
std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

} // namespace

ChangeReading combine_counters(std::uint64_t epoch, const SourceCounter* counters, int n) noexcept {
    ChangeReading r;
    r.complete = epoch != 0;
    r.mark.epoch = epoch;
    // Unsigned arithmetic wraps (modulo 2^64), never overflows.
    r.mark.set_hash = mix(static_cast<std::uint64_t>(n > 0 ? n : 0) + 0x100000000ULL);
    for (int i = 0; i < n; ++i) {
        if (!counters[i].present)
            r.complete = false;
        r.mark.set_hash += mix(counters[i].relid);
        r.mark.sum += counters[i].counter;
    }
    return r;
}

ChangeVerdict decide_change(const ChangeFacts& f) noexcept {
    if (!f.only_if_changed || !f.tracked || !f.populated || !f.has_baseline || !f.reading.complete)
        return ChangeVerdict::Refresh;
    const ChangeMark& a = f.baseline;
    const ChangeMark& b = f.reading.mark;
    if (a.epoch != b.epoch || a.set_hash != b.set_hash || a.sum != b.sum)
        return ChangeVerdict::Refresh;
    return ChangeVerdict::Unchanged;
}

bool keeps_baseline(const ChangeFacts& f) noexcept {
    return f.only_if_changed && f.tracked && f.reading.complete;
}

void pending_note_all(PendingWrites& p, int level) noexcept {
    if (p.all_level == 0 || level < p.all_level)
        p.all_level = level;
}

void pending_note(PendingWrites& p, std::uint32_t relid, int level) noexcept {
    if (p.all_level != 0 && p.all_level <= level)
        return; // counted already, whatever the relation
    for (int i = 0; i < p.n; ++i)
        if (p.entries[i].relid == relid && p.entries[i].level <= level)
            return;
    if (p.n < PendingWrites::kCapacity) {
        p.entries[p.n++] = PendingWrites::Entry{relid, level};
        return;
    }
    pending_note_all(p, level);
}

void pending_subcommit(PendingWrites& p, int level) noexcept {
    const int parent = level > 1 ? level - 1 : 1;
    int kept = 0;
    for (int i = 0; i < p.n; ++i) {
        PendingWrites::Entry e = p.entries[i];
        if (e.level >= level) {
            e.level = parent;
            bool known = false;
            for (int k = 0; k < kept && !known; ++k)
                known = p.entries[k].relid == e.relid && p.entries[k].level <= parent;
            for (int k = i + 1; k < p.n && !known; ++k)
                known = p.entries[k].relid == e.relid && p.entries[k].level <= parent;
            if (known)
                continue;
        }
        p.entries[kept++] = e;
    }
    p.n = kept;
    if (p.all_level >= level)
        p.all_level = parent;
}

void pending_subabort(PendingWrites& p, int level) noexcept {
    int kept = 0;
    for (int i = 0; i < p.n; ++i)
        if (p.entries[i].level < level)
            p.entries[kept++] = p.entries[i];
    p.n = kept;
    if (p.all_level >= level)
        p.all_level = 0;
}

void pending_clear(PendingWrites& p) noexcept {
    p.n = 0;
    p.all_level = 0;
}

bool pending_empty(const PendingWrites& p) noexcept {
    return p.n == 0 && p.all_level == 0;
}

} // namespace mvs
