// Cron lines: parsing (every syntax form, every error), matching, and the next matching
// wall-clock reading (no time zone). Zones and daylight saving are in cron_zone_test.cpp, random
// lines against a brute-force model in cron_property_test.cpp.
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/civil_time.hpp"
#include "core/cron.hpp"
#include "core/time_zone.hpp"
#include "test_support.hpp"

namespace {

using mvs::CivilTime;
using mvs::CronParse;
using mvs::CronSpec;
using mvs_test::civil;

std::uint64_t bits(std::initializer_list<int> values) {
    std::uint64_t mask = 0;
    for (int v : values)
        mask |= std::uint64_t{1} << v;
    return mask;
}

std::uint64_t span(int lo, int hi, int step = 1) {
    std::uint64_t mask = 0;
    for (int v = lo; v <= hi; v += step)
        mask |= std::uint64_t{1} << v;
    return mask;
}

const std::uint64_t kZero = bits({0});
const std::uint64_t kAllMinutes = span(0, 59);
const std::uint64_t kAllHours = span(0, 23);
const std::uint64_t kAllDays = span(1, 31);
const std::uint64_t kAllMonths = span(1, 12);
const std::uint64_t kAllWeekdays = span(0, 6);

// flags: 'L' last day, 'D' day-of-month starts with '*', 'W' day-of-week starts with '*'.
CronSpec spec(std::uint64_t seconds, std::uint64_t minutes, std::uint64_t hours, std::uint64_t days,
              std::uint64_t months, std::uint64_t weekdays, const char* flags) {
    CronSpec s;
    s.seconds = seconds;
    s.minutes = minutes;
    s.hours = static_cast<std::uint32_t>(hours);
    s.days = static_cast<std::uint32_t>(days);
    s.months = static_cast<std::uint16_t>(months);
    s.weekdays = static_cast<std::uint8_t>(weekdays);
    s.last_day = std::strchr(flags, 'L') != nullptr;
    s.days_star = std::strchr(flags, 'D') != nullptr;
    s.weekdays_star = std::strchr(flags, 'W') != nullptr;
    return s;
}

CronSpec parsed(const std::string& line) {
    const CronParse r = mvs::parse_cron(line);
    EXPECT_TRUE(r.ok) << "'" << line << "': " << r.message;
    return r.spec;
}

std::string test_name(const std::string& text, int index) {
    std::string name = "c" + std::to_string(index) + "_";
    for (char c : text)
        name += isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return name;
}

// ============================================================================================
// Every syntax form
// ============================================================================================

struct SpecCase {
    const char* line;
    CronSpec expected;
};

class CronSyntaxTest : public ::testing::TestWithParam<SpecCase> {};

TEST_P(CronSyntaxTest, ParsesToTheMasks) {
    const CronParse r = mvs::parse_cron(GetParam().line);
    ASSERT_TRUE(r.ok) << "'" << GetParam().line << "': " << r.message;
    EXPECT_EQ(r.spec, GetParam().expected) << "'" << GetParam().line << "'";
    EXPECT_STREQ(r.message, "");
}

TEST_P(CronSyntaxTest, IsSeenAsCron) {
    EXPECT_TRUE(mvs::looks_like_cron(GetParam().line)) << "'" << GetParam().line << "'";
}

TEST_P(CronSyntaxTest, IgnoresCaseAndSpacing) {
    std::string upper;
    for (char c : std::string(GetParam().line)) {
        upper += static_cast<char>(toupper(static_cast<unsigned char>(c)));
        if (c == ' ')
            upper += "\t ";
    }
    EXPECT_EQ(parsed("  " + upper + " \n"), GetParam().expected) << "'" << upper << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Cron, CronSyntaxTest,
    ::testing::Values(
        // Stars, values, lists, ranges, steps.
        SpecCase{"* * * * *",
                 spec(kZero, kAllMinutes, kAllHours, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"0 0 * * *", spec(kZero, kZero, kZero, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"*/15 * * * *", spec(kZero, bits({0, 15, 30, 45}), kAllHours, kAllDays, kAllMonths,
                                      kAllWeekdays, "DW")},
        SpecCase{"5/15 * * * *", spec(kZero, bits({5, 20, 35, 50}), kAllHours, kAllDays, kAllMonths,
                                      kAllWeekdays, "DW")},
        SpecCase{"0-10/3 * * * *", spec(kZero, bits({0, 3, 6, 9}), kAllHours, kAllDays, kAllMonths,
                                        kAllWeekdays, "DW")},
        SpecCase{"1,2,3 * * * *",
                 spec(kZero, bits({1, 2, 3}), kAllHours, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"1-5,10-12,30 * * * *", spec(kZero, span(1, 5) | span(10, 12) | bits({30}),
                                              kAllHours, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"30,0 12-13 * * *", spec(kZero, bits({0, 30}), bits({12, 13}), kAllDays,
                                          kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"0 0-23/6 * * *", spec(kZero, kZero, bits({0, 6, 12, 18}), kAllDays, kAllMonths,
                                        kAllWeekdays, "DW")},
        SpecCase{"*/59 * * * *",
                 spec(kZero, bits({0, 59}), kAllHours, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"*/5,7 * * * *", spec(kZero, span(0, 55, 5) | bits({7}), kAllHours, kAllDays,
                                       kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"05 09 * * *",
                 spec(kZero, bits({5}), bits({9}), kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"59 23 31 12 *",
                 spec(kZero, bits({59}), bits({23}), bits({31}), bits({12}), kAllWeekdays, "W")},
        SpecCase{"0 12 * * 1-1",
                 spec(kZero, kZero, bits({12}), kAllDays, kAllMonths, bits({1}), "D")},
        // '?' is '*'.
        SpecCase{"? ? ? ? ?",
                 spec(kZero, kAllMinutes, kAllHours, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"0 0 ? * mon", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({1}), "D")},
        SpecCase{"0 0 1 * ?", spec(kZero, kZero, kZero, bits({1}), kAllMonths, kAllWeekdays, "W")},
        // Month names, month steps.
        SpecCase{"0 0 1 jan *", spec(kZero, kZero, kZero, bits({1}), bits({1}), kAllWeekdays, "W")},
        SpecCase{"0 0 1 JAN-Mar *",
                 spec(kZero, kZero, kZero, bits({1}), span(1, 3), kAllWeekdays, "W")},
        SpecCase{"0 0 1 jan-dec/2 *",
                 spec(kZero, kZero, kZero, bits({1}), span(1, 11, 2), kAllWeekdays, "W")},
        SpecCase{"0 0 1 */3 *",
                 spec(kZero, kZero, kZero, bits({1}), bits({1, 4, 7, 10}), kAllWeekdays, "W")},
        SpecCase{"0 0 1 1/4 *",
                 spec(kZero, kZero, kZero, bits({1}), bits({1, 5, 9}), kAllWeekdays, "W")},
        SpecCase{"0 0 1 nov,Dec,1 *",
                 spec(kZero, kZero, kZero, bits({1}), bits({1, 11, 12}), kAllWeekdays, "W")},
        // Weekday names, 7 = Sunday, ranges ending on Sunday.
        SpecCase{"0 0 * * mon-fri",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, span(1, 5), "D")},
        SpecCase{"0 0 * * MON,wed,FRI",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({1, 3, 5}), "D")},
        SpecCase{"0 0 * * sun", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0}), "D")},
        SpecCase{"0 0 * * 7", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0}), "D")},
        SpecCase{"0 0 * * 0,7", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0}), "D")},
        SpecCase{"0 0 * * 0-0", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0}), "D")},
        SpecCase{"0 0 * * 5-0",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({5, 6, 0}), "D")},
        SpecCase{"0 0 * * fri-sun",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({5, 6, 0}), "D")},
        SpecCase{"0 0 * * 5-7",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({5, 6, 0}), "D")},
        SpecCase{"0 0 * * sat-sun",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({6, 0}), "D")},
        SpecCase{"0 0 * * 7-0", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0}), "D")},
        SpecCase{"0 0 * * 0-7", spec(kZero, kZero, kZero, kAllDays, kAllMonths, kAllWeekdays, "D")},
        SpecCase{"0 0 * * */2",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0, 2, 4, 6}), "DW")},
        SpecCase{"0 0 * * 1/2",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({1, 3, 5}), "D")},
        SpecCase{"0 0 * * 1-7/2",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({1, 3, 5, 0}), "D")},
        SpecCase{"0 0 * * mon-fri/2",
                 spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({1, 3, 5}), "D")},
        // Day of month: L and $, steps, both day fields restricted.
        SpecCase{"0 0 L * *", spec(kZero, kZero, kZero, 0, kAllMonths, kAllWeekdays, "LW")},
        SpecCase{"0 0 l * *", spec(kZero, kZero, kZero, 0, kAllMonths, kAllWeekdays, "LW")},
        SpecCase{"0 0 $ * *", spec(kZero, kZero, kZero, 0, kAllMonths, kAllWeekdays, "LW")},
        SpecCase{"0 0 1,15,L * *",
                 spec(kZero, kZero, kZero, bits({1, 15}), kAllMonths, kAllWeekdays, "LW")},
        SpecCase{"0 0 L 2 *", spec(kZero, kZero, kZero, 0, bits({2}), kAllWeekdays, "LW")},
        SpecCase{"0 0 L * 1", spec(kZero, kZero, kZero, 0, kAllMonths, bits({1}), "L")},
        SpecCase{"0 0 */2 * *",
                 spec(kZero, kZero, kZero, span(1, 31, 2), kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"0 0 */31 * *",
                 spec(kZero, kZero, kZero, bits({1}), kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"0 0 2/5 * *",
                 spec(kZero, kZero, kZero, span(2, 31, 5), kAllMonths, kAllWeekdays, "W")},
        SpecCase{"0 0 1-31/10 * *",
                 spec(kZero, kZero, kZero, bits({1, 11, 21, 31}), kAllMonths, kAllWeekdays, "W")},
        SpecCase{"0 0 */2 * 5",
                 spec(kZero, kZero, kZero, span(1, 31, 2), kAllMonths, bits({5}), "D")},
        SpecCase{"0 0 ?/2 * 5",
                 spec(kZero, kZero, kZero, span(1, 31, 2), kAllMonths, bits({5}), "D")},
        SpecCase{"0 0 13 * 5", spec(kZero, kZero, kZero, bits({13}), kAllMonths, bits({5}), "")},
        SpecCase{"0 0 1-31 * 5", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({5}), "")},
        // Days that only some months have: fine while one allowed month has them.
        SpecCase{"0 0 29 2 *", spec(kZero, kZero, kZero, bits({29}), bits({2}), kAllWeekdays, "W")},
        SpecCase{"0 0 30 1,2 *",
                 spec(kZero, kZero, kZero, bits({30}), bits({1, 2}), kAllWeekdays, "W")},
        SpecCase{"0 0 31 2,3 *",
                 spec(kZero, kZero, kZero, bits({31}), bits({2, 3}), kAllWeekdays, "W")},
        // Feb 30 never comes, but every Friday in February does.
        SpecCase{"0 0 30 2 5", spec(kZero, kZero, kZero, bits({30}), bits({2}), bits({5}), "")},
        // 6 fields: seconds first.
        SpecCase{"* * * * * *", spec(kAllMinutes, kAllMinutes, kAllHours, kAllDays, kAllMonths,
                                     kAllWeekdays, "DW")},
        SpecCase{"30 0 0 * * *",
                 spec(bits({30}), kZero, kZero, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"*/10 * * * * *", spec(span(0, 50, 10), kAllMinutes, kAllHours, kAllDays,
                                        kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"15,45 * * * * *", spec(bits({15, 45}), kAllMinutes, kAllHours, kAllDays,
                                         kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"0 30 9 * * mon-fri",
                 spec(kZero, bits({30}), bits({9}), kAllDays, kAllMonths, span(1, 5), "D")},
        SpecCase{"59 59 23 31 12 *", spec(bits({59}), bits({59}), bits({23}), bits({31}),
                                          bits({12}), kAllWeekdays, "W")},
        SpecCase{"0 0 0 L 2 *", spec(kZero, kZero, kZero, 0, bits({2}), kAllWeekdays, "LW")},
        // Macros.
        SpecCase{"@hourly",
                 spec(kZero, kZero, kAllHours, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"@daily", spec(kZero, kZero, kZero, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"@midnight", spec(kZero, kZero, kZero, kAllDays, kAllMonths, kAllWeekdays, "DW")},
        SpecCase{"@weekly", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0}), "D")},
        SpecCase{"@monthly", spec(kZero, kZero, kZero, bits({1}), kAllMonths, kAllWeekdays, "W")},
        SpecCase{"@yearly", spec(kZero, kZero, kZero, bits({1}), bits({1}), kAllWeekdays, "W")},
        SpecCase{"@annually", spec(kZero, kZero, kZero, bits({1}), bits({1}), kAllWeekdays, "W")},
        SpecCase{"@Weekly", spec(kZero, kZero, kZero, kAllDays, kAllMonths, bits({0}), "D")}),
    [](const ::testing::TestParamInfo<SpecCase>& info) {
        return test_name(info.param.line, static_cast<int>(info.index));
    });

TEST(Cron, MacrosAreTheirLines) {
    EXPECT_EQ(parsed("@hourly"), parsed("0 * * * *"));
    EXPECT_EQ(parsed("@daily"), parsed("0 0 * * *"));
    EXPECT_EQ(parsed("@midnight"), parsed("0 0 * * *"));
    EXPECT_EQ(parsed("@weekly"), parsed("0 0 * * 0"));
    EXPECT_EQ(parsed("@weekly"), parsed("0 0 * * sun"));
    EXPECT_EQ(parsed("@monthly"), parsed("0 0 1 * *"));
    EXPECT_EQ(parsed("@yearly"), parsed("0 0 1 1 *"));
    EXPECT_EQ(parsed("@annually"), parsed("0 0 1 jan *"));
    // A 5-field line is a 6-field line with second 0.
    EXPECT_EQ(parsed("*/5 1-3 * jan mon"), parsed("0 */5 1-3 * jan mon"));
    EXPECT_EQ(parsed("0 0 L * *"), parsed("0 0 0 $ * *"));
}

TEST(Cron, SpellingsOfTheSameSet) {
    EXPECT_EQ(parsed("0 0 * * 0"), parsed("0 0 * * 7"));
    EXPECT_EQ(parsed("0 0 * * 1,2,3,4,5"), parsed("0 0 * * mon-fri"));
    EXPECT_EQ(parsed("0 0 * * 1-5"), parsed("0 0 * * MON-FRI"));
    EXPECT_EQ(parsed("0 0 * * 5-0"), parsed("0 0 * * 0,5,6"));
    EXPECT_EQ(parsed("0 0 1 1-12 *"), parsed("0 0 1 jan-dec *"));
    EXPECT_EQ(parsed("0,15,30,45 * * * *"), parsed("*/15 * * * *"));
    EXPECT_EQ(parsed("0-59/15 * * * *"), parsed("*/15 * * * *"));
    EXPECT_EQ(parsed("0/15 * * * *"), parsed("*/15 * * * *"));
    EXPECT_EQ(parsed("0 0 L * *"), parsed("0 0 $ * *"));
    EXPECT_EQ(parsed("0 0 1 * *"), parsed("00 000 01 * *"));
    // The star flag follows the first character, not the set: Vixie cron's rule.
    EXPECT_FALSE(parsed("0 0 * * 5") == parsed("0 0 1-31 * 5"));
    EXPECT_FALSE(parsed("0 0 */1 * 5") == parsed("0 0 1/1 * 5"));
}

// ============================================================================================
// Every error, with the field named and the value shown
// ============================================================================================

struct ErrorCase {
    const char* line;
    const char* message;
};

class CronErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CronErrorTest, SaysWhatIsWrong) {
    const CronParse r = mvs::parse_cron(GetParam().line);
    EXPECT_FALSE(r.ok) << "'" << GetParam().line << "'";
    EXPECT_STREQ(r.message, GetParam().message) << "'" << GetParam().line << "'";
    EXPECT_LT(std::strlen(r.message), sizeof r.message);
}

