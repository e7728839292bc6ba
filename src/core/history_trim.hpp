// When a finished run trims its view's run history. A trim reads every row the view keeps
// (history_per_view of them), so a view refreshed every second that trimmed on every run read a
// thousand rows per run. A schedule's runs trim every trim_every(history_per_view)-th run
// instead: about a sixteenth more rows are kept in between, and a trim comes at least every
// kMaxTrimEvery runs, so rows past history_max_age go soon too. Pure functions.
#pragma once

#include <cstdint>

namespace mvs {

constexpr int kMaxTrimEvery = 64;

// history_per_view / 16, between 1 and kMaxTrimEvery: a view keeping fewer than 32 rows trims at
// every run.
int trim_every(int history_per_view) noexcept;

// Whether the run that just finished trims. `scheduled`: a run of a schedule (not refresh_now's),
// whose runs_total counted it; the others always trim, as their count does not move.
bool trim_due(bool scheduled, std::int64_t runs_total, int history_per_view) noexcept;

} // namespace mvs
