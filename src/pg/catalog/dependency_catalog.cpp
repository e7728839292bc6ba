#include "pg/catalog/dependency_catalog.hpp"

#include "core/dependency_policy.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
}

#define MVS_MAX_VIEW_NESTING 32
#define MVS_STRINGIFY_(x) #x
#define MVS_STRINGIFY(x) MVS_STRINGIFY_(x)
static_assert(MVS_MAX_VIEW_NESTING == mvs::kMaxViewNesting, "the walk's SQL and the policy agree");

namespace mvs::pg {

namespace {

// The relations each view's or materialized view's rule reads (not its own relation; inlined, so
// that only the rules on the walk are read, through the catalogs' indexes), and the
// walk from the materialized views in $1 through them: through plain views and materialized views
// when $2, through plain views only when not. UNION, not paths: each (view, source, depth, direct)
// once, so shared sources (diamonds) cost no more than the relations and depths involved; depth is
// capped, which also ends a cycle made by replacing a plain view.
constexpr const char* kWalk =
    "WITH RECURSIVE rule_reads(reader, source) AS NOT MATERIALIZED ("
    "  SELECT r.ev_class, d.refobjid"
    "    FROM pg_catalog.pg_rewrite r"
    "    JOIN pg_catalog.pg_depend d"
    "      ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
    "     AND d.objid OPERATOR(pg_catalog.=) r.oid"
    "     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
    "   WHERE d.refobjid OPERATOR(pg_catalog.<>) r.ev_class),"
    " walk(view, source, depth, direct) AS ("
    "  SELECT rr.reader, rr.source, 1, true"
    "    FROM rule_reads rr WHERE rr.reader OPERATOR(pg_catalog.=) ANY ($1)"
    "  UNION"
    "  SELECT w.view, rr.source, w.depth OPERATOR(pg_catalog.+) 1,"
    "         w.direct AND c.relkind OPERATOR(pg_catalog.=) 'v'"
    "    FROM walk w"
    "    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) w.source"
    "    JOIN rule_reads rr ON rr.reader OPERATOR(pg_catalog.=) w.source"
    "   WHERE (c.relkind OPERATOR(pg_catalog.=) 'v'"
    "          OR ($2 AND c.relkind OPERATOR(pg_catalog.=) 'm'))"
    "     AND w.source OPERATOR(pg_catalog.<>) w.view"
    "     AND w.depth OPERATOR(pg_catalog.<) " MVS_STRINGIFY(MVS_MAX_VIEW_NESTING) ")";

// The rules of the views' own queries: the view and the plain views it reads through plain views
// (UNION: each once, which also ends a cycle).
constexpr const char* kOwnRules =
    "WITH RECURSIVE rule_reads(reader, source) AS NOT MATERIALIZED ("
    "  SELECT r.ev_class, d.refobjid"
    "    FROM pg_catalog.pg_rewrite r"
    "    JOIN pg_catalog.pg_depend d"
    "      ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
    "     AND d.objid OPERATOR(pg_catalog.=) r.oid"
    "     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
    "   WHERE d.refobjid OPERATOR(pg_catalog.<>) r.ev_class),"
    " own(view, rel) AS ("
    "  SELECT v, v FROM pg_catalog.unnest($1) AS u(v)"
    "  UNION"
    "  SELECT o.view, rr.source"
    "    FROM own o JOIN rule_reads rr ON rr.reader OPERATOR(pg_catalog.=) o.rel"
    "    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) rr.source"
    "   WHERE c.relkind OPERATOR(pg_catalog.=) 'v'),"
    " own_rules(view, rule) AS ("
    "  SELECT DISTINCT o.view, r.oid FROM own o"
    "    JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) o.rel)";

char* spi_text(int row, int column) {
    char* value = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
    const size_t len = value != nullptr ? strlen(value) : 0;
    char* copy = static_cast<char*>(SPI_palloc(len + 1));
    memcpy(copy, value != nullptr ? value : "", len);
    copy[len] = '\0';
    return copy;
}

template <typename T> T* spi_rows(int n) {
    return static_cast<T*>(SPI_palloc(sizeof(T) * (n > 0 ? n : 1)));
}

} // namespace

int catalog_visible_matviews(Oid role, Oid** out) {
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(role)};
    run_sql("SELECT c.oid FROM pg_catalog.pg_class c"
            " WHERE c.relkind OPERATOR(pg_catalog.=) 'm'"
            "   AND (COALESCE(pg_catalog.has_table_privilege($1, c.oid, 'SELECT'), false)"
            "        OR EXISTS (SELECT FROM matview_scheduler.schedules s"
            "                    WHERE s.view::pg_catalog.oid OPERATOR(pg_catalog.=) c.oid"
            "                      AND COALESCE(pg_catalog.pg_has_role($1,"
            "                                       s.owner::pg_catalog.oid, 'USAGE'), false)))"
            " ORDER BY c.oid",
            1, types, values, nullptr, SPI_OK_SELECT);
    const int n = static_cast<int>(SPI_processed);
    Oid* rows = spi_rows<Oid>(n);
    for (int i = 0; i < n; ++i) {
        bool isnull = false;
        rows[i] = DatumGetObjectId(get_column(i, 1, &isnull));
    }
    *out = rows;
    return n;
}

