#include "mount_watch.h"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>

#include "arguments.h"
#include "errors.h"

Napi::Function MountWatch::Define(Napi::Env env) {
  return DefineClass(env, "MountWatch",
                     {InstanceMethod<&MountWatch::Changed>("changed"), InstanceMethod<&MountWatch::Close>("close")});
}

MountWatch::MountWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MountWatch>(info) {
  std::string path = StringArgument(info, 0, "path");
  fd_ = UniqueFd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd_.Valid()) throw ErrorFromFailure(info.Env(), LastError("open", path));
}

Napi::Value MountWatch::Changed(const Napi::CallbackInfo& info) {
  if (!fd_.Valid()) return Napi::Boolean::New(info.Env(), true);
  pollfd entry{fd_.Get(), POLLPRI, 0};
  int ready;
  do ready = poll(&entry, 1, 0);
  while (ready < 0 && errno == EINTR);
  // A failed poll cannot vouch for the table: count it as changed.
  const bool changed = ready != 0 && (ready < 0 || (entry.revents & (POLLPRI | POLLERR | POLLNVAL)) != 0);
  return Napi::Boolean::New(info.Env(), changed);
}

void MountWatch::Close(const Napi::CallbackInfo&) { fd_.Reset(); }
