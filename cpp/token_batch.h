// What a FileSet read (or tokenize()) produces: built off the JS thread, plain data (token_batch_js.h
// turns it into the JS shape lib/native.ts names NativeTokenBatch).
//
// first: n + 1 offsets (entries of file i are first[i] .. first[i + 1]); status: 0 or the negative
// errno; syscall: the call that failed; sink: the (key id, value) entries; newKeys: the names of key
// ids from the caller's knownKeys on; texts: (file index, content) of the files read as text.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tokenize.h"

// Index into lib/native.ts FAILED_CALLS.
enum class FailedCall : uint8_t { kNone = 0, kOpen = 1, kRead = 2, kStat = 3 };

struct TokenBatch {
  std::vector<uint32_t> first;
  std::vector<int32_t> status;
  std::vector<uint8_t> syscall;
  TokenSink sink;
  std::vector<std::string> newKeys;
  std::vector<std::pair<uint32_t, std::string>> texts;
};
