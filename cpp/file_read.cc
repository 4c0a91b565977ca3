#include "file_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "arguments.h"

namespace {

constexpr size_t kInitialReadSize = 8192;

// Reads from offset 0 to EOF with pread, so a kept cgroup/proc descriptor regenerates its content.
std::optional<SysError> ReadFromStart(int fd, const std::string& path, std::string& content) {
  content.resize(kInitialReadSize);
  size_t length = 0;
  for (;;) {
    if (length == content.size()) content.resize(content.size() * 2);
    ssize_t n = pread(fd, &content[length], content.size() - length, static_cast<off_t>(length));
    if (n < 0) {
      if (errno == EINTR) continue;
      return LastError("read", path);
    }
    if (n == 0) break;
    length += static_cast<size_t>(n);
  }
  content.resize(length);
  return std::nullopt;
}

// Plain read(2) to EOF, for one-shot reads (works for any readable file, seekable or not).
FileOutcome ReadWholeFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.Valid()) return LastError("open", path);
  std::string content(kInitialReadSize, '\0');
  size_t length = 0;
  for (;;) {
    if (length == content.size()) content.resize(content.size() * 2);
    ssize_t n = read(fd.Get(), &content[length], content.size() - length);
    if (n < 0) {
      if (errno == EINTR) continue;
      return LastError("read", path);
    }
    if (n == 0) break;
    length += static_cast<size_t>(n);
  }
  content.resize(length);
  return content;
}

Napi::Value OutcomesToJs(Napi::Env env, const std::vector<FileOutcome>& outcomes) {
  Napi::Array array = Napi::Array::New(env, outcomes.size());
  for (size_t i = 0; i < outcomes.size(); i++) {
    if (const auto* content = std::get_if<std::string>(&outcomes[i])) {
      // latin1 maps every byte to one code unit, so any content survives unchanged.
      napi_value text;
      NAPI_THROW_IF_FAILED(env, napi_create_string_latin1(env, content->data(), content->size(), &text),
                           Napi::Value());
      array.Set(static_cast<uint32_t>(i), text);
    } else {
      array.Set(static_cast<uint32_t>(i), FailureObject(env, std::get<SysError>(outcomes[i])));
    }
  }
  return array;
}

// Reads a batch on the libuv pool. With `kept`, through the cache; without, one-shot.
class ReadFilesWorker : public Napi::AsyncWorker {
 public:
  ReadFilesWorker(Napi::Env env, std::vector<std::string> paths, std::shared_ptr<KeptFds> kept)
      : Napi::AsyncWorker(env, "ctrstat:readFiles"),
        deferred_(Napi::Promise::Deferred::New(env)),
        paths_(std::move(paths)),
        kept_(std::move(kept)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    outcomes_.reserve(paths_.size());
    for (const std::string& path : paths_) outcomes_.push_back(kept_ ? kept_->Read(path) : ReadWholeFile(path));
  }
  void OnOK() override { deferred_.Resolve(OutcomesToJs(Env(), outcomes_)); }
  // Only reached when Execute threw (std::bad_alloc): the whole call fails.
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::string> paths_;
  std::shared_ptr<KeptFds> kept_;
  std::vector<FileOutcome> outcomes_;
};

}  // namespace

Napi::Value ReadFiles(const Napi::CallbackInfo& info) {
  auto* worker = new ReadFilesWorker(info.Env(), StringArrayArgument(info, 0, "paths"), nullptr);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

std::shared_ptr<UniqueFd> KeptFds::Find(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = fds_.find(path);
  return it == fds_.end() ? nullptr : it->second;
}

void KeptFds::Keep(const std::string& path, std::shared_ptr<UniqueFd> fd) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fds_.size() < maxFds_) fds_.emplace(path, std::move(fd));
}

void KeptFds::Forget(const std::string& path, const std::shared_ptr<UniqueFd>& fd) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = fds_.find(path);
  if (it != fds_.end() && it->second == fd) fds_.erase(it);
}

FileOutcome KeptFds::Read(const std::string& path) {
  std::string content;
  if (std::shared_ptr<UniqueFd> kept = Find(path)) {
    // Any failure drops the descriptor: ENODEV/ENOENT/ESTALE mean the cgroup was removed, and a
    // descriptor that failed once is not worth keeping either; the next read reopens the path.
    if (auto failure = ReadFromStart(kept->Get(), path, content)) {
      Forget(path, kept);
      return *failure;
    }
    return content;
  }
  auto fresh = std::make_shared<UniqueFd>(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fresh->Valid()) return LastError("open", path);
  if (auto failure = ReadFromStart(fresh->Get(), path, content)) return *failure;
  Keep(path, std::move(fresh));
  return content;
}

void KeptFds::Close(const std::vector<std::string>& paths) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& path : paths) fds_.erase(path);
}

void KeptFds::ClosePrefix(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = fds_.lower_bound(prefix);
  while (it != fds_.end() && it->first.compare(0, prefix.size(), prefix) == 0) it = fds_.erase(it);
}

void KeptFds::CloseAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  fds_.clear();
}

size_t KeptFds::Size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return fds_.size();
}

Napi::Function FdCache::Define(Napi::Env env) {
  return DefineClass(env, "FdCache",
                     {InstanceMethod<&FdCache::Read>("read"), InstanceMethod<&FdCache::Close>("close"),
                      InstanceMethod<&FdCache::ClosePrefix>("closePrefix"),
                      InstanceMethod<&FdCache::CloseAll>("closeAll"), InstanceAccessor<&FdCache::Size>("size")});
}

FdCache::FdCache(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<FdCache>(info), fds_(std::make_shared<KeptFds>(CountArgument(info, 0, "maxFds"))) {}

Napi::Value FdCache::Read(const Napi::CallbackInfo& info) {
  auto* worker = new ReadFilesWorker(info.Env(), StringArrayArgument(info, 0, "paths"), fds_);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

void FdCache::Close(const Napi::CallbackInfo& info) { fds_->Close(StringArrayArgument(info, 0, "paths")); }

void FdCache::ClosePrefix(const Napi::CallbackInfo& info) { fds_->ClosePrefix(StringArgument(info, 0, "prefix")); }

void FdCache::CloseAll(const Napi::CallbackInfo&) { fds_->CloseAll(); }

Napi::Value FdCache::Size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(fds_->Size()));
}
