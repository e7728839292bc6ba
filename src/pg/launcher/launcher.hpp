// The launcher: one per cluster, keeps one scheduler running per database with the extension.
#pragma once

#include "pg/pg_headers.hpp"

namespace mvs::pg {
void register_launcher();
} // namespace mvs::pg

extern "C" PGDLLEXPORT void mvs_launcher_main(Datum arg);
