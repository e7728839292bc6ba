#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/cron.hpp"
#include "core/schedule_parser.hpp"
#include "test_support.hpp"

namespace {

using mvs::CalendarUnit;
using mvs::IntervalSpec;
using mvs::ParseOutcome;
using mvs::ParseStatus;
using mvs::ScheduleKind;

// --- calendar words -------------------------------------------------------------------------

struct WordCase {
    const char* text;
    CalendarUnit unit;
};

class ScheduleWordTest : public ::testing::TestWithParam<WordCase> {};

void expect_calendar(std::string_view text, CalendarUnit unit) {
    const ParseOutcome r = mvs::parse_schedule(text);
    EXPECT_EQ(r.status, ParseStatus::Ok) << "'" << text << "': " << r.message;
    EXPECT_EQ(r.schedule.kind, ScheduleKind::Calendar) << "'" << text << "'";
    EXPECT_EQ(r.schedule.unit, unit) << "'" << text << "'";
}

TEST_P(ScheduleWordTest, AsWritten) {
    expect_calendar(GetParam().text, GetParam().unit);
}

TEST_P(ScheduleWordTest, InAnyCase) {
    std::string upper = GetParam().text;
    std::string mixed = GetParam().text;
    for (std::size_t i = 0; i < upper.size(); ++i) {
        upper[i] = static_cast<char>(toupper(static_cast<unsigned char>(upper[i])));
        if (i % 2 == 0)
            mixed[i] = upper[i];
    }
    expect_calendar(upper, GetParam().unit);
    expect_calendar(mixed, GetParam().unit);
}

TEST_P(ScheduleWordTest, WithExtraWhiteSpace) {
    std::string spaced;
    for (char c : std::string(GetParam().text)) {
        if (c == ' ')
            spaced += " \t\n ";
        else
            spaced += c;
    }
    expect_calendar("  " + spaced + " \t", GetParam().unit);
    expect_calendar("\n" + std::string(GetParam().text), GetParam().unit);
    expect_calendar(std::string(GetParam().text) + "\r\n", GetParam().unit);
}

TEST_P(ScheduleWordTest, NotWithSomethingAttached) {
    // A word with more after it is no longer that word: it goes to PostgreSQL as an interval,
    // which then rejects it.
    for (const std::string& text :
         {std::string(GetParam().text) + "s x", std::string(GetParam().text) + " 2",
          "1 " + std::string(GetParam().text)}) {
        const ParseOutcome r = mvs::parse_schedule(text);
        EXPECT_NE(r.status, ParseStatus::Ok) << "'" << text << "'";
    }
}

INSTANTIATE_TEST_SUITE_P(
    ScheduleParser, ScheduleWordTest,
    ::testing::Values(
        WordCase{"minutely", CalendarUnit::Minute}, WordCase{"hourly", CalendarUnit::Hour},
        WordCase{"daily", CalendarUnit::Day}, WordCase{"weekly", CalendarUnit::Week},
        WordCase{"monthly", CalendarUnit::Month}, WordCase{"quarterly", CalendarUnit::Quarter},
        WordCase{"yearly", CalendarUnit::Year}, WordCase{"annually", CalendarUnit::Year},
        WordCase{"every minute", CalendarUnit::Minute}, WordCase{"every hour", CalendarUnit::Hour},
        WordCase{"every day", CalendarUnit::Day}, WordCase{"every week", CalendarUnit::Week},
        WordCase{"every month", CalendarUnit::Month},
        WordCase{"every quarter", CalendarUnit::Quarter},
        WordCase{"every year", CalendarUnit::Year}),
    [](const ::testing::TestParamInfo<WordCase>& info) {
        std::string name = info.param.text;
        for (char& c : name)
            if (c == ' ')
                c = '_';
        return name;
    });

// --- intervals ------------------------------------------------------------------------------

struct IntervalTextCase {
    std::string text;
    std::size_t begin;    // where the interval starts in `text`
    std::string interval; // what the caller hands to PostgreSQL
};

class ScheduleIntervalTextTest : public ::testing::TestWithParam<IntervalTextCase> {};

TEST_P(ScheduleIntervalTextTest, PointsAtTheIntervalInTheOriginalText) {
    const IntervalTextCase& c = GetParam();
    const ParseOutcome r = mvs::parse_schedule(c.text);
    ASSERT_EQ(r.status, ParseStatus::NeedsInterval) << "'" << c.text << "': " << r.message;
    EXPECT_EQ(r.interval_begin, c.begin) << "'" << c.text << "'";
    ASSERT_LE(r.interval_begin + r.interval_length, c.text.size()) << "'" << c.text << "'";
    EXPECT_EQ(c.text.substr(r.interval_begin, r.interval_length), c.interval)
        << "'" << c.text << "'";
}

INSTANTIATE_TEST_SUITE_P(
    ScheduleParser, ScheduleIntervalTextTest,
    ::testing::Values(
        IntervalTextCase{"every 5 minutes", 6, "5 minutes"},
        IntervalTextCase{"30 seconds", 0, "30 seconds"},
        IntervalTextCase{"  30 seconds  ", 2, "30 seconds"},
        IntervalTextCase{"EVERY 5 Minutes", 6, "5 Minutes"},
        IntervalTextCase{"Every\t5 minutes", 6, "5 minutes"},
        IntervalTextCase{"  every   5 minutes\n", 10, "5 minutes"},
        IntervalTextCase{"every 2   hours", 6, "2   hours"},
        IntervalTextCase{"every 1 day 2 hours", 6, "1 day 2 hours"},
        IntervalTextCase{"every 1 hour", 6, "1 hour"},
        IntervalTextCase{"every 1 minute", 6, "1 minute"},
        IntervalTextCase{"every 1 month", 6, "1 month"}, IntervalTextCase{"1 day", 0, "1 day"},
        IntervalTextCase{"01:30:00", 0, "01:30:00"}, IntervalTextCase{"every 01:30", 6, "01:30"},
        IntervalTextCase{"@ 1 hour", 0, "@ 1 hour"}, IntervalTextCase{"P1D", 0, "P1D"},
        IntervalTextCase{"every P1DT2H", 6, "P1DT2H"},
        // Not "every" followed by a space: the whole text is the interval.
        IntervalTextCase{"every5 minutes", 0, "every5 minutes"},
        IntervalTextCase{"everyday", 0, "everyday"},
        IntervalTextCase{"hourly please", 0, "hourly please"},
        IntervalTextCase{"every every", 6, "every"},
        IntervalTextCase{"every other day", 6, "other day"}));

// --- errors ---------------------------------------------------------------------------------

class ScheduleErrorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScheduleErrorTest, SaysWhatIsWrong) {
    const ParseOutcome r = mvs::parse_schedule(GetParam());
    EXPECT_EQ(r.status, ParseStatus::Error) << "'" << GetParam() << "'";
    EXPECT_GT(std::strlen(r.message), 0u) << "'" << GetParam() << "'";
    EXPECT_LT(std::strlen(r.message), sizeof r.message);
}

