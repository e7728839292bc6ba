// DROP DATABASE, ALTER DATABASE ... RENAME and CREATE DATABASE ... TEMPLATE need the database to
// themselves: our scheduler and refresh workers step aside for them, but only for a command that
// will run (after PostgreSQL's permission checks), and come back when the (sub)transaction that
// stepped them aside aborts, or when a rename or copy commits.
#pragma once

#include "pg/pg_headers.hpp"

extern "C" {
#include "nodes/nodes.h"
#include "tcop/utility.h"
}

namespace mvs::pg {

// From _PG_init: the object access hook (DROP DATABASE) and the transaction callbacks.
void install_database_guard();
// From the utility hook, before the command runs: RENAME and TEMPLATE copies.
void guard_database_command(const Node* parsetree, ProcessUtilityContext context);

} // namespace mvs::pg
