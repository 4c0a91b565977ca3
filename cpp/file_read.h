// Whole-file reads off the event loop: readFiles (open, read, close) and FdCache (kept descriptors).
#pragma once

#include "napi_config.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "errors.h"
#include "unique_fd.h"

using FileOutcome = std::variant<std::string, SysError>;

// readFiles(paths): Promise<Array<string | failure>>.
Napi::Value ReadFiles(const Napi::CallbackInfo& info);

// The descriptors of one FdCache. Shared with the pool threads reading through it, so a close from JS
// while a read is in flight only drops the map's reference: the descriptor is closed when that read ends.
class KeptFds {
 public:
  explicit KeptFds(size_t maxFds) : maxFds_(maxFds) {}

  FileOutcome Read(const std::string& path);
  void Close(const std::vector<std::string>& paths);
  void ClosePrefix(const std::string& prefix);
  void CloseAll();
  size_t Size();

 private:
  std::shared_ptr<UniqueFd> Find(const std::string& path);
  // Keeps `fd` unless the path is kept already or the cache is full (then the read was one-shot).
  void Keep(const std::string& path, std::shared_ptr<UniqueFd> fd);
  // Drops `fd` if the path still maps to it (a concurrent reopen may have replaced it).
  void Forget(const std::string& path, const std::shared_ptr<UniqueFd>& fd);

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<UniqueFd>> fds_;
  const size_t maxFds_;
};

class FdCache : public Napi::ObjectWrap<FdCache> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit FdCache(const Napi::CallbackInfo& info);

 private:
  Napi::Value Read(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void ClosePrefix(const Napi::CallbackInfo& info);
  void CloseAll(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);

  std::shared_ptr<KeptFds> fds_;
};
