// Runs a job on its own std::thread (never the libuv pool: the job changes the thread's network
// namespace) and settles a promise with its result through a thread-safe function.
#pragma once

#include "napi_config.h"

#include <memory>

#include "promise_job.h"

// Starts the thread and returns the job's promise. The thread is joined in the thread-safe function's
// finalizer, which also runs when the environment (a worker thread) is torn down.
Napi::Promise RunOnDedicatedThread(Napi::Env env, std::unique_ptr<PromiseJob> job, const char* name);
