// Random cron lines against an independent model (cron_model.hpp): the parsed masks, matching,
// and next_cron against a brute-force scan of the wall clock, in UTC and in fixed-offset zones.
#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/cron.hpp"
#include "core/time_zone.hpp"
#include "cron_model.hpp"
#include "test_support.hpp"

namespace {

using mvs::CronParse;
using mvs::CronSpec;
using mvs::UtcMicros;
using mvs_test::CronGenerator;
using mvs_test::CronModel;
using mvs_test::floor_div;
using mvs_test::kSecond;

template <std::size_t N> std::uint64_t mask(const std::bitset<N>& set) {
    std::uint64_t m = 0;
    for (std::size_t i = 0; i < N; ++i)
        if (set[i])
            m |= std::uint64_t{1} << i;
    return m;
}

CronSpec model_spec(const CronModel& m) {
    CronSpec s;
    s.seconds = mask(m.seconds);
    s.minutes = mask(m.minutes);
    s.hours = static_cast<std::uint32_t>(mask(m.hours));
    s.days = static_cast<std::uint32_t>(mask(m.days));
    s.months = static_cast<std::uint16_t>(mask(m.months));
    s.weekdays = static_cast<std::uint8_t>(mask(m.weekdays));
    s.last_day = m.last_day;
    s.days_star = m.days_star;
    s.weekdays_star = m.weekdays_star;
    return s;
}

mvs::CivilTime civil_of(std::int64_t wall_secs) {
    const std::tm tm = mvs_test::utc_tm(wall_secs);
    return mvs_test::civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                           tm.tm_sec);
}

// A random instant between 1995 and 2090; often on a whole minute, so that "strictly after"
// is tested on due times themselves.
UtcMicros random_instant(CronGenerator& gen) {
    const std::int64_t lo = mvs_test::wall_secs(1995, 1, 1);
    const std::int64_t hi = mvs_test::wall_secs(2090, 1, 1);
    std::int64_t secs = std::uniform_int_distribution<std::int64_t>(lo, hi)(gen.rng());
    const int shape = gen.uniform(0, 9);
    if (shape <= 2)
        return floor_div(secs, 60) * 60 * kSecond;
    if (shape == 3)
        return floor_div(secs, 60) * 60 * kSecond - 1;
    return secs * kSecond + gen.uniform(0, 999999);
}

// Lines that parse (the generator also makes some that never fire, such as Feb 30); half of
// them fire often.
CronModel firing_line(CronGenerator& gen, bool six) {
    const bool dense = gen.chance(50);
    for (;;) {
        CronModel m = gen.line(six, false, dense);
        if (mvs_test::model_can_fire(m))
            return m;
    }
}

TEST(CronProperty, ParsedMasksMatchTheModel) {
    CronGenerator gen(20240901);
    int refused = 0;
    for (int i = 0; i < 4000; ++i) {
        const CronModel m = gen.line(gen.chance(30));
        const CronParse r = mvs::parse_cron(m.text);
        if (!mvs_test::model_can_fire(m)) {
            ++refused;
            EXPECT_FALSE(r.ok) << "'" << m.text << "' can never fire";
            EXPECT_NE(std::string(r.message).find("can never fire"), std::string::npos)
                << "'" << m.text << "': " << r.message;
            continue;
        }
        ASSERT_TRUE(r.ok) << "'" << m.text << "': " << r.message;
        ASSERT_EQ(r.spec, model_spec(m)) << "'" << m.text << "'";
        EXPECT_TRUE(mvs::looks_like_cron(m.text)) << "'" << m.text << "'";
    }
    // The generator does reach the lines that can never fire.
    EXPECT_GT(refused, 0);
}

TEST(CronProperty, MatchingAgreesWithTheModel) {
    CronGenerator gen(7);
    for (int i = 0; i < 1500; ++i) {
        const bool six = gen.chance(30);
        const CronModel m = firing_line(gen, six);
        const CronSpec s = mvs::parse_cron(m.text).spec;
        for (int k = 0; k < 40; ++k) {
            const int year = gen.uniform(1996, 2104);
            const int month = gen.uniform(1, 12);
            const int last = mvs_test::model_days_in_month(year, month);
            const int day = gen.chance(30) ? last : gen.uniform(1, last);
            const int second = six || gen.chance(20) ? gen.uniform(0, 59) : 0;
            const std::int64_t wall = mvs_test::wall_secs(year, month, day, gen.uniform(0, 23),
                                                          gen.uniform(0, 59), second);
            ASSERT_EQ(mvs::cron_matches(s, civil_of(wall)),
                      mvs_test::model_matches(m, mvs_test::utc_tm(wall)))
                << "'" << m.text << "' at " << mvs_test::show(wall * kSecond);
        }
    }
}

