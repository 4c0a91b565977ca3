#include "run_now_or_queue.h"

#include <exception>

namespace {

class PoolWorker : public Napi::AsyncWorker {
 public:
  PoolWorker(Napi::Env env, std::unique_ptr<PromiseJob> job, const char* resourceName)
      : Napi::AsyncWorker(env, resourceName), deferred_(Napi::Promise::Deferred::New(env)), job_(std::move(job)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { job_->Run(); }
  void OnOK() override { SettleWithResult(Env(), *job_, deferred_); }
  // Only reached when Run threw (std::bad_alloc; AsyncWorker turns it into an error): the call fails.
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::unique_ptr<PromiseJob> job_;
};

}  // namespace

Napi::Promise RunNowOrQueue(Napi::Env env, std::unique_ptr<PromiseJob> job, bool now, const char* resourceName) {
  if (now) {
    // No AsyncWorker is made for work done now: its async resource costs more than a small read.
    bool ran = false;
    try {
      ran = job->TryRunNow();
    } catch (const std::exception& error) {
      // As on the pool: the call fails, the process does not.
      Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
      deferred.Reject(Napi::Error::New(env, error.what()).Value());
      return deferred.Promise();
    }
    if (ran) {
      Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
      SettleWithResult(env, *job, deferred);
      return deferred.Promise();
    }
  }
  auto* worker = new PoolWorker(env, std::move(job), resourceName);  // deletes itself when settled
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}