#define FIELDS_NOT(n)                                                                              \
    "a cron line has 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds "    \
    "first), not " #n

INSTANTIATE_TEST_SUITE_P(
    Cron, CronErrorTest,
    ::testing::Values(
        // Field count.
        ErrorCase{"", FIELDS_NOT(0)}, ErrorCase{" \t ", FIELDS_NOT(0)},
        ErrorCase{"*", FIELDS_NOT(1)}, ErrorCase{"* * * *", FIELDS_NOT(4)},
        ErrorCase{"* * * * * * *", FIELDS_NOT(7)}, ErrorCase{"1 2 3 4 5 6 7 8", FIELDS_NOT(8)},
        ErrorCase{"@daily 5", FIELDS_NOT(2)},
        // Values out of range.
        ErrorCase{"60 * * * *", "cron field minute value 60 is out of range (0-59)"},
        ErrorCase{"* 24 * * *", "cron field hour value 24 is out of range (0-23)"},
        ErrorCase{"* * 0 * *", "cron field day-of-month value 0 is out of range (1-31)"},
        ErrorCase{"* * 32 * *", "cron field day-of-month value 32 is out of range (1-31)"},
        ErrorCase{"* * * 0 *", "cron field month value 0 is out of range (1-12)"},
        ErrorCase{"* * * 13 *", "cron field month value 13 is out of range (1-12)"},
        ErrorCase{"* * * * 8", "cron field day-of-week value 8 is out of range (0-7)"},
        ErrorCase{"60 * * * * *", "cron field second value 60 is out of range (0-59)"},
        ErrorCase{"0 60 * * * *", "cron field minute value 60 is out of range (0-59)"},
        ErrorCase{"0 0 24 * * *", "cron field hour value 24 is out of range (0-23)"},
        ErrorCase{"0 0 0 0 * *", "cron field day-of-month value 0 is out of range (1-31)"},
        ErrorCase{"0 0 0 1 13 *", "cron field month value 13 is out of range (1-12)"},
        ErrorCase{"0 0 0 1 1 8", "cron field day-of-week value 8 is out of range (0-7)"},
        ErrorCase{"1-60 * * * *", "cron field minute value 60 is out of range (0-59)"},
        ErrorCase{"0 0 0-5 * *", "cron field day-of-month value 0 is out of range (1-31)"},
        ErrorCase{"0 0 * 0-5 *", "cron field month value 0 is out of range (1-12)"},
        ErrorCase{"0 0 * * 1-8", "cron field day-of-week value 8 is out of range (0-7)"},
        ErrorCase{"0 0 * * 8-0", "cron field day-of-week value 8 is out of range (0-7)"},
        ErrorCase{"0 0 * * 9/2", "cron field day-of-week value 9 is out of range (0-7)"},
        ErrorCase{"1,2,99 * * * *", "cron field minute value 99 is out of range (0-59)"},
        // The value as written, however long.
        ErrorCase{"99999 * * * *", "cron field minute value 99999 is out of range (0-59)"},
        ErrorCase{"0 123456789012345678901234567890 * * *",
                  "cron field hour value 123456789012345678901234567890 is out of range (0-23)"},
        ErrorCase{"0 0 1-100000 * *",
                  "cron field day-of-month value 100000 is out of range (1-31)"},
        // The first bad field is reported.
        ErrorCase{"60 24 * * *", "cron field minute value 60 is out of range (0-59)"},
        // Steps.
        ErrorCase{"*/0 * * * *", "cron field minute step 0 is out of range (1-59)"},
        ErrorCase{"*/60 * * * *", "cron field minute step 60 is out of range (1-59)"},
        ErrorCase{"0 */24 * * *", "cron field hour step 24 is out of range (1-23)"},
        ErrorCase{"0 0 */32 * *", "cron field day-of-month step 32 is out of range (1-31)"},
        ErrorCase{"0 0 * */13 *", "cron field month step 13 is out of range (1-12)"},
        ErrorCase{"0 0 * * */8", "cron field day-of-week step 8 is out of range (1-7)"},
        ErrorCase{"*/0 * * * * *", "cron field second step 0 is out of range (1-59)"},
        ErrorCase{"1-5/0 * * * *", "cron field minute step 0 is out of range (1-59)"},
        ErrorCase{"*/99999 * * * *", "cron field minute step 99999 is out of range (1-59)"},
        ErrorCase{"*/ * * * *", "cron field minute has an invalid step in \"*/\""},
        ErrorCase{"*/x * * * *", "cron field minute has an invalid step in \"*/x\""},
        ErrorCase{"*/1/2 * * * *", "cron field minute has an invalid step in \"*/1/2\""},
        ErrorCase{"*/-1 * * * *", "cron field minute has an invalid step in \"*/-1\""},
        ErrorCase{"*/+1 * * * *", "cron field minute has an invalid step in \"*/+1\""},
        ErrorCase{"0 0 * * */mon", "cron field day-of-week has an invalid step in \"*/mon\""},
        // Values that are not values.
        ErrorCase{"a * * * *", "cron field minute has an invalid value \"a\""},
        ErrorCase{"mon * * * *", "cron field minute has an invalid value \"mon\""},
        ErrorCase{"0 0 * mon *", "cron field month has an invalid value \"mon\""},
        ErrorCase{"0 0 * * jan", "cron field day-of-week has an invalid value \"jan\""},
        ErrorCase{"0 0 * * monday", "cron field day-of-week has an invalid value \"monday\""},
        ErrorCase{"0 0 * january *", "cron field month has an invalid value \"january\""},
        ErrorCase{"0 0 * * l", "cron field day-of-week has an invalid value \"l\""},
        ErrorCase{"l * * * *", "cron field minute has an invalid value \"l\""},
        ErrorCase{"0 0 * $ *", "cron field month has an invalid value \"$\""},
        ErrorCase{"1- * * * *", "cron field minute has an invalid value \"1-\""},
        ErrorCase{"-1 * * * *", "cron field minute has an invalid value \"-1\""},
        ErrorCase{"1-2-3 * * * *", "cron field minute has an invalid value \"1-2-3\""},
        ErrorCase{"1.5 * * * *", "cron field minute has an invalid value \"1.5\""},
        ErrorCase{"/5 * * * *", "cron field minute has an invalid value \"/5\""},
        ErrorCase{"*-5 * * * *", "cron field minute has an invalid value \"*-5\""},
        ErrorCase{"0 0 ?? * *", "cron field day-of-month has an invalid value \"??\""},
        ErrorCase{"0 0 l/2 * *", "cron field day-of-month has an invalid value \"l/2\""},
        ErrorCase{"0 0 l-3 * *", "cron field day-of-month has an invalid value \"l-3\""},
        ErrorCase{"0 0 $1 * *", "cron field day-of-month has an invalid value \"$1\""},
        ErrorCase{"0 0 1w * *", "cron field day-of-month has an invalid value \"1w\""},
        ErrorCase{"0 0 * * 5#3", "cron field day-of-week has an invalid value \"5#3\""},
        // Ranges that run backwards.
        ErrorCase{"5-1 * * * *", "cron field minute range 5-1 runs backwards"},
        ErrorCase{"0 23-1 * * *", "cron field hour range 23-1 runs backwards"},
        ErrorCase{"0 0 20-10 * *", "cron field day-of-month range 20-10 runs backwards"},
        ErrorCase{"0 0 * dec-jan *", "cron field month range 12-1 runs backwards"},
        ErrorCase{"0 0 * * 6-1", "cron field day-of-week range 6-1 runs backwards"},
        ErrorCase{"0 0 * * 7-1", "cron field day-of-week range 7-1 runs backwards"},
        // Empty list items.
        ErrorCase{"1,,2 * * * *", "cron field minute has an empty list item in \"1,,2\""},
        ErrorCase{"1, * * * *", "cron field minute has an empty list item in \"1,\""},
        ErrorCase{",1 * * * *", "cron field minute has an empty list item in \",1\""},
        ErrorCase{"0 0 * * mon,", "cron field day-of-week has an empty list item in \"mon,\""},
        ErrorCase{"0 0 , * *", "cron field day-of-month has an empty list item in \",\""},
        // Lines that can never fire.
        ErrorCase{"0 0 30 2 *", "cron line \"0 0 30 2 *\" can never fire: no allowed month has "
                                "that day"},
        ErrorCase{"0 0 31 2 *", "cron line \"0 0 31 2 *\" can never fire: no allowed month has "
                                "that day"},
        ErrorCase{"0 0 30,31 feb *", "cron line \"0 0 30,31 feb *\" can never fire: no allowed "
                                     "month has that day"},
        ErrorCase{"0 0 31 4,6,9,11 *", "cron line \"0 0 31 4,6,9,11 *\" can never fire: no "
                                       "allowed month has that day"},
        ErrorCase{"0 0 31 2 ?", "cron line \"0 0 31 2 ?\" can never fire: no allowed month has "
                                "that day"},
        ErrorCase{"0 0 0 31 apr *", "cron line \"0 0 0 31 apr *\" can never fire: no allowed "
                                    "month has that day"},
        // Macros.
        ErrorCase{"@reboot", "unknown cron macro \"@reboot\" (use @hourly, @daily, @midnight, "
                             "@weekly, @monthly, @yearly or @annually)"},
        ErrorCase{"@Every", "unknown cron macro \"@Every\" (use @hourly, @daily, @midnight, "
                            "@weekly, @monthly, @yearly or @annually)"},
        ErrorCase{"@", "unknown cron macro \"@\" (use @hourly, @daily, @midnight, @weekly, "
                       "@monthly, @yearly or @annually)"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
        return test_name(info.param.line, static_cast<int>(info.index));
    });

TEST(Cron, ErrorLeavesNoSpec) {
    const CronParse r = mvs::parse_cron("0 0 30 2 *");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.spec, CronSpec());
}

