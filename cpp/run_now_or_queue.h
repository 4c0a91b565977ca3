// The one way a call runs its work either on the calling JS thread or on libuv's thread pool. Running
// now is for work the caller knows is smaller than the hop to the pool and back (a few kept descriptors,
// a small directory tree, dumps on kept sockets); both ways return a promise, settled the same way.
#pragma once

#include "napi_config.h"

#include <memory>

#include "promise_job.h"

// now: PromiseJob::TryRunNow on the calling thread, the promise settled before this returns; queued on
// the pool when not `now` or when the job declines. `resourceName` names the pool work for async_hooks.
Napi::Promise RunNowOrQueue(Napi::Env env, std::unique_ptr<PromiseJob> job, bool now, const char* resourceName);
