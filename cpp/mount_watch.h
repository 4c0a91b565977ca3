// MountWatch: tells whether a mount table (/proc/<pid>/mountinfo) changed since the last look, with one
// poll(2) instead of reading and parsing the table again. The kernel flags a changed mount namespace
// with POLLPRI | POLLERR on an open mounts file, once per look (proc(5)).
#pragma once

#include "napi_config.h"

#include "unique_fd.h"

class MountWatch : public Napi::ObjectWrap<MountWatch> {
 public:
  static Napi::Function Define(Napi::Env env);
  // new MountWatch(path): throws a system error when the file cannot be opened.
  explicit MountWatch(const Napi::CallbackInfo& info);

 private:
  // changed(): true once after each change of the mount table (and after close()).
  Napi::Value Changed(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  UniqueFd fd_;
};