int catalog_view_sources(const Oid* views, int n, SourceRow** out) {
    Oid types[2] = {OIDARRAYOID, BOOLOID};
    Datum values[2] = {oid_array(views, n), BoolGetDatum(true)};
    const char* sql = psprintf(
        "%s SELECT w.view, w.source, c.relkind, pg_catalog.min(w.depth), "
        "pg_catalog.bool_or(w.direct),"
        "          w.source::pg_catalog.regclass::pg_catalog.text"
        "     FROM walk w JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) w.source"
        "    GROUP BY w.view, w.source, c.relkind"
        "    ORDER BY w.view, 4, 6",
        kWalk);
    run_sql(sql, 2, types, values, nullptr, SPI_OK_SELECT);
    const int rows_n = static_cast<int>(SPI_processed);
    SourceRow* rows = spi_rows<SourceRow>(rows_n);
    for (int i = 0; i < rows_n; ++i) {
        bool isnull = false;
        rows[i].view = DatumGetObjectId(get_column(i, 1, &isnull));
        rows[i].source = DatumGetObjectId(get_column(i, 2, &isnull));
        rows[i].relkind = DatumGetChar(get_column(i, 3, &isnull));
        rows[i].depth = DatumGetInt32(get_column(i, 4, &isnull));
        rows[i].direct = DatumGetBool(get_column(i, 5, &isnull));
        rows[i].name = spi_text(i, 6);
    }
    *out = rows;
    return rows_n;
}

int catalog_view_functions(const Oid* views, int n, CalledFunction** out) {
    Oid types[2] = {OIDARRAYOID, OIDOID};
    Datum values[2] = {oid_array(views, n), ObjectIdGetDatum(FirstNormalObjectId)};
    // Functions called, and the functions behind the operators used. pg_depend leaves out
    // PostgreSQL's own (pinned) functions: those are read from the rule's query tree.
    const char* sql = psprintf(
        "%s, called(view, proc) AS ("
        "  SELECT o.view, d.refobjid FROM own_rules o"
        "    JOIN pg_catalog.pg_depend d"
        "      ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
        "     AND d.objid OPERATOR(pg_catalog.=) o.rule"
        "     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
        "  UNION"
        "  SELECT o.view, op.oprcode::pg_catalog.oid FROM own_rules o"
        "    JOIN pg_catalog.pg_depend d"
        "      ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
        "     AND d.objid OPERATOR(pg_catalog.=) o.rule"
        "     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass"
        "    JOIN pg_catalog.pg_operator op ON op.oid OPERATOR(pg_catalog.=) d.refobjid"
        "  UNION"
        "  SELECT o.view, m.f[2]::pg_catalog.oid FROM own_rules o"
        "    JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) o.rule"
        "   CROSS JOIN LATERAL pg_catalog.regexp_matches(r.ev_action::pg_catalog.text,"
        "              ':(funcid|opfuncid|aggfnoid|winfnoid) ([0-9]+)', 'g') AS m(f))"
        " SELECT c.view, p.proname::pg_catalog.text, "
        "p.oid::pg_catalog.regprocedure::pg_catalog.text,"
        "        p.pronargs, p.provolatile, p.oid OPERATOR(pg_catalog.<) $2"
        "   FROM called c JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) c.proc"
        "  ORDER BY c.view, 3",
        kOwnRules);
    run_sql(sql, 2, types, values, nullptr, SPI_OK_SELECT);
    const int rows_n = static_cast<int>(SPI_processed);
    CalledFunction* rows = spi_rows<CalledFunction>(rows_n);
    for (int i = 0; i < rows_n; ++i) {
        bool isnull = false;
        rows[i].view = DatumGetObjectId(get_column(i, 1, &isnull));
        rows[i].name = spi_text(i, 2);
        rows[i].signature = spi_text(i, 3);
        rows[i].nargs = DatumGetInt16(get_column(i, 4, &isnull));
        rows[i].volatility = DatumGetChar(get_column(i, 5, &isnull));
        rows[i].builtin = DatumGetBool(get_column(i, 6, &isnull));
    }
    *out = rows;
    return rows_n;
}