INSTANTIATE_TEST_SUITE_P(ScheduleParser, ScheduleErrorTest,
                         ::testing::Values("", " ", "   ", "\t\n", "\r\n\v\f", "every", "EVERY",
                                           "  every  ", "every\t", "\tEvery\n"));

TEST(ScheduleParser, ErrorMessagesNameTheProblem) {
    EXPECT_NE(std::string(mvs::parse_schedule("").message).find("empty"), std::string::npos);
    EXPECT_NE(std::string(mvs::parse_schedule(" \t ").message).find("empty"), std::string::npos);
    EXPECT_NE(std::string(mvs::parse_schedule("every").message).find("every"), std::string::npos);
}

// --- schedule_from_interval -----------------------------------------------------------------

constexpr std::int64_t kSecond = 1000000;

struct FromIntervalCase {
    IntervalSpec every;
    bool ok;
    const char* message_part; // with !ok
};

class FromIntervalTest : public ::testing::TestWithParam<FromIntervalCase> {};

TEST_P(FromIntervalTest, Checks) {
    const FromIntervalCase& c = GetParam();
    const ParseOutcome r = mvs::schedule_from_interval(c.every);
    if (c.ok) {
        ASSERT_EQ(r.status, ParseStatus::Ok) << r.message;
        EXPECT_EQ(r.schedule.kind, ScheduleKind::Interval);
        EXPECT_EQ(r.schedule.every.months, c.every.months);
        EXPECT_EQ(r.schedule.every.days, c.every.days);
        EXPECT_EQ(r.schedule.every.micros, c.every.micros);
    } else {
        ASSERT_EQ(r.status, ParseStatus::Error);
        EXPECT_NE(std::string(r.message).find(c.message_part), std::string::npos) << r.message;
    }
}

