// How many refreshes may run at once: at most max_workers per database (scheduled runs and
// refresh_now() together), at most max_workers_per_role of them for one role. Pure arithmetic on
// counts the shell reads from shared memory.
#pragma once

namespace mvs {

// Places per database: max_workers, within the pool's capacity (and at least 0).
int database_place_limit(int max_workers, int capacity) noexcept;

// Places per role: the setting, -1 (any negative) meaning one less than the database's, so that
// one role alone never takes every place; always between 1 and the database's limit (at least 1).
int role_place_limit(int database_limit, int per_role_setting) noexcept;

// More places the scheduler's pool may take beside the `held` ones its runs under way hold:
// up to `wanted`, leaving `manual_taken` to refresh_now() runs (running, or ready to run).
int pool_places_granted(int limit, int held, int manual_taken, int wanted) noexcept;

// Whether a refresh_now() run may start now: it runs already, or a place is free in the database
// and its role is under its limit.
bool manual_may_start(bool running, int pool_places, int manual_running, int role_running,
                      int limit, int per_role) noexcept;

// The places one planning pass hands out, in fair order: a candidate over its role's limit gets
// none, whatever is free.
struct PlaceBudget {
    int free = 0;
    bool available(bool over_limit) const noexcept { return free > 0 && !over_limit; }
    void take() noexcept {
        if (free > 0)
            --free;
    }
};

// How many due schedules one pass fetches: one more than the places the pool may use, so that a
// full batch shows that more may be due.
int due_fetch_limit(int free_places, int busy_places) noexcept;
// The limit once the first due schedules are known: the busy places are in it only for due
// schedules whose own run is under way (skipped, they take no place), so of the `busy_places`
// only the `busy_due` such schedules among the first `limit` stay. Locking the rest would lock
// rows that could only wait for a place. At least 1, at most `limit`.
int trim_fetch_limit(int limit, int busy_places, int busy_due) noexcept;

} // namespace mvs
