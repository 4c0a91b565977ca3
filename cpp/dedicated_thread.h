// Runs a job on its own std::thread (never the libuv pool: the job changes the thread's network
// namespace) and settles a promise with its result through a thread-safe function.
#pragma once

#include "napi_config.h"

#include <memory>

class DedicatedThreadJob {
 public:
  explicit DedicatedThreadJob(Napi::Env env) : deferred_(Napi::Promise::Deferred::New(env)) {}
  virtual ~DedicatedThreadJob() = default;
  DedicatedThreadJob(const DedicatedThreadJob&) = delete;
  DedicatedThreadJob& operator=(const DedicatedThreadJob&) = delete;

  // Runs on the dedicated thread: no N-API calls.
  virtual void Run() = 0;
  // Runs on the JS thread afterwards.
  virtual Napi::Value Result(Napi::Env env) = 0;

  Napi::Promise::Deferred& Deferred() { return deferred_; }

 private:
  Napi::Promise::Deferred deferred_;
};

// Starts the thread and returns the job's promise. The thread is joined in the thread-safe function's
// finalizer, which also runs when the environment (a worker thread) is torn down.
Napi::Promise RunOnDedicatedThread(Napi::Env env, std::unique_ptr<DedicatedThreadJob> job, const char* name);