INSTANTIATE_TEST_SUITE_P(
    ScheduleParser, FromIntervalTest,
    ::testing::Values(FromIntervalCase{{0, 0, 0}, false, "greater than zero"},
                      FromIntervalCase{{0, 0, -1}, false, "positive"},
                      FromIntervalCase{{0, 0, -kSecond}, false, "positive"},
                      FromIntervalCase{{-1, 0, 0}, false, "positive"},
                      FromIntervalCase{{0, -1, 0}, false, "positive"},
                      FromIntervalCase{{1, -1, 0}, false, "positive"},
                      FromIntervalCase{{0, 1, -3600 * kSecond}, false, "positive"},
                      FromIntervalCase{{-1, 40, 0}, false, "positive"},
                      FromIntervalCase{{0, 0, 1}, false, "at least 1 second"},
                      FromIntervalCase{{0, 0, kSecond / 2}, false, "at least 1 second"},
                      FromIntervalCase{{0, 0, kSecond - 1}, false, "at least 1 second"},
                      FromIntervalCase{{0, 0, kSecond}, true, ""},
                      FromIntervalCase{{0, 0, kSecond + 1}, true, ""},
                      FromIntervalCase{{0, 0, 30 * kSecond}, true, ""},
                      FromIntervalCase{{0, 0, 300 * kSecond}, true, ""},
                      FromIntervalCase{{0, 1, 0}, true, ""}, FromIntervalCase{{1, 0, 0}, true, ""},
                      FromIntervalCase{{0, 1, 1}, true, ""},
                      FromIntervalCase{{1, 2, 3 * kSecond}, true, ""},
                      FromIntervalCase{{12, 0, 0}, true, ""}));

// --- hint -----------------------------------------------------------------------------------

