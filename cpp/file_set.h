// FileSet, the JS object: the cgroup and proc files of many containers, registered once (file_registry.h)
// and read in one trip, off the event loop or on the calling thread (file_reader.h, run_now_or_queue.h).
//
//   new FileSet(maxOpen)                         descriptors to keep between reads (0: none)
//   add(paths, mode) -> Uint32Array of ids       mode: 0 tokens, 1 text (read to EOF), 2 the inode of the path,
//                                                3 CLOCK_MONOTONIC in ns when the read gets there,
//                                                4 stat(2): entries ino, size, mtimeNs; | 8: optional
//   read(ids, knownKeys, inline?) -> Promise<batch>   one entry range per id, in order; the ids name
//                                                the files they name at the call (a release or add
//                                                afterwards does not change what the read reads);
//                                                inline: on the calling thread (for a few kept
//                                                descriptors, less than the hop to the thread pool costs)
//   release(ids), clear(), openCount
//
// The batch is a TokenBatch (token_batch.h) as token_batch_js.h hands it over.
#pragma once

#include "napi_config.h"

#include <memory>

#include "file_reader.h"
#include "file_registry.h"

// What a FileSet shares with its reads in flight: a read on the pool keeps the set alive.
struct FileSetState {
  explicit FileSetState(size_t maxOpen) : registry(maxOpen), reader(registry) {}
  FileRegistry registry;
  FileSetReader reader;
};

class FileSet : public Napi::ObjectWrap<FileSet> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit FileSet(const Napi::CallbackInfo& info);

 private:
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Read(const Napi::CallbackInfo& info);
  void Release(const Napi::CallbackInfo& info);
  void Clear(const Napi::CallbackInfo& info);
  Napi::Value OpenCount(const Napi::CallbackInfo& info);

  std::shared_ptr<FileSetState> state_;
};
