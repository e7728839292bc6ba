// How long core takes to compute a schedule's next due time (next_due_after), per kind of
// schedule, in a fixed-offset zone and in Europe/Berlin with its daylight-saving changes.
//
// Europe/Berlin comes from the system's tz database (package tzdata), read once at startup
// through libc and kept as a table of offset changes, so that the benchmark measures core's
// arithmetic and not libc's localtime_r. (In the server the zone is PostgreSQL's pg_localtime;
// its cost is on top of these numbers.) The table is checked against libc before anything is
// timed.
//
// Each case runs 9 repetitions and reports their median. The target is a cron next-run well
// under a microsecond: the program fails when a cron case's median is 1 us or more
// (--cron_limit_ns=N to change the limit), when a zone cannot be loaded, or when a result is not
// a due time after the instant asked about.
//
// Build and run: make bench-core (options: make bench-core BENCH_ARGS=--benchmark_filter=cron).

#include <benchmark/benchmark.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/civil_time.hpp"
#include "core/next_run.hpp"
#include "core/schedule.hpp"
#include "core/schedule_parser.hpp"
#include "core/time_zone.hpp"

namespace {

using mvs::UtcMicros;

constexpr std::int64_t kSecond = 1000000;

std::int64_t utc_seconds(int year, int month, int day) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    return static_cast<std::int64_t>(timegm(&tm));
}

// A tz database zone as a sorted table of the instants at which its offset changes, built with
// libc (TZ=name, localtime_r) for [from_year, to_year). Lookups outside that range are counted,
// and a benchmark that made any fails.
class TableZone final : public mvs::TimeZone {
  public:
    bool load(const char* name, int from_year, int to_year) {
        const char* dir = std::getenv("TZDIR");
        const std::string path =
            std::string(dir != nullptr ? dir : "/usr/share/zoneinfo") + "/" + name;
        struct stat st;
        if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            std::fprintf(stderr,
                         "next_run_bench: time zone %s is not installed (%s; package tzdata)\n",
                         name, path.c_str());
            return false;
        }
        setenv("TZ", name, 1);
        tzset();
        begin_ = utc_seconds(from_year, 1, 1);
        end_ = utc_seconds(to_year, 1, 1);
        first_offset_ = libc_offset(begin_);
        std::int64_t offset = first_offset_;
        // Zones change offset at most once in a few hours: step by an hour, then bisect.
        for (std::int64_t t = begin_; t < end_; t += 3600) {
            const std::int64_t next = std::min(t + 3600, end_);
            if (libc_offset(next) == offset)
                continue;
            std::int64_t lo = t;
            std::int64_t hi = next;
            while (hi - lo > 1) {
                const std::int64_t mid = lo + (hi - lo) / 2;
                if (libc_offset(mid) == offset)
                    lo = mid;
                else
                    hi = mid;
            }
            offset = libc_offset(hi);
            changes_.push_back(hi);
            offsets_.push_back(offset);
        }
        return check(name, static_cast<std::size_t>(to_year - from_year));
    }

    std::int64_t utc_offset_seconds(std::int64_t t) const override {
        if (t < begin_ || t >= end_)
            ++outside_;
        const auto it = std::upper_bound(changes_.begin(), changes_.end(), t);
        return it == changes_.begin() ? first_offset_ : offsets_[it - changes_.begin() - 1];
    }

    std::int64_t outside() const { return outside_; }

  private:
    static std::int64_t libc_offset(std::int64_t t) {
        const std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        if (localtime_r(&tt, &tm) == nullptr)
            return 0;
        return tm.tm_gmtoff;
    }

    // The table agrees with libc around every change and at instants in between, and has at
    // least `fewest` changes (a zone that libc could not read is UTC, with none).
    bool check(const char* name, std::size_t fewest) const {
        std::vector<std::int64_t> probes;
        for (const std::int64_t c : changes_)
            for (const std::int64_t d : {-7200, -3601, -1, 0, 1, 3599, 7200})
                probes.push_back(c + d);
        std::mt19937_64 random(1);
        for (int i = 0; i < 20000; ++i)
            probes.push_back(begin_ + static_cast<std::int64_t>(random() % (end_ - begin_)));
        for (const std::int64_t t : probes) {
            if (t < begin_ || t >= end_)
                continue;
            if (utc_offset_seconds(t) != libc_offset(t)) {
                std::fprintf(stderr,
                             "next_run_bench: %s: table says offset %" PRId64 " at %" PRId64
                             ", libc says %" PRId64 "\n",
                             name, utc_offset_seconds(t), t, libc_offset(t));
                return false;
            }
        }
        if (changes_.size() < fewest) {
            std::fprintf(stderr, "next_run_bench: %s: only %zu offset changes found\n", name,
                         changes_.size());
            return false;
        }
        return true;
    }

    std::int64_t begin_ = 0;
    std::int64_t end_ = 0;
    std::int64_t first_offset_ = 0;
    std::vector<std::int64_t> changes_;
    std::vector<std::int64_t> offsets_;
    mutable std::int64_t outside_ = 0;
};