TEST(ScheduleParser, HintNamesTheForms) {
    const std::string hint = mvs::schedule_forms_hint();
    for (const char* word : {"minutely", "hourly", "daily", "weekly", "monthly", "quarterly",
                             "yearly", "every", "5 minutes", "30 seconds"})
        EXPECT_NE(hint.find(word), std::string::npos) << word << " missing from: " << hint;
    // Every word the hint names is accepted.
    for (const char* word :
         {"minutely", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"})
        EXPECT_EQ(mvs::parse_schedule(word).status, ParseStatus::Ok) << word;
}

// --- once -----------------------------------------------------------------------------------

TEST(ScheduleParser, Once) {
    for (const char* text : {"once", "ONCE", "Once", "  once\n", "\tonce "}) {
        const ParseOutcome r = mvs::parse_schedule(text);
        EXPECT_EQ(r.status, ParseStatus::Ok) << "'" << text << "': " << r.message;
        EXPECT_EQ(r.schedule.kind, ScheduleKind::Once) << "'" << text << "'";
    }
    // Not the word alone: an interval, which PostgreSQL then refuses.
    for (const char* text : {"once more", "every once", "once a day", "onces"})
        EXPECT_EQ(mvs::parse_schedule(text).status, ParseStatus::NeedsInterval) << text;
}

// --- cron -----------------------------------------------------------------------------------

class ScheduleCronTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScheduleCronTest, IsACronSchedule) {
    const ParseOutcome r = mvs::parse_schedule(GetParam());
    ASSERT_EQ(r.status, ParseStatus::Ok) << "'" << GetParam() << "': " << r.message;
    EXPECT_EQ(r.schedule.kind, ScheduleKind::Cron);
    const mvs::CronParse direct = mvs::parse_cron(GetParam());
    ASSERT_TRUE(direct.ok) << direct.message;
    EXPECT_EQ(r.schedule.cron, direct.spec) << "'" << GetParam() << "'";
}

INSTANTIATE_TEST_SUITE_P(ScheduleParser, ScheduleCronTest,
                         ::testing::Values("*/15 * * * *", "0 30 9 * * mon-fri", "0 9 * * MON-FRI",
                                           "@daily", "  @Hourly ", "@weekly", "@monthly", "@yearly",
                                           "@annually", "@midnight", "0 0 L * *", "0 0 $ 2 *",
                                           "0 0 13 * 5", "0 0 29 2 *", "*/5 * * * * *",
                                           "  0\t0 *\n* *  ", "0 0 ? * 7",
                                           "5-10/2 1,2,3 */3 jan-jun sun-sat"));

struct CronErrorCase {
    const char* text;
    const char* message;
};

class ScheduleCronErrorTest : public ::testing::TestWithParam<CronErrorCase> {};

TEST_P(ScheduleCronErrorTest, ComesBackWithTheCronMessage) {
    const ParseOutcome r = mvs::parse_schedule(GetParam().text);
    EXPECT_EQ(r.status, ParseStatus::Error) << "'" << GetParam().text << "'";
    EXPECT_STREQ(r.message, GetParam().message) << "'" << GetParam().text << "'";
}

INSTANTIATE_TEST_SUITE_P(
    ScheduleParser, ScheduleCronErrorTest,
    ::testing::Values(
        CronErrorCase{"0 0 30 2 *",
                      "cron line \"0 0 30 2 *\" can never fire: no allowed month has that day"},
        CronErrorCase{"60 * * * *", "cron field minute value 60 is out of range (0-59)"},
        CronErrorCase{"* 24 * * *", "cron field hour value 24 is out of range (0-23)"},
        CronErrorCase{"0 0 * * 8", "cron field day-of-week value 8 is out of range (0-7)"},
        CronErrorCase{"*/0 * * * *", "cron field minute step 0 is out of range (1-59)"},
        CronErrorCase{"0 0 * * MONDAY", "cron field day-of-week has an invalid value \"monday\""},
        CronErrorCase{"* * * *", "a cron line has 5 fields (minute hour day-of-month month "
                                 "day-of-week) or 6 (with seconds first), not 4"},
        CronErrorCase{"*/5", "a cron line has 5 fields (minute hour day-of-month month "
                             "day-of-week) or 6 (with seconds first), not 1"},
        CronErrorCase{"@reboot", "unknown cron macro \"@reboot\" (use @hourly, @daily, "
                                 "@midnight, @weekly, @monthly, @yearly or @annually)"}));

// PostgreSQL interval units that are also cron names: still intervals.
INSTANTIATE_TEST_SUITE_P(ScheduleParserUnits, ScheduleIntervalTextTest,
                         ::testing::Values(IntervalTextCase{"1 mon", 0, "1 mon"},
                                           IntervalTextCase{"every 2 mon", 6, "2 mon"},
                                           IntervalTextCase{"3 MON", 0, "3 MON"},
                                           IntervalTextCase{"1 dec", 0, "1 dec"},
                                           IntervalTextCase{"1 mon 2 dec", 0, "1 mon 2 dec"},
                                           IntervalTextCase{"1 year 2 mons", 0, "1 year 2 mons"}));

TEST(ScheduleParser, HintNamesTheNewForms) {
    const std::string hint = mvs::schedule_forms_hint();
    for (const char* part : {"once", "cron", "'*/15 * * * *'", "'0 30 9 * * mon-fri'", "@daily",
                             "5 or 6 fields", "annually"})
        EXPECT_NE(hint.find(part), std::string::npos) << part << " missing from: " << hint;
    // Every quoted example in the hint is accepted.
    std::size_t at = 0;
    int examples = 0;
    while ((at = hint.find('\'', at)) != std::string::npos) {
        const std::size_t end = hint.find('\'', at + 1);
        ASSERT_NE(end, std::string::npos) << hint;
        const std::string example = hint.substr(at + 1, end - at - 1);
        EXPECT_NE(mvs::parse_schedule(example).status, ParseStatus::Error) << example;
        ++examples;
        at = end + 1;
    }
    EXPECT_GE(examples, 6);
}

} // namespace

