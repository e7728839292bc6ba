// matview_scheduler.dependencies: what each materialized view the caller may see reads, and
// whether its changes can be tracked exactly (core's dependency_policy decides).
#include "pg/pg_headers.hpp"

extern "C" {
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h" // not reached through funcapi.h from 19 on
}

#include "core/dependency_policy.hpp"
#include "pg/api/sql_args.hpp"
#include "pg/catalog/dependency_catalog.hpp"
#include "pg/catalog/view_tracking.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(mvs_dependencies);
}

using namespace mvs::pg;

extern "C" Datum mvs_dependencies(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const Oid caller = GetUserId();

    const SuperuserCatalogAccess access = enter_catalog_as_superuser();
    Oid* views = nullptr;
    const int n_views = catalog_visible_matviews(caller, &views);
    SourceRow* sources = nullptr;
    CalledFunction* functions = nullptr;
    ClockSyntax* clocks = nullptr;
    int n_sources = 0;
    int n_functions = 0;
    int n_clocks = 0;
    SystemRead* system_reads = nullptr;
    int n_system = 0;
    if (n_views > 0) {
        n_sources = catalog_view_sources(views, n_views, &sources);
        n_functions = catalog_view_functions(views, n_views, &functions);
        n_clocks = catalog_views_reading_clock(views, n_views, &clocks);
        n_system = catalog_views_reading_system_tables(views, n_views, &system_reads);
    }
    leave_catalog_as_superuser(access);

    int next_source = 0; // sources are ordered by view, as views are
    for (int v = 0; v < n_views; ++v) {
        CHECK_FOR_INTERRUPTS();
        const Oid view = views[v];
        const char* reason = untracked_reason(view, sources, n_sources, functions, n_functions,
                                              clocks, n_clocks, system_reads, n_system);
        Datum values[6];
        bool nulls[6] = {false, false, false, false, false, false};
        values[0] = ObjectIdGetDatum(view);
        values[4] = BoolGetDatum(reason == nullptr);
        values[5] = reason != nullptr ? CStringGetTextDatum(reason) : Datum(0);
        nulls[5] = reason == nullptr;
        while (next_source < n_sources && sources[next_source].view < view)
            ++next_source;
        bool any = false;
        for (; next_source < n_sources && sources[next_source].view == view; ++next_source) {
            const SourceRow& s = sources[next_source];
            values[1] = ObjectIdGetDatum(s.source);
            values[2] = CStringGetTextDatum(mvs::relation_kind_name(mvs::relation_kind(s.relkind)));
            values[3] = Int32GetDatum(s.depth);
            nulls[1] = nulls[2] = nulls[3] = false;
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            any = true;
        }
        if (!any) {
            // A view that reads no relation still says whether it is tracked.
            nulls[1] = nulls[2] = nulls[3] = true;
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    }
    return Datum(0);
}
