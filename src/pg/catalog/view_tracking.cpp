#include "pg/catalog/view_tracking.hpp"

#include "core/dependency_policy.hpp"

extern "C" {
#include "access/transam.h"
}

namespace mvs::pg {

const char* untracked_reason(Oid view, const SourceRow* sources, int n_sources,
                             const CalledFunction* functions, int n_functions,
                             const ClockSyntax* clocks, int n_clocks,
                             const SystemRead* system_reads, int n_system_reads) {
    for (int i = 0; i < n_sources; ++i) {
        if (sources[i].view != view || !sources[i].direct)
            continue;
        // initdb made it: a system catalog is written without the executor.
        const bool system = sources[i].source < FirstNormalObjectId;
        const mvs::Untracked why =
            mvs::classify_source(mvs::relation_kind(sources[i].relkind), sources[i].depth, system);
        if (why != mvs::Untracked::No)
            return psprintf("%s %s", mvs::untracked_phrase(why), sources[i].name);
    }
    // System catalogs the walk does not list (pg_depend records nothing on pinned ones).
    for (int i = 0; i < n_system_reads; ++i)
        if (system_reads[i].view == view)
            return psprintf(
                "%s %s",
                mvs::untracked_phrase(mvs::classify_source(mvs::RelationKind::Table, 1, true)),
                system_reads[i].name);
    for (int i = 0; i < n_functions; ++i) {
        if (functions[i].view != view)
            continue;
        mvs::FunctionFacts facts;
        facts.name = functions[i].name;
        facts.nargs = functions[i].nargs;
        facts.volatility = functions[i].volatility;
        facts.builtin = functions[i].builtin;
        const mvs::Untracked why = mvs::classify_function(facts);
        if (why != mvs::Untracked::No)
            return psprintf("%s %s", mvs::untracked_phrase(why), functions[i].signature);
    }
    for (int i = 0; i < n_clocks; ++i)
        if (clocks[i].view == view)
            return psprintf("%s %s", mvs::untracked_phrase(mvs::classify_clock_syntax()),
                            clocks[i].name);
    return nullptr;
}

const char* view_untracked_reason(Oid view) {
    SourceRow* sources = nullptr;
    CalledFunction* functions = nullptr;
    ClockSyntax* clocks = nullptr;
    const int n_sources = catalog_view_sources(&view, 1, &sources);
    const int n_functions = catalog_view_functions(&view, 1, &functions);
    const int n_clocks = catalog_views_reading_clock(&view, 1, &clocks);
    SystemRead* system_reads = nullptr;
    const int n_system = catalog_views_reading_system_tables(&view, 1, &system_reads);
    return untracked_reason(view, sources, n_sources, functions, n_functions, clocks, n_clocks,
                            system_reads, n_system);
}

} // namespace mvs::pg
