// The PostgreSQL headers every file of the server side needs, with C linkage.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

#include "pg/compat.hpp"
