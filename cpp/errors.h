// System-call failures collected off the JS thread (no N-API there) and turned into JS values later.
#pragma once

#include "napi_config.h"

#include <string>

struct SysError {
  int err;  // positive errno
  std::string syscall;
  std::string path;  // the path or namespace the failure is about; empty when none
};

// Captures the current errno.
SysError LastError(const char* syscall, const std::string& path);

// The per-item failure of a batch answer: { errno (negative, as Node reports it), syscall, path? }.
Napi::Object FailureObject(Napi::Env env, const SysError& failure);

// A whole-call failure: an Error carrying the same errno/syscall/path (the TS side adds `code`).
Napi::Error ErrorFromFailure(Napi::Env env, const SysError& failure);