TEST(Cron, NeverFiringMessageKeepsLongLinesShort) {
    std::string line = "0 0 30";
    for (int i = 0; i < 60; ++i)
        line += ",30";
    line += " 2 *";
    const CronParse r = mvs::parse_cron(line);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(std::string(r.message).find("can never fire"), std::string::npos) << r.message;
    EXPECT_LT(std::strlen(r.message), sizeof r.message);
}

TEST(Cron, VeryLongFieldsDoNotOverflowTheMessage) {
    const std::string junk(1000, 'x');
    for (const std::string& line :
         {junk + " * * * *", "*/" + junk + " * * * *", "1," + junk + " * * * *",
          "0 0 " + std::string(500, '1') + " * *", "@" + junk, "1,," + junk + " * * * *"}) {
        const CronParse r = mvs::parse_cron(line);
        EXPECT_FALSE(r.ok) << line.substr(0, 40);
        EXPECT_GT(std::strlen(r.message), 0u);
        EXPECT_LT(std::strlen(r.message), sizeof r.message);
    }
}

// ============================================================================================
// Which text is meant as cron
// ============================================================================================

struct LooksCase {
    const char* text;
    bool cron;
};

class LooksLikeCronTest : public ::testing::TestWithParam<LooksCase> {};

TEST_P(LooksLikeCronTest, Decides) {
    EXPECT_EQ(mvs::looks_like_cron(GetParam().text), GetParam().cron)
        << "'" << GetParam().text << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Cron, LooksLikeCronTest,
    ::testing::Values(
        // Cron: 5 or 6 fields of cron syntax, cron punctuation, or a macro.
        LooksCase{"* * * * *", true}, LooksCase{"0 0 1 1 1", true}, LooksCase{"1 2 3 4 5 6", true},
        LooksCase{"0 0 * * mon", true}, LooksCase{"0 0 1 jan mon", true}, LooksCase{"@daily", true},
        LooksCase{"@reboot", true}, LooksCase{"@DAILY", true}, LooksCase{"*/5", true},
        LooksCase{"1,2", true}, LooksCase{"0 9 * mon-fri", true}, LooksCase{"0 0 1 * * * *", true},
        LooksCase{"?", true}, LooksCase{"0 0 $ * *", true}, LooksCase{"0 0 L * *", true},
        LooksCase{"60 * * * *", true}, LooksCase{"0 0 30 2 *", true},
        LooksCase{"0 9 * * mon-fri", true}, LooksCase{"1 2 3 4 5", true},
        LooksCase{"0 9 1 jan-mar", true}, LooksCase{"0 9 * * MON-FRI", true},
        // Not cron: intervals and words, which go elsewhere.
        LooksCase{"", false}, LooksCase{" ", false}, LooksCase{"5 minutes", false},
        LooksCase{"30 seconds", false}, LooksCase{"1 day", false},
        LooksCase{"every 5 minutes", false}, LooksCase{"01:30:00", false},
        LooksCase{"@ 1 hour", false}, LooksCase{"@1 hour", false}, LooksCase{"P1D", false},
        LooksCase{"1-2", false}, LooksCase{"10", false}, LooksCase{"1 2", false},
        LooksCase{"1 2 3", false}, LooksCase{"hourly", false}, LooksCase{"daily", false},
        LooksCase{"once", false}, LooksCase{"1 day 2 hours", false},
        LooksCase{"1 year 2 mons", false},
        // PostgreSQL's own interval units that look like cron names: "mon" is a month (how
        // PostgreSQL prints one: '1 mon'), "dec" a decade.
        LooksCase{"1 mon", false}, LooksCase{"2 mon", false}, LooksCase{"1 MON", false},
        LooksCase{"3 dec", false}, LooksCase{"1 mon 2 dec", false}, LooksCase{"-1 mon", false},
        LooksCase{"1 dec 3", false}),
    [](const ::testing::TestParamInfo<LooksCase>& info) {
        return test_name(info.param.text, static_cast<int>(info.index));
    });