// next_cron in a fixed-offset zone is the model's next wall reading, less the offset.
void check_against_brute_force(const char* label, std::uint64_t seed, int lines, bool six,
                               std::int64_t offset) {
    CronGenerator gen(seed);
    const mvs::FixedOffsetZone zone(offset);
    for (int i = 0; i < lines; ++i) {
        const CronModel m = firing_line(gen, six);
        const CronParse r = mvs::parse_cron(m.text);
        ASSERT_TRUE(r.ok) << "'" << m.text << "': " << r.message;
        UtcMicros after = random_instant(gen);
        if (gen.chance(50)) {
            // Close to a due time: just before, at, just after, or a little way either side.
            const std::int64_t wall_after = floor_div(after + offset * kSecond, kSecond);
            const UtcMicros due = (mvs_test::model_next_wall(m, wall_after) - offset) * kSecond;
            const int near = gen.uniform(0, 4);
            after = near == 0   ? due - 1
                    : near == 1 ? due
                    : near == 2 ? due + 1
                                : due + gen.uniform(-7200, 7200) * kSecond / (six ? 60 : 1) +
                                      gen.uniform(0, 999999);
        }
        // A few due times in a row, each from the one before.
        for (int step = 0; step < 3; ++step) {
            const std::int64_t wall_after = floor_div(after + offset * kSecond, kSecond);
            const std::int64_t wall = mvs_test::model_next_wall(m, wall_after);
            ASSERT_GE(wall, 0) << "'" << m.text << "'";
            const UtcMicros expected = (wall - offset) * kSecond;
            const UtcMicros next = mvs::next_cron(r.spec, after, zone);
            ASSERT_EQ(mvs_test::show(next), mvs_test::show(expected))
                << label << " '" << m.text << "' after " << mvs_test::show(after);
            after = next;
        }
    }
}

TEST(CronProperty, NextCronInUtcIsTheBruteForceAnswer) {
    check_against_brute_force("UTC", 1, 1200, false, 0);
}

TEST(CronProperty, NextCronWithSecondsInUtcIsTheBruteForceAnswer) {
    check_against_brute_force("UTC", 2, 300, true, 0);
}

TEST(CronProperty, NextCronInFixedOffsetZonesIsTheBruteForceAnswer) {
    const std::int64_t offsets[] = {5 * 3600 + 45 * 60, -(9 * 3600 + 30 * 60), 14 * 3600,
                                    -12 * 3600, 1172 /* Amsterdam mean time, 0:19:32 */};
    std::uint64_t seed = 100;
    for (std::int64_t offset : offsets) {
        check_against_brute_force("fixed 5 fields", seed++, 250, false, offset);
        check_against_brute_force("fixed 6 fields", seed++, 60, true, offset);
    }
}

// next_cron_wall is the model's answer on the bare wall clock too.
TEST(CronProperty, NextCronWallIsTheBruteForceAnswer) {
    CronGenerator gen(99);
    for (int i = 0; i < 800; ++i) {
        const bool six = gen.chance(25);
        const CronModel m = firing_line(gen, six);
        const CronSpec s = mvs::parse_cron(m.text).spec;
        std::int64_t after = floor_div(random_instant(gen), kSecond);
        if (gen.chance(50))
            after = mvs_test::model_next_wall(m, after) + gen.uniform(-7200, 7200) / (six ? 60 : 1);
        mvs::CivilTime next;
        ASSERT_TRUE(mvs::next_cron_wall(s, civil_of(after), &next)) << "'" << m.text << "'";
        const std::int64_t wall = mvs_test::model_next_wall(m, after);
        EXPECT_EQ(next, civil_of(wall))
            << "'" << m.text << "' after " << mvs_test::show(after * kSecond);
    }
}

} // namespace