int catalog_views_reading_clock(const Oid* views, int n, ClockSyntax** out) {
    Oid types[3] = {OIDARRAYOID, INT4OID, INT4OID};
    // The SQLValueFunction ops that read the clock: CURRENT_DATE up to LOCALTIMESTAMP(n).
    Datum values[3] = {oid_array(views, n), Int32GetDatum(SVFOP_CURRENT_DATE),
                       Int32GetDatum(SVFOP_LOCALTIMESTAMP_N)};
    const char* sql =
        psprintf("%s SELECT o.view, pg_catalog.min(m.op[1]::pg_catalog.int4) FROM own_rules o"
                 "   JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) o.rule"
                 "   CROSS JOIN LATERAL pg_catalog.regexp_matches(r.ev_action::pg_catalog.text,"
                 "                      '\\{SQLVALUEFUNCTION :op ([0-9]+)', 'g') AS m(op)"
                 "  WHERE m.op[1]::pg_catalog.int4 OPERATOR(pg_catalog.>=) $2"
                 "    AND m.op[1]::pg_catalog.int4 OPERATOR(pg_catalog.<=) $3"
                 "  GROUP BY o.view ORDER BY 1",
                 kOwnRules);
    run_sql(sql, 3, types, values, nullptr, SPI_OK_SELECT);
    const int rows_n = static_cast<int>(SPI_processed);
    ClockSyntax* rows = spi_rows<ClockSyntax>(rows_n);
    for (int i = 0; i < rows_n; ++i) {
        bool isnull = false;
        rows[i].view = DatumGetObjectId(get_column(i, 1, &isnull));
        const int op = DatumGetInt32(get_column(i, 2, &isnull));
        rows[i].name = op <= SVFOP_CURRENT_DATE          ? "CURRENT_DATE"
                       : op <= SVFOP_CURRENT_TIME_N      ? "CURRENT_TIME"
                       : op <= SVFOP_CURRENT_TIMESTAMP_N ? "CURRENT_TIMESTAMP"
                       : op <= SVFOP_LOCALTIME_N         ? "LOCALTIME"
                                                         : "LOCALTIMESTAMP";
    }
    *out = rows;
    return rows_n;
}

int catalog_views_reading_system_tables(const Oid* views, int n, SystemRead** out) {
    Oid types[2] = {OIDARRAYOID, OIDOID};
    Datum values[2] = {oid_array(views, n), ObjectIdGetDatum(FirstNormalObjectId)};
    const char* sql = psprintf(
        "%s SELECT DISTINCT ON (o.view) o.view, c.oid::pg_catalog.regclass::pg_catalog.text"
        "   FROM own_rules o"
        "   JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) o.rule"
        "  CROSS JOIN LATERAL pg_catalog.regexp_matches(r.ev_action::pg_catalog.text,"
        "                     ':relid ([0-9]+)', 'g') AS m(rel)"
        "   JOIN pg_catalog.pg_class c"
        "     ON c.oid OPERATOR(pg_catalog.=) m.rel[1]::pg_catalog.oid"
        "  WHERE c.oid OPERATOR(pg_catalog.<) $2"
        "    AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[])"
        "  ORDER BY o.view, c.oid",
        kOwnRules);
    run_sql(sql, 2, types, values, nullptr, SPI_OK_SELECT);
    const int rows_n = static_cast<int>(SPI_processed);
    SystemRead* rows = spi_rows<SystemRead>(rows_n);
    for (int i = 0; i < rows_n; ++i) {
        bool isnull = false;
        rows[i].view = DatumGetObjectId(get_column(i, 1, &isnull));
        rows[i].name = spi_text(i, 2);
    }
    *out = rows;
    return rows_n;
}

