// Reads the schedule text a user writes ("hourly", "every 5 minutes", "30 seconds").
//
// Interval syntax belongs to PostgreSQL, so the parser does not read it itself: it says which part
// of the text is an interval, the caller parses that part with PostgreSQL's own interval input, and
// schedule_from_interval() checks the result.
#pragma once

#include <cstddef>
#include <string_view>

#include "message_size.hpp"
#include "schedule.hpp"

namespace mvs {

enum class ParseStatus : std::uint8_t { Ok, NeedsInterval, Error };

// Plain data, for the same reason as Schedule.
struct ParseOutcome {
    ParseStatus status = ParseStatus::Error;
    Schedule schedule;
    // With NeedsInterval: the part of the input to read as an interval.
    std::size_t interval_begin = 0;
    std::size_t interval_length = 0;
    // With Error: what is wrong.
    char message[kMessageSize] = {0};
};

ParseOutcome parse_schedule(std::string_view text);

// Checks an interval schedule: every part >= 0 and at least one second in all.
ParseOutcome schedule_from_interval(const IntervalSpec& every) noexcept;

// An 'on change' schedule (parse_schedule says OnChange with no interval yet) with its least
// interval between two refreshes: elapsed time, so no months; days count as 24 hours.
ParseOutcome schedule_on_change(const IntervalSpec& min_interval) noexcept;

// The accepted forms, with an example of each, for error hints.
const char* schedule_forms_hint() noexcept;

} // namespace mvs
