// A TokenBatch (token_batch.h) as the JS object lib/native.ts names NativeTokenBatch: typed arrays, one
// copy each, and file contents as latin1 strings (one code unit per byte, so any content survives).
#pragma once

#include "napi_config.h"

#include "token_batch.h"

Napi::Value TokenBatchToJs(Napi::Env env, const TokenBatch& batch);
