#include "file_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "arguments.h"
#include "unique_fd.h"

namespace {

constexpr size_t kInitialReadSize = 8192;

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

// Reads a batch on the libuv pool.
class ReadFilesWorker : public Napi::AsyncWorker {
 public:
  ReadFilesWorker(Napi::Env env, std::vector<std::string> paths)
      : Napi::AsyncWorker(env, "ctrstat:readFiles"), deferred_(Napi::Promise::Deferred::New(env)), paths_(std::move(paths)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    outcomes_.reserve(paths_.size());
    for (const std::string& path : paths_) outcomes_.push_back(ReadWholeFile(path));
  }
  void OnOK() override { deferred_.Resolve(OutcomesToJs(Env(), outcomes_)); }
  // Only reached when Execute threw (std::bad_alloc): the whole call fails.
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::string> paths_;
  std::vector<FileOutcome> outcomes_;
};

}  // namespace

Napi::Value ReadFiles(const Napi::CallbackInfo& info) {
  auto* worker = new ReadFilesWorker(info.Env(), StringArrayArgument(info, 0, "paths"));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}