// --- on change ------------------------------------------------------------------------------

namespace {

TEST(ScheduleParser, OnChangeWords) {
    for (const char* text :
         {"on change", "ON CHANGE", "On Change", "  on   change\n", "\ton\tchange"}) {
        const ParseOutcome r = mvs::parse_schedule(text);
        EXPECT_EQ(r.status, ParseStatus::Ok) << "'" << text << "': " << r.message;
        EXPECT_EQ(r.schedule.kind, ScheduleKind::OnChange) << "'" << text << "'";
        EXPECT_EQ(r.schedule.every.micros, mvs::kDefaultMinIntervalMicros) << "'" << text << "'";
    }
    // Near misses are intervals, which PostgreSQL then refuses.
    for (const char* text : {"on changes", "onchange", "on change now", "change"})
        EXPECT_EQ(mvs::parse_schedule(text).status, ParseStatus::NeedsInterval) << text;
}

TEST(ScheduleParser, OnChangeMinInterval) {
    const ParseOutcome ok = mvs::schedule_on_change(IntervalSpec{0, 1, 30 * 1000000});
    ASSERT_EQ(ok.status, ParseStatus::Ok) << ok.message;
    EXPECT_EQ(ok.schedule.kind, ScheduleKind::OnChange);
    EXPECT_EQ(ok.schedule.every.micros, std::int64_t{86400 + 30} * 1000000);
    EXPECT_EQ(mvs::schedule_on_change(IntervalSpec{0, 0, 1000000}).status, ParseStatus::Ok);
    // Parts of both signs: the sum counts ('1 day -1 hour' is 23 hours).
    const ParseOutcome mixed = mvs::schedule_on_change(IntervalSpec{0, 1, -3600LL * 1000000});
    ASSERT_EQ(mixed.status, ParseStatus::Ok) << mixed.message;
    EXPECT_EQ(mixed.schedule.every.micros, 23 * 3600LL * 1000000);

    struct Bad {
        IntervalSpec spec;
        const char* says;
    };
    const Bad bad[] = {
        {{1, 0, 0}, "months"},
        {{0, 0, 999999}, "at least 1 second"},
        {{0, 0, 0}, "positive"},
        {{0, 0, -1}, "positive"},
        {{0, -1, 5000000}, "positive"},
        {{0, 1, -86400LL * 1000000}, "positive"},
        {{0, 0, INT64_MIN}, "at most 1000 years"},
        {{0, -366001, 0}, "at most 1000 years"},
        {{0, 0, INT64_MAX}, "at most 1000 years"},
        {{0, 366001, 0}, "at most 1000 years"},
        {{0, 366000, 400LL * 86400 * 1000000}, "at most 1000 years"},
    };
    for (const Bad& b : bad) {
        const ParseOutcome r = mvs::schedule_on_change(b.spec);
        EXPECT_EQ(r.status, ParseStatus::Error) << b.says;
        EXPECT_NE(std::strstr(r.message, b.says), nullptr) << r.message;
    }
}

TEST(ScheduleParser, HintNamesOnChange) {
    EXPECT_NE(std::strstr(mvs::schedule_forms_hint(), "'on change'"), nullptr);
}

} // namespace
