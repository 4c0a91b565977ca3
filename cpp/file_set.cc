#include "file_set.h"

#include <cstdint>
#include <string>
#include <vector>

#include "arguments.h"
#include "run_now_or_queue.h"
#include "token_batch_js.h"
#include "typed_arrays.h"

namespace {

std::vector<uint32_t> IdsArgument(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  std::vector<uint32_t> ids;
  if (info[index].IsTypedArray() && info[index].As<Napi::TypedArray>().TypedArrayType() == napi_uint32_array) {
    Napi::Uint32Array array = info[index].As<Napi::Uint32Array>();
    ids.assign(array.Data(), array.Data() + array.ElementLength());
    return ids;
  }
  if (!info[index].IsArray()) throw Napi::TypeError::New(env, "ids must be a Uint32Array or an array of numbers");
  Napi::Array array = info[index].As<Napi::Array>();
  ids.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value value = array.Get(i);
    if (!value.IsNumber()) throw Napi::TypeError::New(env, "ids must be numbers");
    double id = value.As<Napi::Number>().DoubleValue();
    if (!(id >= 0) || id > UINT32_MAX || id != static_cast<double>(static_cast<uint32_t>(id))) {
      throw Napi::RangeError::New(env, "ids must be non-negative integers");
    }
    ids.push_back(static_cast<uint32_t>(id));
  }
  return ids;
}

// add() takes an array of paths, or (cheaper to pass) one string of paths separated by NUL bytes.
std::vector<std::string> PathsArgument(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) return StringArrayArgument(info, 0, "paths");
  std::string joined = info[0].As<Napi::String>().Utf8Value();
  std::vector<std::string> paths;
  size_t start = 0;
  for (;;) {
    size_t end = joined.find('\0', start);
    paths.emplace_back(joined, start, end == std::string::npos ? std::string::npos : end - start);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return paths;
}

class ReadJob : public PromiseJob {
 public:
  ReadJob(std::shared_ptr<FileSetState> state, FileRegistry::Snapshot snapshot, size_t knownKeys)
      : state_(std::move(state)), snapshot_(std::move(snapshot)), knownKeys_(knownKeys) {}

  void Run() override { state_->reader.Read(snapshot_, knownKeys_, batch_); }
  // On the JS thread only if no read of the set is running: waiting for it would block the event loop.
  bool TryRunNow() override { return state_->reader.TryRead(snapshot_, knownKeys_, batch_); }
  Napi::Value Result(Napi::Env env) override { return TokenBatchToJs(env, batch_); }

 private:
  // Declared before snapshot_, so destroyed after it: the entries never outlive their set's state.
  std::shared_ptr<FileSetState> state_;
  FileRegistry::Snapshot snapshot_;
  size_t knownKeys_;
  TokenBatch batch_;
};

}  // namespace

Napi::Function FileSet::Define(Napi::Env env) {
  return DefineClass(env, "FileSet",
                     {InstanceMethod<&FileSet::Add>("add"), InstanceMethod<&FileSet::Read>("read"),
                      InstanceMethod<&FileSet::Release>("release"), InstanceMethod<&FileSet::Clear>("clear"),
                      InstanceAccessor<&FileSet::OpenCount>("openCount")});
}

FileSet::FileSet(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<FileSet>(info), state_(std::make_shared<FileSetState>(CountArgument(info, 0, "maxOpen"))) {}

Napi::Value FileSet::Add(const Napi::CallbackInfo& info) {
  std::vector<std::string> paths = PathsArgument(info);
  size_t mode = CountArgument(info, 1, "mode");
  const size_t kind = mode & ~size_t{kOptionalFlag};
  if (kind > static_cast<size_t>(FileMode::kStat)) {
    throw Napi::RangeError::New(info.Env(), "mode must be 0 to 4, optionally | 8");
  }
  return CopyToTypedArray<Napi::Uint32Array>(
      info.Env(), state_->registry.Add(paths, static_cast<FileMode>(kind), (mode & kOptionalFlag) != 0));
}

Napi::Value FileSet::Read(const Napi::CallbackInfo& info) {
  FileRegistry::Snapshot snapshot = state_->registry.Take(IdsArgument(info, 0));
  const size_t knownKeys = CountArgument(info, 1, "knownKeys");
  auto job = std::make_unique<ReadJob>(state_, std::move(snapshot), knownKeys);
  return RunNowOrQueue(info.Env(), std::move(job), info[2].ToBoolean().Value(), "ctrstat:FileSet.read");
}

void FileSet::Release(const Napi::CallbackInfo& info) { state_->registry.Release(IdsArgument(info, 0)); }

void FileSet::Clear(const Napi::CallbackInfo&) { state_->registry.Clear(); }

Napi::Value FileSet::OpenCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(state_->registry.OpenCount()));
}
