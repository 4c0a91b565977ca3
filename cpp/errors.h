// System-call failures (sys_error.h, collected off the JS thread) turned into JS values.
#pragma once

#include "napi_config.h"

#include "sys_error.h"

// The per-item failure of a batch answer: { errno (negative, as Node reports it), syscall, path? }.
Napi::Object FailureObject(Napi::Env env, const SysError& failure);

// A whole-call failure: an Error carrying the same errno/syscall/path (the TS side adds `code`).
Napi::Error ErrorFromFailure(Napi::Env env, const SysError& failure);
