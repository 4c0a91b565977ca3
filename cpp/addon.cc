// Module init. All state lives in per-call jobs, per-object caches and the environment's namespace
// threads (instance data, namespace_threads.h), no globals, so every environment (main thread, each
// worker thread) gets an independent addon.
#include "napi_config.h"

#include "dir_walk.h"
#include "file_set.h"
#include "mount_watch.h"
#include "netns_reader.h"
#include "tokenize_binding.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("readNetns", Napi::Function::New(env, ReadNetns, "readNetns"));
  exports.Set("FileSet", FileSet::Define(env));
  exports.Set("MountWatch", MountWatch::Define(env));
  exports.Set("walkDirs", Napi::Function::New(env, WalkDirs, "walkDirs"));
  exports.Set("tokenize", Napi::Function::New(env, TokenizeTexts, "tokenize"));
  exports.Set("NetlinkCache", NetlinkCache::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(ctrstat, Init)