int catalog_change_sources(Oid view, Oid** out) {
    Oid types[2] = {OIDARRAYOID, BOOLOID};
    Datum values[2] = {oid_array(&view, 1), BoolGetDatum(false)};
    // pg_inherits up and down from each relation found (UNION: each (relation, depth) once;
    // depth capped, so the walk ends whatever the catalog holds).
    const char* sql = psprintf(
        "%s, srcs(rel) AS (SELECT DISTINCT w.source FROM walk w"
        "                   WHERE w.source OPERATOR(pg_catalog.<>) w.view),"
        " up(rel, depth) AS ("
        "  SELECT s.rel, 0 FROM srcs s"
        "  UNION"
        "  SELECT i.inhparent, u.depth OPERATOR(pg_catalog.+) 1"
        "    FROM up u JOIN pg_catalog.pg_inherits i ON i.inhrelid OPERATOR(pg_catalog.=) u.rel"
        "   WHERE u.depth OPERATOR(pg_catalog.<) 64),"
        " down(rel, depth) AS ("
        "  SELECT s.rel, 0 FROM srcs s"
        "  UNION"
        "  SELECT i.inhrelid, d.depth OPERATOR(pg_catalog.+) 1"
        "    FROM down d JOIN pg_catalog.pg_inherits i"
        "      ON i.inhparent OPERATOR(pg_catalog.=) d.rel"
        "   WHERE d.depth OPERATOR(pg_catalog.<) 64)"
        " SELECT u.rel FROM up u UNION SELECT d.rel FROM down d ORDER BY 1",
        kWalk);
    run_sql(sql, 2, types, values, nullptr, SPI_OK_SELECT);
    const int n = static_cast<int>(SPI_processed);
    Oid* rows = static_cast<Oid*>(palloc(sizeof(Oid) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; ++i) {
        bool isnull = false;
        rows[i] = DatumGetObjectId(get_column(i, 1, &isnull));
    }
    *out = rows;
    return n;
}

int catalog_sources_state(const Oid* sources, int n, TimestampTz horizon, uint64 watch_generation,
                          SourceState** out) {
    Oid types[3] = {OIDARRAYOID, TIMESTAMPTZOID, INT8OID};
    Datum values[3] = {oid_array(sources, n), TimestampTzGetDatum(horizon),
                       Int64GetDatum(static_cast<int64>(watch_generation))};
    const bool has_changes = catalog_has_change_columns();
    const char* sql =
        psprintf("SELECT s.view::pg_catalog.oid,"
                 "       COALESCE(s.next_run OPERATOR(pg_catalog.<=) $2 AND NOT s.paused%s, false),"
                 "       s.next_run,"
                 "       COALESCE(h.status OPERATOR(pg_catalog.=) ANY ('{running,waiting}'), false)"
                 "  FROM matview_scheduler.schedules s"
                 "  LEFT JOIN @history@ h ON h.run_id OPERATOR(pg_catalog.=) s.last_run_id"
                 " WHERE s.view::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)",
                 has_changes ? " AND (s.min_interval IS NULL OR s.change_seen IS NULL"
                               " OR s.change_seen OPERATOR(pg_catalog.<>) $3)"
                             : "");
    run_sql(sql, has_changes ? 3 : 2, types, values, nullptr, SPI_OK_SELECT);
    const int rows_n = static_cast<int>(SPI_processed);
    SourceState* rows = spi_rows<SourceState>(rows_n);
    for (int i = 0; i < rows_n; ++i) {
        bool isnull = false;
        rows[i].source = DatumGetObjectId(get_column(i, 1, &isnull));
        rows[i].due = DatumGetBool(get_column(i, 2, &isnull));
        const Datum next = get_column(i, 3, &isnull);
        rows[i].next_run = isnull ? DT_NOEND : DatumGetTimestampTz(next);
        rows[i].active = DatumGetBool(get_column(i, 4, &isnull));
    }
    *out = rows;
    return rows_n;
}

} // namespace mvs::pg
