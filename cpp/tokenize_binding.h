// tokenize(texts: string[]): the tokenizer of FileSet (tokenize.h) on strings at hand, synchronously,
// with a fresh key table: the same TokenBatch shape, newKeys naming every key.
#pragma once

#include "napi_config.h"

Napi::Value TokenizeTexts(const Napi::CallbackInfo& info);