// ============================================================================================
// Matching a wall-clock reading
// ============================================================================================

struct MatchCase {
    const char* line;
    CivilTime at;
    bool matches;
};

class CronMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(CronMatchTest, Matches) {
    EXPECT_EQ(mvs::cron_matches(parsed(GetParam().line), GetParam().at), GetParam().matches)
        << "'" << GetParam().line << "' at " << ::testing::PrintToString(GetParam().at);
}

INSTANTIATE_TEST_SUITE_P(
    Cron, CronMatchTest,
    ::testing::Values(
        // Vixie: both day fields restricted, either one matching is enough.
        MatchCase{"0 0 13 * 5", civil(2024, 9, 13), true},   // Friday the 13th
        MatchCase{"0 0 13 * 5", civil(2024, 9, 6), true},    // a Friday
        MatchCase{"0 0 13 * 5", civil(2024, 10, 13), true},  // a 13th, Sunday
        MatchCase{"0 0 13 * 5", civil(2024, 10, 14), false}, // Monday the 14th
        MatchCase{"0 0 13 * 5", civil(2024, 9, 13, 0, 1), false},
        // Only day-of-week restricted: Fridays only.
        MatchCase{"0 0 * * 5", civil(2024, 9, 13), true},
        MatchCase{"0 0 * * 5", civil(2024, 10, 13), false},
        MatchCase{"0 0 * * fri", civil(2024, 9, 6), true},
        // Day-of-month starts with '*': both must match.
        MatchCase{"0 0 */2 * 5", civil(2024, 9, 13), true},  // odd day, Friday
        MatchCase{"0 0 */2 * 5", civil(2024, 9, 6), false},  // even day, Friday
        MatchCase{"0 0 */2 * 5", civil(2024, 9, 15), false}, // odd day, Sunday
        MatchCase{"0 0 ?/2 * 5", civil(2024, 9, 13), true},  // '?' is '*': both must match
        MatchCase{"0 0 ?/2 * 5", civil(2024, 9, 6), false},
        MatchCase{"0 0 ?/2 * 5", civil(2024, 9, 15), false},
        MatchCase{"0 0 ? * 5", civil(2024, 9, 6), true},
        MatchCase{"0 0 ? * 5", civil(2024, 9, 7), false},
        MatchCase{"0 0 1 * ?", civil(2024, 9, 1), true},
        MatchCase{"0 0 1 * ?", civil(2024, 9, 2), false},
        MatchCase{"0 0 1 * */2", civil(2024, 9, 1), true},   // Sunday the 1st
        MatchCase{"0 0 1 * */2", civil(2024, 10, 1), true},  // Tuesday the 1st
        MatchCase{"0 0 1 * */2", civil(2024, 10, 3), false}, // Thursday the 3rd
        // L and $: the month's last day, leap years included.
        MatchCase{"0 0 L * *", civil(2024, 2, 29), true},
        MatchCase{"0 0 L * *", civil(2024, 2, 28), false},
        MatchCase{"0 0 L * *", civil(2023, 2, 28), true},
        MatchCase{"0 0 L * *", civil(2100, 2, 28), true},
        MatchCase{"0 0 L * *", civil(2000, 2, 29), true},
        MatchCase{"0 0 L * *", civil(2000, 2, 28), false},
        MatchCase{"0 0 $ * *", civil(2024, 4, 30), true},
        MatchCase{"0 0 $ * *", civil(2024, 4, 29), false},
        MatchCase{"0 0 $ * *", civil(2024, 12, 31), true},
        MatchCase{"0 0 L * *", civil(2024, 1, 31), true},
        MatchCase{"0 0 L * *", civil(2024, 1, 30), false},
        MatchCase{"0 0 L * 1", civil(2024, 9, 30), true},     // last day and Monday
        MatchCase{"0 0 L * 1", civil(2024, 9, 23), true},     // Monday
        MatchCase{"0 0 L * 1", civil(2024, 10, 31), true},    // last day, Thursday
        MatchCase{"0 0 L * 1", civil(2024, 10, 30), false},   // neither
        MatchCase{"0 0 L * */7", civil(2024, 10, 31), false}, // '*' first: both must match
        MatchCase{"0 0 L * */7", civil(2024, 3, 31), true},   // last day and Sunday
        // Sunday as 0 and as 7.
        MatchCase{"0 0 * * 7", civil(2024, 9, 1), true},
        MatchCase{"0 0 * * 0", civil(2024, 9, 1), true},
        MatchCase{"0 0 * * 7", civil(2024, 9, 2), false},
        MatchCase{"0 0 * * 5-0", civil(2024, 9, 1), true},
        MatchCase{"0 0 * * 5-0", civil(2024, 9, 2), false},
        // A 5-field line fires at second 0 only.
        MatchCase{"* * * * *", civil(2024, 9, 1, 12, 0, 0), true},
        MatchCase{"* * * * *", civil(2024, 9, 1, 12, 0, 30), false},
        MatchCase{"* * * * * *", civil(2024, 9, 1, 12, 0, 30), true},
        MatchCase{"30 * * * * *", civil(2024, 9, 1, 12, 0, 30), true},
        MatchCase{"30 * * * * *", civil(2024, 9, 1, 12, 0, 31), false},
        MatchCase{"0 0 0 L * *", civil(2024, 1, 31, 0, 0, 1), false},
        // Months, hours, minutes.
        MatchCase{"0 0 * feb *", civil(2024, 2, 10), true},
        MatchCase{"0 0 * feb *", civil(2024, 3, 10), false},
        MatchCase{"15 9-17 * * *", civil(2024, 3, 10, 17, 15), true},
        MatchCase{"15 9-17 * * *", civil(2024, 3, 10, 18, 15), false},
        MatchCase{"15 9-17 * * *", civil(2024, 3, 10, 9, 16), false}),
    [](const ::testing::TestParamInfo<MatchCase>& info) {
        return test_name(info.param.line, static_cast<int>(info.index));
    });

