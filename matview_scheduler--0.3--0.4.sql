-- matview_scheduler 0.3 -> 0.4. A fresh CREATE EXTENSION runs 0.1 and every update after it, so
-- every installation, new or updated, has the same catalog.
\echo Use "ALTER EXTENSION matview_scheduler UPDATE TO '0.4'" to load this file. \quit

-- What each materialized view reads (through plain views and other materialized views, down to
-- tables) and whether its changes can be tracked exactly. The function shows a role only the
-- views it may see in matview_scheduler.status: those it may SELECT from, and those whose
-- schedule's owner it has the privileges of.
CREATE FUNCTION matview_scheduler.dependency_rows(OUT view pg_catalog.regclass,
                                                  OUT source pg_catalog.regclass,
                                                  OUT source_kind text,
                                                  OUT depth integer,
                                                  OUT tracked boolean,
                                                  OUT untracked_reason text)
    RETURNS SETOF record
    LANGUAGE C STABLE
    AS 'MODULE_PATHNAME', 'mvs_dependencies';

CREATE VIEW matview_scheduler.dependencies AS
SELECT d.view, d.source, d.source_kind, d.depth, d.tracked, d.untracked_reason
  FROM matview_scheduler.dependency_rows() d;
GRANT SELECT ON matview_scheduler.dependencies TO PUBLIC;
