#include "pg/schedule_input.hpp"

#include <type_traits>

extern "C" {
#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
}

#include "core/schedule_parser.hpp"
#include "pg/error_bridge.hpp"

namespace mvs::pg {

namespace {

// Reads text with PostgreSQL's interval input. Its errors are caught inside a subtransaction, so
// that what the user wrote can be reported as a schedule error; *why gets PostgreSQL's message.
bool read_interval(const char* text, Interval* out, char** why) {
    MemoryContext caller_context = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    volatile bool ok = false;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(caller_context);
    PG_TRY();
    {
        Datum value = DirectFunctionCall3(interval_in, CStringGetDatum(text),
                                          ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
        *out = *DatumGetIntervalP(value);
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller_context);
        CurrentResourceOwner = caller_owner;
        ok = true;
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        ErrorData* error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller_context);
        CurrentResourceOwner = caller_owner;
        *why = error->message;
    }
    PG_END_TRY();
    return ok;
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

} // namespace mvs::pg
