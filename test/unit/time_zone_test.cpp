#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/time_zone.hpp"
#include "test_support.hpp"

namespace {

using mvs::CivilTime;
using mvs::UtcMicros;
using mvs_test::civil;
using mvs_test::kHour;
using mvs_test::kMinute;
using mvs_test::kSecond;
using mvs_test::SystemZone;
using mvs_test::utc;

// --- the test zone itself -------------------------------------------------------------------

struct OffsetCase {
    const char* zone;
    UtcMicros at;
    std::int64_t offset;
};

class SystemZoneTest : public ::testing::TestWithParam<OffsetCase> {};

// The helper must really read tzdata: glibc would silently use UTC for a zone it cannot find.
TEST_P(SystemZoneTest, ReportsTheTzdataOffset) {
    const OffsetCase& c = GetParam();
    ASSERT_TRUE(mvs_test::zone_installed(c.zone)) << c.zone << " missing: install tzdata";
    const SystemZone zone(c.zone);
    EXPECT_EQ(zone.utc_offset_seconds(mvs_test::floor_div(c.at, kSecond)), c.offset);
}

INSTANTIATE_TEST_SUITE_P(
    TimeZone, SystemZoneTest,
    ::testing::Values(OffsetCase{"UTC", utc(2024, 7, 1), 0},
                      OffsetCase{"Europe/Berlin", utc(2024, 1, 15), 3600},
                      OffsetCase{"Europe/Berlin", utc(2024, 7, 15), 7200},
                      OffsetCase{"America/New_York", utc(2024, 1, 15), -18000},
                      OffsetCase{"America/New_York", utc(2024, 7, 15), -14400},
                      OffsetCase{"Australia/Lord_Howe", utc(2024, 7, 15), 37800},
                      OffsetCase{"Australia/Lord_Howe", utc(2024, 1, 15), 39600},
                      OffsetCase{"Asia/Kolkata", utc(2024, 7, 15), 19800},
                      OffsetCase{"Asia/Kathmandu", utc(2024, 7, 15), 20700},
                      OffsetCase{"Asia/Kathmandu", utc(1985, 7, 15), 19800},
                      // The switches themselves, to the second.
                      OffsetCase{"Europe/Berlin", utc(2024, 3, 31, 0, 59, 59), 3600},
                      OffsetCase{"Europe/Berlin", utc(2024, 3, 31, 1), 7200},
                      OffsetCase{"Australia/Lord_Howe", utc(2024, 10, 5, 15, 29, 59), 37800},
                      OffsetCase{"Australia/Lord_Howe", utc(2024, 10, 5, 15, 30), 39600}));

TEST(TimeZone, SystemZonesCanBeUsedInTurn) {
    const SystemZone berlin("Europe/Berlin");
    const SystemZone new_york("America/New_York");
    const std::int64_t t = utc(2024, 7, 15) / kSecond;
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(berlin.utc_offset_seconds(t), 7200);
        EXPECT_EQ(new_york.utc_offset_seconds(t), -14400);
    }
}

// --- to_local -------------------------------------------------------------------------------

struct ToLocalCase {
    const char* zone;
    UtcMicros instant;
    CivilTime local;
};

