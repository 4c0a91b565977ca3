#include "dedicated_thread.h"

#include <system_error>
#include <thread>

#include "errors.h"

namespace {

// A job with the promise it settles, handed from the thread back to the JS thread.
struct ThreadJob {
  ThreadJob(Napi::Env env, std::unique_ptr<PromiseJob> work)
      : deferred(Napi::Promise::Deferred::New(env)), job(std::move(work)) {}
  Napi::Promise::Deferred deferred;
  std::unique_ptr<PromiseJob> job;
};

void SettleJob(Napi::Env env, Napi::Function, std::nullptr_t*, ThreadJob* job) {
  std::unique_ptr<ThreadJob> owned(job);
  if (env == nullptr) return;  // the environment is going away: nobody waits for the promise
  // Nothing may throw out of here (a C callback). N-API calls fail when JS can no longer run, as in a
  // worker being terminated; then nobody can observe the promise and the job is just freed.
  try {
    SettleWithResult(env, *owned->job, owned->deferred);
  } catch (const Napi::Error&) {
  }
}

using JobFunction = Napi::TypedThreadSafeFunction<std::nullptr_t, ThreadJob, SettleJob>;

struct ThreadSlot {
  std::thread thread;
};

void JoinAndFree(Napi::Env, ThreadSlot* slot, std::nullptr_t*) {
  if (slot->thread.joinable()) slot->thread.join();
  delete slot;
}

}  // namespace

Napi::Promise RunOnDedicatedThread(Napi::Env env, std::unique_ptr<PromiseJob> job, const char* name) {
  auto owned = std::make_unique<ThreadJob>(env, std::move(job));
  Napi::Promise promise = owned->deferred.Promise();
  auto slot = std::make_unique<ThreadSlot>();
  // From here the thread-safe function's finalizer frees the slot (and not if New throws).
  JobFunction settle = JobFunction::New(env, name, 0, 1, nullptr, JoinAndFree, slot.get());
  ThreadSlot* started = slot.release();
  ThreadJob* raw = owned.release();
  try {
    started->thread = std::thread([settle, raw]() {
      raw->job->Run();
      // napi_closing: the environment is shutting down (worker terminated, process exiting) and
      // SettleJob will not run, so the job is freed here.
      if (settle.BlockingCall(raw) != napi_ok) delete raw;
      settle.Release();
    });
  } catch (const std::system_error& error) {
    std::unique_ptr<ThreadJob> failed(raw);
    settle.Release();
    failed->deferred.Reject(ErrorFromFailure(env, SysError{error.code().value(), "pthread_create", ""}).Value());
  }
  return promise;
}