// ============================================================================================
// The next matching wall-clock reading
// ============================================================================================

struct WallCase {
    const char* name;
    const char* line;
    CivilTime after;
    std::vector<CivilTime> expected; // each one after the one before
};

class CronNextWallTest : public ::testing::TestWithParam<WallCase> {};

TEST_P(CronNextWallTest, Sequence) {
    const WallCase& c = GetParam();
    const CronSpec s = parsed(c.line);
    CivilTime after = c.after;
    for (const CivilTime& expected : c.expected) {
        CivilTime next;
        ASSERT_TRUE(mvs::next_cron_wall(s, after, &next))
            << "'" << c.line << "' after " << ::testing::PrintToString(after);
        ASSERT_EQ(next, expected) << "'" << c.line << "' after " << ::testing::PrintToString(after);
        EXPECT_TRUE(mvs::cron_matches(s, next));
        after = next;
    }
}

TEST_P(CronNextWallTest, SameInUtcWithNextCron) {
    const WallCase& c = GetParam();
    const mvs::FixedOffsetZone utc(0);
    const CronSpec s = parsed(c.line);
    mvs::UtcMicros after = mvs_test::utc(c.after.year, c.after.month, c.after.day, c.after.hour,
                                         c.after.minute, c.after.second, c.after.micro);
    for (const CivilTime& e : c.expected) {
        const mvs::UtcMicros next = mvs::next_cron(s, after, utc);
        ASSERT_INSTANT_EQ(next, mvs_test::utc(e.year, e.month, e.day, e.hour, e.minute, e.second));
        after = next;
    }
}