std::string case_name(const char* zone, int index) {
    std::string name = zone;
    for (char& c : name)
        if (!isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return name + "_" + std::to_string(index);
}

class ToLocalTest : public ::testing::TestWithParam<ToLocalCase> {};

TEST_P(ToLocalTest, WallClockReading) {
    const ToLocalCase& c = GetParam();
    const SystemZone zone(c.zone);
    EXPECT_EQ(mvs::to_local(zone, c.instant), c.local)
        << c.zone << " " << mvs_test::show(c.instant);
}

const ToLocalCase kToLocal[] = {
    {"UTC", utc(2024, 2, 29, 12, 34, 56, 789), civil(2024, 2, 29, 12, 34, 56, 789)},
    {"UTC", -1, civil(1969, 12, 31, 23, 59, 59, 999999)},
    {"Europe/Berlin", utc(2024, 1, 15, 12), civil(2024, 1, 15, 13)},
    {"Europe/Berlin", utc(2024, 7, 15, 12), civil(2024, 7, 15, 14)},
    {"Europe/Berlin", utc(2024, 3, 31, 0, 59, 59, 999999), civil(2024, 3, 31, 1, 59, 59, 999999)},
    {"Europe/Berlin", utc(2024, 3, 31, 1), civil(2024, 3, 31, 3)},
    {"Europe/Berlin", utc(2024, 10, 27, 0, 59, 59, 999999), civil(2024, 10, 27, 2, 59, 59, 999999)},
    {"Europe/Berlin", utc(2024, 10, 27, 1), civil(2024, 10, 27, 2)},
    {"Europe/Berlin", utc(2024, 12, 31, 23), civil(2025, 1, 1)},
    {"America/New_York", utc(2024, 1, 1, 4, 59, 59, 500000),
     civil(2023, 12, 31, 23, 59, 59, 500000)},
    {"America/New_York", utc(2024, 3, 10, 6, 59, 59), civil(2024, 3, 10, 1, 59, 59)},
    {"America/New_York", utc(2024, 3, 10, 7), civil(2024, 3, 10, 3)},
    {"America/New_York", utc(2024, 11, 3, 5, 59, 59), civil(2024, 11, 3, 1, 59, 59)},
    {"America/New_York", utc(2024, 11, 3, 6), civil(2024, 11, 3, 1)},
    {"Australia/Lord_Howe", utc(2024, 7, 1), civil(2024, 7, 1, 10, 30)},
    {"Australia/Lord_Howe", utc(2024, 10, 5, 15, 29, 59), civil(2024, 10, 6, 1, 59, 59)},
    {"Australia/Lord_Howe", utc(2024, 10, 5, 15, 30), civil(2024, 10, 6, 2, 30)},
    {"Australia/Lord_Howe", utc(2025, 4, 5, 14, 59, 59), civil(2025, 4, 6, 1, 59, 59)},
    {"Australia/Lord_Howe", utc(2025, 4, 5, 15), civil(2025, 4, 6, 1, 30)},
    {"Asia/Kolkata", utc(2024, 6, 30, 18, 30), civil(2024, 7, 1)},
    {"Asia/Kathmandu", utc(2024, 6, 30, 18, 15), civil(2024, 7, 1)},
    {"Asia/Kathmandu", utc(1985, 12, 31, 18, 29, 59), civil(1985, 12, 31, 23, 59, 59)},
    {"Asia/Kathmandu", utc(1985, 12, 31, 18, 30), civil(1986, 1, 1, 0, 15)},
};

INSTANTIATE_TEST_SUITE_P(TimeZone, ToLocalTest, ::testing::ValuesIn(kToLocal),
                         [](const ::testing::TestParamInfo<ToLocalCase>& info) {
                             return case_name(info.param.zone, static_cast<int>(info.index));
                         });

// --- from_local -----------------------------------------------------------------------------

struct FromLocalCase {
    const char* zone;
    CivilTime local;
    UtcMicros instant;
};

class FromLocalTest : public ::testing::TestWithParam<FromLocalCase> {};

TEST_P(FromLocalTest, Instant) {
    const FromLocalCase& c = GetParam();
    const SystemZone zone(c.zone);
    EXPECT_INSTANT_EQ(mvs::from_local(zone, c.local), c.instant) << c.zone;
}

// Readings the clock shows exactly once.
const FromLocalCase kNormal[] = {
    {"UTC", civil(2024, 2, 29, 12, 34, 56, 789), utc(2024, 2, 29, 12, 34, 56, 789)},
    {"UTC", civil(1969, 12, 31, 23, 59, 59, 999999), -1},
    {"Europe/Berlin", civil(2024, 1, 15, 13), utc(2024, 1, 15, 12)},
    {"Europe/Berlin", civil(2024, 7, 15, 14), utc(2024, 7, 15, 12)},
    {"Europe/Berlin", civil(2024, 3, 31, 1, 59, 59, 999999), utc(2024, 3, 31, 0, 59, 59, 999999)},
    {"Europe/Berlin", civil(2024, 3, 31, 3), utc(2024, 3, 31, 1)},
    {"Europe/Berlin", civil(2024, 3, 31, 3, 0, 0, 1), utc(2024, 3, 31, 1, 0, 0, 1)},
    {"Europe/Berlin", civil(2024, 10, 27, 1, 59, 59), utc(2024, 10, 26, 23, 59, 59)},
    {"Europe/Berlin", civil(2024, 10, 27, 3), utc(2024, 10, 27, 2)},
    {"Europe/Berlin", civil(2025, 1, 1), utc(2024, 12, 31, 23)},
    {"America/New_York", civil(2023, 12, 31, 23, 59, 59, 500000),
     utc(2024, 1, 1, 4, 59, 59, 500000)},
    {"America/New_York", civil(2024, 3, 10, 1, 59, 59), utc(2024, 3, 10, 6, 59, 59)},
    {"America/New_York", civil(2024, 3, 10, 3), utc(2024, 3, 10, 7)},
    {"America/New_York", civil(2024, 11, 3, 2), utc(2024, 11, 3, 7)},
    {"America/New_York", civil(2024, 11, 3, 0, 59, 59), utc(2024, 11, 3, 4, 59, 59)},
    {"Australia/Lord_Howe", civil(2024, 7, 1, 10, 30), utc(2024, 7, 1)},
    {"Australia/Lord_Howe", civil(2024, 10, 6, 1, 59, 59), utc(2024, 10, 5, 15, 29, 59)},
    {"Australia/Lord_Howe", civil(2024, 10, 6, 2, 30), utc(2024, 10, 5, 15, 30)},
    {"Australia/Lord_Howe", civil(2025, 4, 6, 1, 29, 59), utc(2025, 4, 5, 14, 29, 59)},
    {"Australia/Lord_Howe", civil(2025, 4, 6, 2), utc(2025, 4, 5, 15, 30)},
    {"Asia/Kolkata", civil(2024, 7, 1), utc(2024, 6, 30, 18, 30)},
    {"Asia/Kathmandu", civil(2024, 7, 1), utc(2024, 6, 30, 18, 15)},
    {"Asia/Kathmandu", civil(1985, 12, 31, 23, 59, 59), utc(1985, 12, 31, 18, 29, 59)},
    {"Asia/Kathmandu", civil(1986, 1, 1, 0, 15), utc(1985, 12, 31, 18, 30)},
};

INSTANTIATE_TEST_SUITE_P(Normal, FromLocalTest, ::testing::ValuesIn(kNormal),
                         [](const ::testing::TestParamInfo<FromLocalCase>& info) {
                             return case_name(info.param.zone, static_cast<int>(info.index));
                         });

// Readings in a spring-forward gap: the first instant after the gap, the transition itself.
const FromLocalCase kGap[] = {
    {"Europe/Berlin", civil(2024, 3, 31, 2), utc(2024, 3, 31, 1)},
    {"Europe/Berlin", civil(2024, 3, 31, 2, 30), utc(2024, 3, 31, 1)},
    {"Europe/Berlin", civil(2024, 3, 31, 2, 59, 59, 999999), utc(2024, 3, 31, 1)},
    {"Europe/Berlin", civil(2025, 3, 30, 2, 0, 0, 1), utc(2025, 3, 30, 1)},
    {"America/New_York", civil(2024, 3, 10, 2), utc(2024, 3, 10, 7)},
    {"America/New_York", civil(2024, 3, 10, 2, 30), utc(2024, 3, 10, 7)},
    {"America/New_York", civil(2024, 3, 10, 2, 59, 59), utc(2024, 3, 10, 7)},
    {"America/New_York", civil(2025, 3, 9, 2, 15), utc(2025, 3, 9, 7)},
    {"Australia/Lord_Howe", civil(2024, 10, 6, 2), utc(2024, 10, 5, 15, 30)},
    {"Australia/Lord_Howe", civil(2024, 10, 6, 2, 15), utc(2024, 10, 5, 15, 30)},
    {"Australia/Lord_Howe", civil(2024, 10, 6, 2, 29, 59, 999999), utc(2024, 10, 5, 15, 30)},
    {"Australia/Lord_Howe", civil(2025, 10, 5, 2, 10), utc(2025, 10, 4, 15, 30)},
    {"Asia/Kathmandu", civil(1986, 1, 1), utc(1985, 12, 31, 18, 30)},
    {"Asia/Kathmandu", civil(1986, 1, 1, 0, 14, 59), utc(1985, 12, 31, 18, 30)},
};

INSTANTIATE_TEST_SUITE_P(SpringForwardGap, FromLocalTest, ::testing::ValuesIn(kGap),
                         [](const ::testing::TestParamInfo<FromLocalCase>& info) {
                             return case_name(info.param.zone, static_cast<int>(info.index));
                         });

// Readings the clock shows twice (fall back): the first occurrence.
const FromLocalCase kOverlap[] = {
    {"Europe/Berlin", civil(2024, 10, 27, 2), utc(2024, 10, 27, 0)},
    {"Europe/Berlin", civil(2024, 10, 27, 2, 30), utc(2024, 10, 27, 0, 30)},
    {"Europe/Berlin", civil(2024, 10, 27, 2, 59, 59, 999999), utc(2024, 10, 27, 0, 59, 59, 999999)},
    {"Europe/Berlin", civil(2025, 10, 26, 2, 15), utc(2025, 10, 26, 0, 15)},
    {"America/New_York", civil(2024, 11, 3, 1), utc(2024, 11, 3, 5)},
    {"America/New_York", civil(2024, 11, 3, 1, 30), utc(2024, 11, 3, 5, 30)},
    {"America/New_York", civil(2024, 11, 3, 1, 59, 59, 999999),
     utc(2024, 11, 3, 5, 59, 59, 999999)},
    {"Australia/Lord_Howe", civil(2025, 4, 6, 1, 30), utc(2025, 4, 5, 14, 30)},
    {"Australia/Lord_Howe", civil(2025, 4, 6, 1, 45), utc(2025, 4, 5, 14, 45)},
    {"Australia/Lord_Howe", civil(2025, 4, 6, 1, 59, 59), utc(2025, 4, 5, 14, 59, 59)},
    {"Australia/Lord_Howe", civil(2024, 4, 7, 1, 40), utc(2024, 4, 6, 14, 40)},
};

INSTANTIATE_TEST_SUITE_P(FallBackOverlap, FromLocalTest, ::testing::ValuesIn(kOverlap),
                         [](const ::testing::TestParamInfo<FromLocalCase>& info) {
                             return case_name(info.param.zone, static_cast<int>(info.index));
                         });

// --- properties over many instants ------------------------------------------------------------

class ZoneRoundTripTest : public ::testing::TestWithParam<const char*> {};

// to_local then from_local gives the instant back, except in the second pass through a fall-back
// overlap, where it gives the first occurrence of the same reading.
TEST_P(ZoneRoundTripTest, InstantToLocalAndBack) {
    const SystemZone zone(GetParam());
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<UtcMicros> dist(utc(2019, 1, 1), utc(2031, 1, 1));
    for (int i = 0; i < 20000; ++i) {
        const UtcMicros t = dist(rng);
        const CivilTime local = mvs::to_local(zone, t);
        const UtcMicros back = mvs::from_local(zone, local);
        if (back == t)
            continue;
        ASSERT_LT(back, t) << mvs_test::show(t);
        ASSERT_EQ(mvs::to_local(zone, back), local) << mvs_test::show(t);
        ASSERT_LE(t - back, 2 * kHour) << mvs_test::show(t);
    }
}

// Near every transition, to the second: the round trip holds on both sides.
TEST_P(ZoneRoundTripTest, InstantToLocalAndBackAroundTransitions) {
    const SystemZone zone(GetParam());
    const std::vector<UtcMicros> changes =
        mvs_test::offset_changes(zone, utc(2023, 1, 1), utc(2026, 1, 1));
    for (const UtcMicros change : changes) {
        const std::int64_t s = change / kSecond;
        ASSERT_NE(zone.utc_offset_seconds(s - 1), zone.utc_offset_seconds(s));
        for (std::int64_t d = -7200; d <= 7200; d += 1) {
            const UtcMicros t = (s + d) * kSecond;
            const CivilTime local = mvs::to_local(zone, t);
            const UtcMicros back = mvs::from_local(zone, local);
            ASSERT_TRUE(back == t || (back < t && mvs::to_local(zone, back) == local))
                << mvs_test::show(t) << " came back as " << mvs_test::show(back);
        }
    }
    const std::string name = GetParam();
    if (name == "Europe/Berlin" || name == "America/New_York" || name == "Australia/Lord_Howe")
        EXPECT_EQ(changes.size(), 6u) << name;
    else
        EXPECT_EQ(changes.size(), 0u) << name;
}

// Every wall reading maps to an instant that shows it, unless the clock skips it: then to the
// transition, the first instant that shows a later reading.
TEST_P(ZoneRoundTripTest, LocalToInstantAndBack) {
    const SystemZone zone(GetParam());
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<std::int64_t> dist(mvs::wall_micros(civil(2019, 1, 1)),
                                                     mvs::wall_micros(civil(2031, 1, 1)));
    for (int i = 0; i < 20000; ++i) {
        const CivilTime local = mvs::civil_from_wall_micros(dist(rng));
        const UtcMicros t = mvs::from_local(zone, local);
        const CivilTime shown = mvs::to_local(zone, t);
        if (shown == local) {
            // The first occurrence: the clock did not show this reading one DST shift earlier.
            for (std::int64_t shift : {30 * kMinute, kHour})
                ASSERT_NE(mvs::to_local(zone, t - shift), local) << mvs_test::show(t);
            continue;
        }
        ASSERT_GT(mvs::wall_micros(shown), mvs::wall_micros(local));
        ASSERT_LT(mvs::wall_micros(mvs::to_local(zone, t - 1)), mvs::wall_micros(local));
    }
}

INSTANTIATE_TEST_SUITE_P(TimeZone, ZoneRoundTripTest,
                         ::testing::Values("UTC", "Europe/Berlin", "America/New_York",
                                           "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                             return case_name(info.param, static_cast<int>(info.index));
                         });

// --- FixedOffsetZone --------------------------------------------------------------------------

class FixedOffsetTest : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(FixedOffsetTest, ShiftsByTheOffsetBothWays) {
    const std::int64_t offset = GetParam();
    const mvs::FixedOffsetZone zone(offset);
    EXPECT_EQ(zone.utc_offset_seconds(0), offset);
    EXPECT_EQ(zone.utc_offset_seconds(utc(2024, 3, 31, 1) / kSecond), offset);
    std::mt19937_64 rng(static_cast<std::uint64_t>(offset + 100000));
    std::uniform_int_distribution<UtcMicros> dist(utc(1800, 1, 1), utc(2200, 1, 1));
    for (int i = 0; i < 5000; ++i) {
        const UtcMicros t = dist(rng);
        const CivilTime local = mvs::to_local(zone, t);
        ASSERT_EQ(mvs::wall_micros(local) - t, offset * kSecond) << mvs_test::show(t);
        ASSERT_EQ(mvs::from_local(zone, local), t) << mvs_test::show(t);
    }
}

INSTANTIATE_TEST_SUITE_P(TimeZone, FixedOffsetTest,
                         ::testing::Values(0, 3600, -3600, 19800, 20700, -28800, 50400, -43200,
                                           1172, -2670));

TEST(TimeZone, FixedOffsetKnownReadings) {
    EXPECT_EQ(mvs::to_local(mvs::FixedOffsetZone(19800), utc(2024, 1, 1)),
              civil(2024, 1, 1, 5, 30));
    EXPECT_EQ(mvs::to_local(mvs::FixedOffsetZone(-28800), utc(2024, 1, 1)),
              civil(2023, 12, 31, 16));
    EXPECT_EQ(mvs::to_local(mvs::FixedOffsetZone(0), -1), civil(1969, 12, 31, 23, 59, 59, 999999));
    EXPECT_EQ(mvs::to_local(mvs::FixedOffsetZone(3600), -1), civil(1970, 1, 1, 0, 59, 59, 999999));
    EXPECT_INSTANT_EQ(mvs::from_local(mvs::FixedOffsetZone(-3600), civil(1970, 1, 1)),
                      3600 * kSecond);
    EXPECT_INSTANT_EQ(
        mvs::from_local(mvs::FixedOffsetZone(3600), civil(1969, 12, 31, 23, 59, 59, 999999)),
        -3600 * kSecond - 1);
    EXPECT_INSTANT_EQ(mvs::from_local(mvs::FixedOffsetZone(50400), civil(2024, 1, 1)),
                      utc(2023, 12, 31, 10));
}

// --- zones with odd offsets and odd transition instants --------------------------------------

// A local-mean-time style change at an odd second: +00:19:32 to +01:19:32 (a one hour gap) and
// back (a one hour overlap).
TEST(TimeZone, GapAtAnOddSecondMapsToTheTransition) {
    const std::int64_t transition = utc(1916, 4, 30, 23, 40, 28) / kSecond;
    const mvs_test::StepZone zone(1172, transition, 4772);
    EXPECT_EQ(mvs::to_local(zone, transition * kSecond - 1),
              civil(1916, 4, 30, 23, 59, 59, 999999));
    EXPECT_EQ(mvs::to_local(zone, transition * kSecond), civil(1916, 5, 1, 1));
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 5, 1)), transition * kSecond);
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 5, 1, 0, 59, 59, 999999)),
                      transition * kSecond);
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 5, 1, 1)), transition * kSecond);
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 4, 30, 23, 59, 59)),
                      transition * kSecond - kSecond);
}

