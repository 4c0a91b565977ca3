#include "namespace_threads.h"

#include <pthread.h>

#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "errors.h"

namespace {

constexpr size_t kMaxThreads = 4;

// A job with the promise it settles.
struct ThreadJob {
  ThreadJob(Napi::Env env, std::unique_ptr<PromiseJob> work)
      : deferred(Napi::Promise::Deferred::New(env)), job(std::move(work)) {}
  Napi::Promise::Deferred deferred;
  std::unique_ptr<PromiseJob> job;
  ThreadJob* next = nullptr;  // in JobQueue
};

// First in, first out, linked through the jobs themselves: no allocation under the lock, and no
// std::deque, whose map allocation needs libstdc++ 3.4.29 (std::__throw_bad_array_new_length).
class JobQueue {
 public:
  bool Empty() const { return head_ == nullptr; }
  size_t Size() const { return size_; }
  void Push(ThreadJob* job) {
    (head_ == nullptr ? head_ : tail_->next) = job;
    tail_ = job;
    size_++;
  }
  ThreadJob* Pop() {
    ThreadJob* job = head_;
    head_ = job->next;
    if (head_ == nullptr) tail_ = nullptr;
    job->next = nullptr;
    size_--;
    return job;
  }

 private:
  ThreadJob* head_ = nullptr;
  ThreadJob* tail_ = nullptr;
  size_t size_ = 0;
};

class NamespaceThreads;
void SettleJob(Napi::Env env, Napi::Function, NamespaceThreads* threads, ThreadJob* job);
using JobFunction = Napi::TypedThreadSafeFunction<NamespaceThreads, ThreadJob, SettleJob>;

// Owned twice: by the environment's instance data and by the thread-safe function's finalizer, which both
// stop and join the threads before letting go (their order at teardown is Node's), so no thread outlives
// the state or the function it uses. The mutex and condition are pthread's own: std::condition_variable
// would need a newer libstdc++ than the prebuilt binary may (glibc_compat.h).
class NamespaceThreads {
 public:
  NamespaceThreads() {
    pthread_mutex_init(&mutex_, nullptr);
    pthread_cond_init(&work_, nullptr);
  }
  ~NamespaceThreads() {
    StopAndJoin();
    pthread_cond_destroy(&work_);
    pthread_mutex_destroy(&mutex_);
  }
  NamespaceThreads(const NamespaceThreads&) = delete;
  NamespaceThreads& operator=(const NamespaceThreads&) = delete;

  static std::shared_ptr<NamespaceThreads> For(Napi::Env env);

  Napi::Promise Run(Napi::Env env, std::unique_ptr<PromiseJob> job) {
    auto* item = new ThreadJob(env, std::move(job));
    Napi::Promise promise = item->deferred.Promise();
    if (pending_++ == 0) settle_.Ref(env);
    pthread_mutex_lock(&mutex_);
    std::optional<SysError> failure;
    // A job waits only for a thread already kept to become free, or for the bound. A thread started here
    // waits for the lock, then finds the job queued.
    if (queue_.Size() + 1 > idle_ && threads_.size() < kMaxThreads) {
      try {
        threads_.emplace_back([this]() { Loop(); });
      } catch (const std::system_error& error) {
        // With a thread kept the job waits for it; without one nothing would ever run it.
        if (threads_.empty()) failure = SysError{error.code().value(), "pthread_create", ""};
      }
    }
    if (!failure) {
      queue_.Push(item);
      pthread_cond_signal(&work_);
    }
    pthread_mutex_unlock(&mutex_);
    if (failure) {
      std::unique_ptr<ThreadJob> owned(item);
      Settled(env);
      owned->deferred.Reject(ErrorFromFailure(env, *failure).Value());
    }
    return promise;
  }

  // On the JS thread, once per job answered: the function holds the event loop only while one pends.
  void Settled(Napi::Env env) {
    if (--pending_ == 0) settle_.Unref(env);
  }

  // On the JS thread at teardown; runs once, a second call finds nothing to do.
  void StopAndJoin() {
    pthread_mutex_lock(&mutex_);
    stopping_ = true;
    pthread_cond_broadcast(&work_);
    pthread_mutex_unlock(&mutex_);
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    while (!queue_.Empty()) delete queue_.Pop();
  }

 private:
  void Loop() {
    pthread_mutex_lock(&mutex_);
    for (;;) {
      while (queue_.Empty() && !stopping_) {
        idle_++;
        pthread_cond_wait(&work_, &mutex_);
        idle_--;
      }
      if (stopping_) break;
      ThreadJob* item = queue_.Pop();
      pthread_mutex_unlock(&mutex_);
      item->job->Run();
      // napi_closing: the environment is going away and SettleJob will not run for this job.
      if (settle_.BlockingCall(item) != napi_ok) delete item;
      pthread_mutex_lock(&mutex_);
    }
    pthread_mutex_unlock(&mutex_);
  }

  pthread_mutex_t mutex_;
  pthread_cond_t work_;
  JobQueue queue_;                    // under mutex_
  size_t idle_ = 0;                   // threads waiting for a job; under mutex_
  bool stopping_ = false;             // under mutex_
  std::vector<std::thread> threads_;  // changed on the JS thread only (Run, StopAndJoin)
  size_t pending_ = 0;                // jobs not yet answered; JS thread only
  JobFunction settle_;
};

void SettleJob(Napi::Env env, Napi::Function, NamespaceThreads* threads, ThreadJob* job) {
  std::unique_ptr<ThreadJob> owned(job);
  if (env == nullptr) return;  // the environment is going away: nobody waits for the promise
  threads->Settled(env);
  // Nothing may throw out of here (a C callback). N-API calls fail when JS can no longer run, as in a
  // worker being terminated; then nobody can observe the promise and the job is just freed.
  try {
    SettleWithResult(env, *owned->job, owned->deferred);
  } catch (const Napi::Error&) {
  }
}

using Owner = std::shared_ptr<NamespaceThreads>;

void StopWithFunction(Napi::Env, Owner* owner, NamespaceThreads*) {
  (*owner)->StopAndJoin();
  delete owner;
}

std::shared_ptr<NamespaceThreads> NamespaceThreads::For(Napi::Env env) {
  if (Owner* kept = env.GetInstanceData<Owner>()) return *kept;
  auto threads = std::make_shared<NamespaceThreads>();
  auto functionOwner = std::make_unique<Owner>(threads);
  threads->settle_ =
      JobFunction::New(env, "ctrstat:namespace threads", 0, 1, threads.get(), StopWithFunction, functionOwner.get());
  functionOwner.release();  // the function's finalizer frees it from here
  threads->settle_.Unref(env);
  env.SetInstanceData<Owner>(new Owner(threads));  // the default finalizer deletes it (joined first)
  return threads;
}

}  // namespace

Napi::Promise RunOnNamespaceThread(Napi::Env env, std::unique_ptr<PromiseJob> job) {
  return NamespaceThreads::For(env)->Run(env, std::move(job));
}