TableZone g_berlin;
const mvs::FixedOffsetZone g_fixed(3600);

// The instants next_due_after is asked about: spread over 2024 and 2025 (so over weekends,
// nights, month ends and both daylight-saving changes a year), cycled through in the timed loop.
constexpr std::size_t kInstants = 4096;
std::vector<UtcMicros> g_after;
// The interval schedules' grids start here.
const UtcMicros kAnchor = (utc_seconds(2023, 12, 31) + 22 * 3600 + 17 * 60 + 3) * kSecond + 500000;

struct Case {
    const char* name;
    const char* text;        // parsed with parse_schedule; nullptr: `every` below
    mvs::IntervalSpec every; // what PostgreSQL's interval input makes of an interval's text
};

const Case kCases[] = {
    {"cron5 '*/15 9-17 * * mon-fri'", "*/15 9-17 * * mon-fri", {}},
    {"cron6 '0 30 9 * * mon-fri'", "0 30 9 * * mon-fri", {}},
    {"cron5 '0 0 1 * *'", "0 0 1 * *", {}},
    {"interval '30 seconds'", nullptr, {0, 0, 30 * kSecond}},
    {"calendar 'daily'", "daily", {}},
    {"calendar 'weekly'", "weekly", {}},
    {"calendar 'monthly'", "monthly", {}},
    {"interval '1 month'", nullptr, {1, 0, 0}},
};

bool build(const Case& c, mvs::Schedule* out) {
    const mvs::ParseOutcome r =
        c.text != nullptr ? mvs::parse_schedule(c.text) : mvs::schedule_from_interval(c.every);
    if (r.status != mvs::ParseStatus::Ok)
        return false;
    *out = r.schedule;
    return true;
}

void run_case(benchmark::State& state, const Case& c, const mvs::TimeZone& zone,
              const TableZone* table) {
    mvs::Schedule schedule;
    if (!build(c, &schedule)) {
        state.SkipWithError("the schedule does not parse");
        return;
    }
    // Every result is a due time after the instant asked about, within a year.
    for (const UtcMicros after : g_after) {
        const UtcMicros next = mvs::next_due_after(schedule, kAnchor, after, zone);
        if (next == mvs::kNever || next <= after || next - after > 366LL * 86400 * kSecond) {
            state.SkipWithError("next_due_after returned no due time after the instant");
            return;
        }
    }
    const std::int64_t outside_before = table != nullptr ? table->outside() : 0;
    std::size_t i = 0;
    for (auto _ : state) {
        const UtcMicros next = mvs::next_due_after(schedule, kAnchor, g_after[i], zone);
        benchmark::DoNotOptimize(next);
        i = (i + 1) % kInstants;
    }
    if (table != nullptr && table->outside() != outside_before)
        state.SkipWithError("the zone was asked about instants outside its table");
}