TEST(TimeZone, OverlapAtAnOddSecondMapsToTheFirstOccurrence) {
    const std::int64_t transition = utc(1916, 9, 30, 22, 40, 28) / kSecond;
    const mvs_test::StepZone zone(4772, transition, 1172);
    EXPECT_EQ(mvs::to_local(zone, transition * kSecond), civil(1916, 9, 30, 23));
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 9, 30, 23)), transition * kSecond - kHour);
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 9, 30, 23, 59, 59)),
                      transition * kSecond - kSecond);
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 10, 1)), transition * kSecond + kHour);
    EXPECT_INSTANT_EQ(mvs::from_local(zone, civil(1916, 9, 30, 22, 59)),
                      transition * kSecond - kHour - kMinute);
}

} // namespace

// The one search for a change of offset that from_local, cron and the sub-day words share.
TEST(TimeZone, FirstOffsetChangeFindsTheTransitionSecond) {
    const std::int64_t transition = 1000003;
    const mvs_test::StepZone zone(3600, transition, 7200);
    for (std::int64_t lo : {transition - 1, transition - 2, transition - 1000000, std::int64_t{0}})
        for (std::int64_t hi : {transition, transition + 1, transition + 999999})
            EXPECT_EQ(mvs::first_offset_change(zone, 3600, lo, hi), transition)
                << "lo " << lo << " hi " << hi;
}