TEST_P(CronNextWallTest, SameInAFixedOffsetZone) {
    // +05:45 (Nepal): the wall clock is the same, the instants 5:45 earlier.
    const WallCase& c = GetParam();
    const std::int64_t offset = 5 * 3600 + 45 * 60;
    const mvs::FixedOffsetZone zone(offset);
    const CronSpec s = parsed(c.line);
    mvs::UtcMicros after = mvs_test::utc(c.after.year, c.after.month, c.after.day, c.after.hour,
                                         c.after.minute, c.after.second, c.after.micro) -
                           offset * mvs_test::kSecond;
    for (const CivilTime& e : c.expected) {
        const mvs::UtcMicros next = mvs::next_cron(s, after, zone);
        ASSERT_INSTANT_EQ(next, mvs_test::utc(e.year, e.month, e.day, e.hour, e.minute, e.second) -
                                    offset * mvs_test::kSecond);
        after = next;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cron, CronNextWallTest,
    ::testing::Values(
        WallCase{"QuarterHours",
                 "*/15 * * * *",
                 civil(2024, 1, 1),
                 {civil(2024, 1, 1, 0, 15), civil(2024, 1, 1, 0, 30), civil(2024, 1, 1, 0, 45),
                  civil(2024, 1, 1, 1, 0)}},
        WallCase{"JustBeforeADueTime",
                 "*/15 * * * *",
                 civil(2024, 1, 1, 0, 14, 59, 999999),
                 {civil(2024, 1, 1, 0, 15), civil(2024, 1, 1, 0, 30)}},
        WallCase{"JustAfterADueTime",
                 "*/15 * * * *",
                 civil(2024, 1, 1, 0, 15, 0, 1),
                 {civil(2024, 1, 1, 0, 30)}},
        WallCase{"HourlyOverMidnight",
                 "@hourly",
                 civil(2024, 1, 1, 23, 30),
                 {civil(2024, 1, 2, 0, 0), civil(2024, 1, 2, 1, 0)}},
        WallCase{"MinuteOverYearEnd",
                 "59 * * * *",
                 civil(2024, 12, 31, 23, 59),
                 {civil(2025, 1, 1, 0, 59)}},
        WallCase{"NewYear",
                 "0 0 1 1 *",
                 civil(2023, 12, 31, 23, 59, 59),
                 {civil(2024, 1, 1), civil(2025, 1, 1), civil(2026, 1, 1)}},
        WallCase{"Yearly", "@yearly", civil(2024, 1, 1), {civil(2025, 1, 1), civil(2026, 1, 1)}},
        WallCase{"LastMinuteOfTheYear",
                 "59 23 31 12 *",
                 civil(2024, 6, 1),
                 {civil(2024, 12, 31, 23, 59), civil(2025, 12, 31, 23, 59)}},
        WallCase{"LastSecondOfTheYear",
                 "59 59 23 31 12 *",
                 civil(2024, 12, 31, 23, 59, 58),
                 {civil(2024, 12, 31, 23, 59, 59), civil(2025, 12, 31, 23, 59, 59)}},
        WallCase{"SecondsOverYearEnd",
                 "* * * * * *",
                 civil(2024, 12, 31, 23, 59, 58, 700000),
                 {civil(2024, 12, 31, 23, 59, 59), civil(2025, 1, 1), civil(2025, 1, 1, 0, 0, 1)}},
        WallCase{"SixFieldNewYear",
                 "0 0 0 1 1 *",
                 civil(2024, 12, 31, 23, 59, 59),
                 {civil(2025, 1, 1), civil(2026, 1, 1)}},
        WallCase{"EveryTwentySeconds",
                 "*/20 * * * * *",
                 civil(2024, 1, 1, 0, 0, 50),
                 {civil(2024, 1, 1, 0, 1, 0), civil(2024, 1, 1, 0, 1, 20),
                  civil(2024, 1, 1, 0, 1, 40), civil(2024, 1, 1, 0, 2, 0)}},
        WallCase{"HalfAMinuteBeforeMidnight",
                 "30 59 23 31 12 *",
                 civil(2024, 12, 31, 23, 59, 30),
                 {civil(2025, 12, 31, 23, 59, 30)}},
        WallCase{"LastDayEveryMonth",
                 "0 0 L * *",
                 civil(2024, 1, 15),
                 {civil(2024, 1, 31), civil(2024, 2, 29), civil(2024, 3, 31), civil(2024, 4, 30),
                  civil(2024, 5, 31), civil(2024, 6, 30), civil(2024, 7, 31), civil(2024, 8, 31),
                  civil(2024, 9, 30), civil(2024, 10, 31), civil(2024, 11, 30), civil(2024, 12, 31),
                  civil(2025, 1, 31), civil(2025, 2, 28)}},
        WallCase{"LastDayOfFebruaryOver2100",
                 "0 0 L 2 *",
                 civil(2096, 3, 1),
                 {civil(2097, 2, 28), civil(2098, 2, 28), civil(2099, 2, 28), civil(2100, 2, 28),
                  civil(2101, 2, 28), civil(2102, 2, 28), civil(2103, 2, 28), civil(2104, 2, 29)}},
        WallCase{"LastDayOfFebruaryOver2000",
                 "0 0 $ feb *",
                 civil(1998, 12, 31),
                 {civil(1999, 2, 28), civil(2000, 2, 29), civil(2001, 2, 28)}},
        WallCase{"FirstAndLast",
                 "0 0 1,L * *",
                 civil(2024, 1, 30),
                 {civil(2024, 1, 31), civil(2024, 2, 1), civil(2024, 2, 29), civil(2024, 3, 1)}},
        WallCase{
            "LeapDay", "0 0 29 2 *", civil(2024, 3, 1), {civil(2028, 2, 29), civil(2032, 2, 29)}},
        WallCase{"LeapDayOver2100",
                 "0 0 29 2 *",
                 civil(2096, 3, 1),
                 {civil(2104, 2, 29), civil(2108, 2, 29)}},
        WallCase{"LeapDayIn2000",
                 "0 0 29 2 *",
                 civil(1999, 3, 1),
                 {civil(2000, 2, 29), civil(2004, 2, 29)}},
        WallCase{"LeapDayStrictlyAfter", "0 0 29 2 *", civil(2024, 2, 29), {civil(2028, 2, 29)}},
        WallCase{"LeapDayJustBefore",
                 "0 0 29 2 *",
                 civil(2024, 2, 28, 23, 59, 59, 500000),
                 {civil(2024, 2, 29)}},
        WallCase{"OverTheLeapDay",
                 "0 0 * * *",
                 civil(2024, 2, 28),
                 {civil(2024, 2, 29), civil(2024, 3, 1)}},
        WallCase{"ThirtyFirsts",
                 "0 9 31 * *",
                 civil(2024, 1, 31, 9),
                 {civil(2024, 3, 31, 9), civil(2024, 5, 31, 9), civil(2024, 7, 31, 9),
                  civil(2024, 8, 31, 9), civil(2024, 10, 31, 9), civil(2024, 12, 31, 9)}},
        WallCase{"ThirtiethsSkipFebruary",
                 "0 0 30 * *",
                 civil(2024, 1, 31),
                 {civil(2024, 3, 30), civil(2024, 4, 30)}},
        WallCase{"FridayOrThe13th",
                 "0 0 13 * 5",
                 civil(2024, 9, 1),
                 {civil(2024, 9, 6), civil(2024, 9, 13), civil(2024, 9, 20), civil(2024, 9, 27),
                  civil(2024, 10, 4), civil(2024, 10, 11), civil(2024, 10, 13), civil(2024, 10, 18),
                  civil(2024, 10, 25)}},
        WallCase{"FridaysOnly",
                 "0 0 * * 5",
                 civil(2024, 9, 1),
                 {civil(2024, 9, 6), civil(2024, 9, 13), civil(2024, 9, 20), civil(2024, 9, 27),
                  civil(2024, 10, 4), civil(2024, 10, 11), civil(2024, 10, 18)}},
        WallCase{"OddDaysThatAreFridays",
                 "0 0 */2 * 5",
                 civil(2024, 9, 1),
                 {civil(2024, 9, 13), civil(2024, 9, 27), civil(2024, 10, 11), civil(2024, 10, 25),
                  civil(2024, 11, 1), civil(2024, 11, 15), civil(2024, 11, 29)}},
        WallCase{"LastDayOrMonday",
                 "0 0 L * 1",
                 civil(2024, 9, 20),
                 {civil(2024, 9, 23), civil(2024, 9, 30), civil(2024, 10, 7), civil(2024, 10, 14),
                  civil(2024, 10, 21), civil(2024, 10, 28), civil(2024, 10, 31),
                  civil(2024, 11, 4)}},
        WallCase{"LeapDayOrFebruaryMondays",
                 "0 0 29 2 1",
                 civil(2024, 2, 20),
                 {civil(2024, 2, 26), civil(2024, 2, 29), civil(2025, 2, 3), civil(2025, 2, 10)}},
        WallCase{"QuestionMarkDays",
                 "0 0 ? * 1",
                 civil(2024, 9, 20),
                 {civil(2024, 9, 23), civil(2024, 9, 30), civil(2024, 10, 7)}},
        WallCase{"QuestionMarkWeekdays",
                 "0 0 1 * ?",
                 civil(2024, 9, 20),
                 {civil(2024, 10, 1), civil(2024, 11, 1)}},
        WallCase{"Weekly", "@weekly", civil(2024, 9, 1), {civil(2024, 9, 8), civil(2024, 9, 15)}},
        WallCase{
            "Monthly", "@monthly", civil(2024, 12, 15), {civil(2025, 1, 1), civil(2025, 2, 1)}},
        WallCase{"SundaysOverYearEnd",
                 "5 4 * * sun",
                 civil(2024, 12, 28),
                 {civil(2024, 12, 29, 4, 5), civil(2025, 1, 5, 4, 5)}},
        WallCase{"WeekdayEvenings",
                 "0 22 * * 1-5",
                 civil(2024, 9, 6, 22),
                 {civil(2024, 9, 9, 22), civil(2024, 9, 10, 22)}},
        WallCase{"FridayToSunday",
                 "0 12 * * 5-0",
                 civil(2024, 9, 2),
                 {civil(2024, 9, 6, 12), civil(2024, 9, 7, 12), civil(2024, 9, 8, 12),
                  civil(2024, 9, 13, 12)}},
        WallCase{"SteppedHours",
                 "23 0-20/2 * * *",
                 civil(2024, 1, 1, 20, 23),
                 {civil(2024, 1, 2, 0, 23), civil(2024, 1, 2, 2, 23)}},
        WallCase{"EveryOtherMonth",
                 "0 0,12 1 */2 *",
                 civil(2024, 1, 1, 12),
                 {civil(2024, 3, 1), civil(2024, 3, 1, 12), civil(2024, 5, 1)}},
        WallCase{"WorkdayMornings",
                 "0 30 9 * * mon-fri",
                 civil(2024, 9, 6, 9, 30),
                 {civil(2024, 9, 9, 9, 30), civil(2024, 9, 10, 9, 30)}}),
    [](const ::testing::TestParamInfo<WallCase>& info) { return std::string(info.param.name); });

TEST(Cron, HandMadeSpecThatNeverFiresFindsNothing) {
    // parse_cron refuses such lines; a spec built by hand gets "none" rather than a hang.
    CronSpec s = parsed("0 0 29 2 *");
    s.days = 1U << 30;
    CivilTime out = civil(1999, 9, 9);
    EXPECT_FALSE(mvs::next_cron_wall(s, civil(2024, 1, 1), &out));
    EXPECT_EQ(out, civil(1999, 9, 9));
    EXPECT_EQ(mvs::next_cron(s, mvs_test::utc(2024, 1, 1), mvs::FixedOffsetZone(0)), mvs::kNever);
}

TEST(Cron, FindsDueTimesUpToThirtyYearsAhead) {
    // Feb 29 on a Monday: 2016, then 2044.
    CronSpec s = parsed("0 0 29 2 *");
    s.weekdays = 1U << 1;
    s.weekdays_star = false;
    s.days_star = true; // both must match
    CivilTime next;
    ASSERT_TRUE(mvs::next_cron_wall(s, civil(2016, 3, 1), &next));
    EXPECT_EQ(next, civil(2044, 2, 29));
}

} // namespace