// The console output, and the medians it reports, for the summary and the target check.
class MedianReporter : public benchmark::ConsoleReporter {
  public:
    // Colours only on a terminal.
    MedianReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            if (run.error_occurred)
                errors_.push_back(run.benchmark_name() + ": " + run.error_message);
            else if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
                medians_[run.run_name.function_name] =
                    run.GetAdjustedCPUTime() * multiplier(run.time_unit);
        }
    }

    const std::map<std::string, double>& medians() const { return medians_; }
    const std::vector<std::string>& errors() const { return errors_; }

  private:
    // To nanoseconds.
    static double multiplier(benchmark::TimeUnit unit) {
        switch (unit) {
        case benchmark::kSecond:
            return 1e9;
        case benchmark::kMillisecond:
            return 1e6;
        case benchmark::kMicrosecond:
            return 1e3;
        default:
            return 1;
        }
    }

    std::map<std::string, double> medians_;
    std::vector<std::string> errors_;
};

const char* const kZoneNames[] = {"fixed +01:00", "Europe/Berlin"};

} // namespace

int main(int argc, char** argv) {
    double cron_limit_ns = 1000;
    // Defaults first, so that the same options given on the command line win.
    std::vector<char*> args = {argv[0]};
    char repetitions[] = "--benchmark_repetitions=9";
    char aggregates[] = "--benchmark_report_aggregates_only=true";
    char min_time[] = "--benchmark_min_time=0.1";
    args.push_back(repetitions);
    args.push_back(aggregates);
    args.push_back(min_time);
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--cron_limit_ns=", 16) == 0)
            cron_limit_ns = std::atof(argv[i] + 16);
        else
            args.push_back(argv[i]);
    }
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data()))
        return 2;

    // Instants from 2024 to 2026 and a year of due times after them: the table covers it.
    // Europe/Berlin changes twice a year, so at least 40 changes.
    if (!g_berlin.load("Europe/Berlin", 2000, 2040))
        return 1;
    std::mt19937_64 random(42);
    const UtcMicros from = utc_seconds(2024, 1, 1) * kSecond;
    const UtcMicros to = utc_seconds(2026, 1, 1) * kSecond;
    for (std::size_t i = 0; i < kInstants; ++i)
        g_after.push_back(from +
                          static_cast<UtcMicros>(random() % static_cast<std::uint64_t>(to - from)));

    for (const Case& c : kCases) {
        benchmark::RegisterBenchmark(
            (std::string(c.name) + " " + kZoneNames[0]).c_str(),
            [&c](benchmark::State& state) { run_case(state, c, g_fixed, nullptr); })
            ->Unit(benchmark::kNanosecond);
        benchmark::RegisterBenchmark(
            (std::string(c.name) + " " + kZoneNames[1]).c_str(),
            [&c](benchmark::State& state) { run_case(state, c, g_berlin, &g_berlin); })
            ->Unit(benchmark::kNanosecond);
    }

    MedianReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    // The medians side by side, and the target.
    bool ok = reporter.errors().empty();
    std::printf("\nnext_due_after, median ns per call:\n%-34s %14s %14s\n", "schedule",
                kZoneNames[0], kZoneNames[1]);
    for (const Case& c : kCases) {
        std::printf("%-34s", c.name);
        for (const char* zone : kZoneNames) {
            const auto it = reporter.medians().find(std::string(c.name) + " " + zone);
            if (it == reporter.medians().end()) {
                std::printf(" %14s", "-");
                continue;
            }
            std::printf(" %14.1f", it->second);
            if (std::strncmp(c.name, "cron", 4) == 0 && it->second >= cron_limit_ns) {
                std::fprintf(stderr, "next_run_bench: %s in %s: median %.1f ns, target < %.0f ns\n",
                             c.name, zone, it->second, cron_limit_ns);
                ok = false;
            }
        }
        std::printf("\n");
    }
    for (const std::string& e : reporter.errors())
        std::fprintf(stderr, "next_run_bench: %s\n", e.c_str());
    std::printf("cron next-run target: median < %.0f ns: %s\n", cron_limit_ns,
                ok ? "met" : "NOT MET or errors");
    return ok ? 0 : 1;
}
