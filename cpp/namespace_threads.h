// Jobs that change their thread's network namespace run on a few threads kept for them per environment:
// never on the libuv pool (its threads run other work, and a job there could strand one in a foreign
// namespace), and not on one new thread per call either (200 calls at once are served by kMaxThreads).
// Each job returns its thread to the thread's own namespace, or aborts the process (netns_reader.cc), so
// a kept thread is always home between jobs. The answer reaches the JS thread through one thread-safe
// function per environment, referenced only while a job is pending: idle threads keep no process alive.
#pragma once

#include "napi_config.h"

#include <memory>

#include "promise_job.h"

// Queues the job and returns its promise; a thread is started when every kept one is busy and fewer than
// kMaxThreads run. At the environment's teardown (a worker terminated) the threads finish the job they
// run and are joined; jobs still queued are dropped (no JS is left to see their promises).
Napi::Promise RunOnNamespaceThread(Napi::Env env, std::unique_ptr<PromiseJob> job);
