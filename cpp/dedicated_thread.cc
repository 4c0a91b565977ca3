#include "dedicated_thread.h"

#include <system_error>
#include <thread>

#include "errors.h"

namespace {

void SettleJob(Napi::Env env, Napi::Function, std::nullptr_t*, DedicatedThreadJob* job) {
  std::unique_ptr<DedicatedThreadJob> owned(job);
  if (env == nullptr) return;  // the environment is going away: nobody waits for the promise
  // Nothing may throw out of here (a C callback). N-API calls fail when JS can no longer run, as in a
  // worker being terminated; then nobody can observe the promise and the job is just freed.
  try {
    owned->Deferred().Resolve(owned->Result(env));
  } catch (const Napi::Error& error) {
    try {
      owned->Deferred().Reject(error.Value());
    } catch (const Napi::Error&) {
    }
  }
}

using JobFunction = Napi::TypedThreadSafeFunction<std::nullptr_t, DedicatedThreadJob, SettleJob>;

struct ThreadSlot {
  std::thread thread;
};

void JoinAndFree(Napi::Env, ThreadSlot* slot, std::nullptr_t*) {
  if (slot->thread.joinable()) slot->thread.join();
  delete slot;
}

}  // namespace

Napi::Promise RunOnDedicatedThread(Napi::Env env, std::unique_ptr<DedicatedThreadJob> job, const char* name) {
  Napi::Promise promise = job->Deferred().Promise();
  auto owned = std::make_unique<ThreadSlot>();
  // From here the thread-safe function's finalizer frees the slot (and not if New throws).
  JobFunction settle = JobFunction::New(env, name, 0, 1, nullptr, JoinAndFree, owned.get());
  ThreadSlot* slot = owned.release();
  DedicatedThreadJob* raw = job.release();
  try {
    slot->thread = std::thread([settle, raw]() {
      raw->Run();
      // napi_closing: the environment is shutting down (worker terminated, process exiting) and
      // SettleJob will not run, so the job is freed here.
      if (settle.BlockingCall(raw) != napi_ok) delete raw;
      settle.Release();
    });
  } catch (const std::system_error& error) {
    std::unique_ptr<DedicatedThreadJob> owned(raw);
    settle.Release();
    owned->Deferred().Reject(ErrorFromFailure(env, SysError{error.code().value(), "pthread_create", ""}).Value());
  }
  return promise;
}
