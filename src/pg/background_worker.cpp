#include "pg/background_worker.hpp"

namespace mvs::pg {

void describe_background_worker(BackgroundWorker* worker, const char* function, Datum main_arg,
                                int restart_time, const char* name, const char* type) {
    memset(worker, 0, sizeof *worker);
    worker->bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker->bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker->bgw_restart_time = restart_time;
    worker->bgw_main_arg = main_arg;
    strlcpy(worker->bgw_library_name, "matview_scheduler", BGW_MAXLEN);
    strlcpy(worker->bgw_function_name, function, BGW_MAXLEN);
    strlcpy(worker->bgw_name, name, BGW_MAXLEN);
    strlcpy(worker->bgw_type, type, BGW_MAXLEN);
}

} // namespace mvs::pg
