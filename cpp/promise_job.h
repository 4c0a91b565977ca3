// Work behind a call that returns a promise, split at the thread boundary: Run does the system calls on
// whatever thread runs it (no N-API there), Result builds the answer on the JS thread afterwards. Where it
// runs is the caller's choice: run_now_or_queue.h (the calling thread or libuv's pool) or
// namespace_threads.h (threads kept for work that changes its thread's network namespace).
#pragma once

#include "napi_config.h"

class PromiseJob {
 public:
  PromiseJob() = default;
  virtual ~PromiseJob() = default;
  PromiseJob(const PromiseJob&) = delete;
  PromiseJob& operator=(const PromiseJob&) = delete;

  // Off the JS thread, or on it when run now. No N-API calls.
  virtual void Run() = 0;
  // Run on the calling JS thread instead, unless that would mean waiting for another thread (a read of
  // the same set running on the pool): then false, nothing done, and the job is queued instead.
  virtual bool TryRunNow() {
    Run();
    return true;
  }
  // On the JS thread, after Run: the value the promise resolves with; a Napi::Error thrown here rejects it.
  virtual Napi::Value Result(Napi::Env env) = 0;
};

// Settles `deferred` with the job's result, or rejects it with the error Result threw.
inline void SettleWithResult(Napi::Env env, PromiseJob& job, Napi::Promise::Deferred& deferred) {
  Napi::Value result;
  try {
    result = job.Result(env);
  } catch (const Napi::Error& error) {
    deferred.Reject(error.Value());
    return;
  }
  deferred.Resolve(result);
};
