#include "pg/api/schedule_input.hpp"

#include <type_traits>

extern "C" {
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

#include "core/schedule_parser.hpp"
#include "pg/error_bridge.hpp"
#include "pg/subtransaction.hpp"

namespace mvs::pg {

namespace {

struct IntervalInput {
    const char* text;
    Interval value;
};

void input_interval(void* arg) {
    IntervalInput& input = *static_cast<IntervalInput*>(arg);
    Datum value = DirectFunctionCall3(interval_in, CStringGetDatum(input.text),
                                      ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
    input.value = *DatumGetIntervalP(value);
}

// Reads text with PostgreSQL's interval input. Its errors are caught inside a subtransaction, so
// that what the user wrote can be reported as a schedule error; *why gets PostgreSQL's message.
bool read_interval(const char* text, Interval* out, char** why) {
    IntervalInput input{text, {}};
    const ErrorData* error = in_subtransaction(input_interval, &input);
    if (error != nullptr) {
        *why = error->message;
        return false;
    }
    *out = input.value;
    return true;
}

void raise_schedule_error(const char* text, const char* problem, const char* detail) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("invalid schedule \"%s\": %s", text, problem),
                    detail != nullptr ? errdetail("%s", detail) : 0,
                    errhint("%s", mvs::schedule_forms_hint())));
}

} // namespace

// schedule_from_text keeps the outcome across interval_in and ereport.
static_assert(std::is_trivially_destructible_v<mvs::ParseOutcome>, "crosses a longjmp");

mvs::Schedule schedule_from_text(const char* text) {
    mvs::ParseOutcome outcome;
    CppFailure failure = run_cpp([&] { outcome = mvs::parse_schedule(text); });
    MVS_RAISE_IF_FAILED(failure);

    if (outcome.status == mvs::ParseStatus::NeedsInterval) {
        char* part = pnstrdup(text + outcome.interval_begin, outcome.interval_length);
        Interval interval;
        char* why = nullptr;
        if (!read_interval(part, &interval, &why))
            raise_schedule_error(text, "not a schedule word or an interval", why);
        failure = run_cpp([&] {
            outcome = mvs::schedule_from_interval(
                mvs::IntervalSpec{interval.month, interval.day, interval.time});
        });
        MVS_RAISE_IF_FAILED(failure);
    }
    if (outcome.status != mvs::ParseStatus::Ok)
        raise_schedule_error(text, outcome.message, nullptr);
    return outcome.schedule;
}

mvs::Schedule on_change_with(const mvs::Schedule& parsed, const Interval* min_interval) {
    if (min_interval == nullptr)
        return parsed;
    mvs::ParseOutcome outcome;
    const CppFailure failure = run_cpp([&] {
        outcome = mvs::schedule_on_change(
            mvs::IntervalSpec{min_interval->month, min_interval->day, min_interval->time});
    });
    MVS_RAISE_IF_FAILED(failure);
    if (outcome.status != mvs::ParseStatus::Ok)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("invalid min_interval %s: %s",
                               DatumGetCString(DirectFunctionCall1(
                                   interval_out, IntervalPGetDatum(min_interval))),
                               outcome.message),
                        errhint("Give an elapsed time of at least 1 second, such as "
                                "'30 seconds' or '5 minutes'.")));
    return outcome.schedule;
}

} // namespace mvs::pg
