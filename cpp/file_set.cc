#include "file_set.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "arguments.h"
#include "glibc_compat.h"
#include "typed_arrays.h"
#include "unique_fd.h"

namespace {

constexpr size_t kInitialBufferSize = 64 * 1024;
// No cgroup or proc file ctrstat reads comes near this; a larger one is refused rather than buffered.
constexpr size_t kMaxFileSize = 64 * 1024 * 1024;
// An optional file found absent is looked for again after this many reads of a kept set (a v2
// controller enabled later brings its files; a sweep a second reads it within about half a minute).
constexpr uint32_t kAbsentRetryReads = 32;
// Descriptors a kept set gives back when an open fails with EMFILE (and keeps fewer from then on).
constexpr size_t kEmfileRelease = 256;

// Reads from offset 0 with pread, so that a kept cgroup descriptor regenerates its content. A short
// read is the end of a cgroup or proc file (kernfs and seq_file fill the buffer as far as the content
// goes), which saves the read that would return 0; `toEof` reads on to that 0 (files of any
// filesystem, FUSE and NFS included, where a short read need not be the end). Files that cannot seek
// are read to EOF with read(2) and are never kept.
int ReadFromStart(int fd, std::string& buffer, size_t& length, bool& seekable, bool toEof) {
  if (buffer.size() < kInitialBufferSize) buffer.resize(kInitialBufferSize);
  length = 0;
  seekable = true;
  for (;;) {
    ssize_t n = seekable ? pread(fd, &buffer[length], buffer.size() - length, static_cast<off_t>(length))
                         : read(fd, &buffer[length], buffer.size() - length);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ESPIPE && seekable && length == 0) {
        seekable = false;
        continue;
      }
      return errno;
    }
    if (n == 0) return 0;
    length += static_cast<size_t>(n);
    if (length == buffer.size()) {
      if (buffer.size() >= kMaxFileSize) return EFBIG;
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (seekable && !toEof) return 0;
  }
}

// Holds a set's read gate for a scope (an exception thrown by a read must not leave the set locked).
class GateHold {
 public:
  explicit GateHold(ReadGate& gate) : gate_(gate) {}
  ~GateHold() { gate_.Leave(); }
  GateHold(const GateHold&) = delete;
  GateHold& operator=(const GateHold&) = delete;

 private:
  ReadGate& gate_;
};

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


class ReadWorker : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, std::shared_ptr<FileSetState> state, FileSetState::Snapshot snapshot, size_t knownKeys)
      : Napi::AsyncWorker(env, "ctrstat:FileSet.read"),
        deferred_(Napi::Promise::Deferred::New(env)),
        state_(std::move(state)),
        snapshot_(std::move(snapshot)),
        knownKeys_(knownKeys) {}

  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { state_->Read(snapshot_, knownKeys_, batch_); }
  void OnOK() override { deferred_.Resolve(TokenBatchToJs(Env(), batch_)); }
  // Only reached when Execute threw (std::bad_alloc): the whole call fails.
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  // Declared after state_, so destroyed first: the entries never outlive their set's state.
  std::shared_ptr<FileSetState> state_;
  FileSetState::Snapshot snapshot_;
  size_t knownKeys_;
  TokenBatch batch_;
};

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

}  // namespace

FileEntry::~FileEntry() {
  if (fd >= 0) {
    close(fd);
    open->fetch_sub(1);
  }
}

Napi::Value TokenBatchToJs(Napi::Env env, const TokenBatch& batch) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("first", CopyToTypedArray<Napi::Uint32Array>(env, batch.first));
  object.Set("status", CopyToTypedArray<Napi::Int32Array>(env, batch.status));
  object.Set("syscall", CopyToTypedArray<Napi::Uint8Array>(env, batch.syscall));
  object.Set("keys", CopyToTypedArray<Napi::Uint32Array>(env, batch.sink.keys));
  object.Set("values", CopyToTypedArray<Napi::Float64Array>(env, batch.sink.values));
  Napi::Array newKeys = Napi::Array::New(env, batch.newKeys.size());
  for (size_t i = 0; i < batch.newKeys.size(); i++) {
    newKeys.Set(static_cast<uint32_t>(i), Napi::String::New(env, batch.newKeys[i]));
  }
  object.Set("newKeys", newKeys);
  if (!batch.texts.empty()) {
    Napi::Array texts = Napi::Array::New(env, batch.status.size());
    for (const auto& [index, content] : batch.texts) {
      napi_value text;
      // latin1 maps every byte to one code unit, so any content survives unchanged.
      NAPI_THROW_IF_FAILED(env, napi_create_string_latin1(env, content.data(), content.size(), &text), Napi::Value());
      texts.Set(index, Napi::Value(env, text));
    }
    object.Set("texts", texts);
  } else {
    object.Set("texts", env.Null());
  }
  return object;
}

std::vector<uint32_t> FileSetState::Add(const std::vector<std::string>& paths, FileMode mode, bool optional) {
  std::lock_guard<std::mutex> lock(tableMutex_);
  std::vector<uint32_t> ids;
  ids.reserve(paths.size());
  for (const std::string& path : paths) {
    uint32_t id;
    if (!freeIds_.empty()) {
      id = freeIds_.back();
      freeIds_.pop_back();
    } else {
      id = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    }
    entries_[id] = std::make_shared<FileEntry>(path, mode, optional, open_);
    ids.push_back(id);
  }
  return ids;
}

void FileSetState::Release(const std::vector<uint32_t>& ids) {
  std::vector<std::shared_ptr<FileEntry>> dropped;  // closed after the lock is let go
  std::lock_guard<std::mutex> lock(tableMutex_);
  for (uint32_t id : ids) {
    if (id >= entries_.size() || !entries_[id]) continue;
    dropped.push_back(std::move(entries_[id]));
    freeIds_.push_back(id);
  }
}

void FileSetState::Clear() {
  std::vector<std::shared_ptr<FileEntry>> dropped;
  std::lock_guard<std::mutex> lock(tableMutex_);
  dropped.swap(entries_);
  freeIds_.clear();
}

FileSetState::Snapshot FileSetState::Take(const std::vector<uint32_t>& ids) {
  // A release from JS while a read runs drops the table's reference only: the entry (and its
  // descriptor) lives until the snapshot goes at the end of the read.
  Snapshot snapshot(ids.size());
  std::lock_guard<std::mutex> lock(tableMutex_);
  for (size_t i = 0; i < ids.size(); i++) {
    if (ids[i] < entries_.size()) snapshot[i] = entries_[ids[i]];
  }
  return snapshot;
}

ReadGate::ReadGate() {
  pthread_mutex_init(&mutex_, nullptr);
  pthread_cond_init(&free_, nullptr);
}

ReadGate::~ReadGate() {
  pthread_cond_destroy(&free_);
  pthread_mutex_destroy(&mutex_);
}

void ReadGate::Enter() {
  pthread_mutex_lock(&mutex_);
  while (busy_) pthread_cond_wait(&free_, &mutex_);
  busy_ = true;
  pthread_mutex_unlock(&mutex_);
}

bool ReadGate::TryEnter() {
  pthread_mutex_lock(&mutex_);
  const bool entered = !busy_;
  busy_ = true;
  pthread_mutex_unlock(&mutex_);
  return entered;
}

void ReadGate::Leave() {
  pthread_mutex_lock(&mutex_);
  busy_ = false;
  pthread_cond_signal(&free_);
  pthread_mutex_unlock(&mutex_);
}

void FileSetState::Read(const Snapshot& snapshot, size_t knownKeys, TokenBatch& batch) {
  gate_.Enter();
  GateHold hold(gate_);
  ReadLocked(snapshot, knownKeys, batch);
}

bool FileSetState::TryReadNow(const Snapshot& snapshot, size_t knownKeys, TokenBatch& batch) {
  if (!gate_.TryEnter()) return false;
  GateHold hold(gate_);
  ReadLocked(snapshot, knownKeys, batch);
  return true;
}

uint32_t FileSetState::FixedKey(uint32_t& slot, const char* name) {
  if (slot == KeyTable::kFull) slot = keys_.Intern(name);
  return slot;
}

void FileSetState::ReadLocked(const Snapshot& snapshot, size_t knownKeys, TokenBatch& batch) {
  const size_t count = snapshot.size();
  batch.first.reserve(count + 1);
  batch.status.reserve(count);
  batch.syscall.reserve(count);
  keptReads_.clear();
  for (const auto& entry : snapshot) ReadOne(entry.get(), batch);
  keptReads_.clear();
  batch.first.push_back(static_cast<uint32_t>(batch.sink.keys.size()));
  for (size_t id = knownKeys; id < keys_.Size(); id++) batch.newKeys.push_back(keys_.Name(static_cast<uint32_t>(id)));
}

size_t FileSetState::CloseKept(size_t count, const FileEntry* spare) {
  std::lock_guard<std::mutex> lock(tableMutex_);
  size_t closed = 0;
  for (auto it = entries_.rbegin(); it != entries_.rend() && closed < count; ++it) {
    FileEntry* entry = it->get();
    if (entry == nullptr || entry == spare || entry->fd < 0) continue;
    entry->Drop();
    closed++;
  }
  return closed;
}

void FileSetState::ReadOne(FileEntry* entry, TokenBatch& batch) {
  const size_t index = batch.status.size();
  batch.first.push_back(static_cast<uint32_t>(batch.sink.keys.size()));
  batch.status.push_back(0);
  batch.syscall.push_back(static_cast<uint8_t>(FailedCall::kNone));
  auto fail = [&](FailedCall call, int error) {
    batch.status[index] = -error;
    batch.syscall[index] = static_cast<uint8_t>(call);
  };
  if (entry == nullptr) return fail(FailedCall::kRead, EBADF);  // a released or unknown id

  if (entry->mode == FileMode::kClock) {
    struct timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint32_t id = FixedKey(blankKey_, "");
    if (id == KeyTable::kFull) return fail(FailedCall::kRead, EOVERFLOW);
    batch.sink.keys.push_back(id);
    batch.sink.values.push_back(static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec));
    return;
  }
  if (entry->mode == FileMode::kStat) {
    struct stat status {};
    if (StatPath(entry->path.c_str(), &status) != 0) return fail(FailedCall::kStat, errno);
    const std::pair<const char*, double> fields[] = {
        {"ino", static_cast<double>(status.st_ino)},
        {"size", static_cast<double>(status.st_size)},
        {"mtimeNs", static_cast<double>(status.st_mtim.tv_sec) * 1e9 + static_cast<double>(status.st_mtim.tv_nsec)},
    };
    for (size_t i = 0; i < 3; i++) {
      const auto& [name, value] = fields[i];
      uint32_t id = FixedKey(statKeys_[i], name);
      if (id == KeyTable::kFull) return fail(FailedCall::kRead, EOVERFLOW);
      batch.sink.keys.push_back(id);
      batch.sink.values.push_back(value);
    }
    return;
  }
  if (entry->mode == FileMode::kInode) {
    // A cgroup removed and made again under the same path (a restarted container) has a new inode.
    // The stat is spared where, since the previous inode entry of this read, a file in the directory
    // was read through a descriptor kept from an earlier read: kernfs fails such a read (ENODEV) once
    // its cgroup is removed, so the directory is still the one stat'd before. Otherwise: a stat.
    const std::string& dir = entry->path;
    bool unchanged = false;
    if (entry->haveInode) {
      for (const std::string* path : keptReads_) {
        if (path->size() > dir.size() && path->compare(0, dir.size(), dir) == 0 && (*path)[dir.size()] == '/') {
          unchanged = true;
          break;
        }
      }
    }
    keptReads_.clear();
    if (!unchanged) {
      struct stat status {};
      if (StatPath(dir.c_str(), &status) != 0) return fail(FailedCall::kStat, errno);
      entry->inode = static_cast<uint64_t>(status.st_ino);
      entry->haveInode = true;
    }
    uint32_t id = FixedKey(blankKey_, "");
    if (id == KeyTable::kFull) return fail(FailedCall::kRead, EOVERFLOW);
    batch.sink.keys.push_back(id);
    batch.sink.values.push_back(static_cast<double>(entry->inode));
    return;
  }

  const bool kept = entry->fd >= 0;
  UniqueFd opened;  // a descriptor opened for this read, closed at the end unless kept
  if (!kept) {
    if (entry->absentReads > 0) {
      entry->absentReads--;
      return fail(FailedCall::kOpen, ENOENT);
    }
    opened = UniqueFd(open(entry->path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!opened.Valid() && (errno == EMFILE || errno == ENFILE) && keeps_ && open_->load() > 0) {
      // The process is out of descriptors, partly for what this set keeps: keep fewer from now on,
      // give some back, and try once more.
      const size_t keptNow = open_->load();
      maxOpen_ = keptNow > kEmfileRelease ? keptNow - kEmfileRelease : 0;
      CloseKept(kEmfileRelease, entry);
      opened = UniqueFd(open(entry->path.c_str(), O_RDONLY | O_CLOEXEC));
    }
    if (!opened.Valid()) {
      const int error = errno;
      if (error == ENOENT && entry->optional && keeps_) entry->absentReads = kAbsentRetryReads;
      return fail(FailedCall::kOpen, error);
    }
  }
  size_t length = 0;
  bool seekable = true;
  const bool toEof = entry->mode == FileMode::kText;
  if (int error = ReadFromStart(kept ? entry->fd : opened.Get(), buffer_, length, seekable, toEof)) {
    // ENODEV/ENOENT on a kept descriptor: the cgroup was removed; a later read reopens the path.
    if (kept) entry->Drop();
    return fail(FailedCall::kRead, error);
  }
  if (kept) keptReads_.push_back(&entry->path);
  else if (seekable && keeps_ && open_->load() < maxOpen_) entry->Keep(opened.Release());
  const std::string_view content(buffer_.data(), length);
  if (entry->mode == FileMode::kText) {
    batch.texts.emplace_back(static_cast<uint32_t>(index), std::string(content));
    return;
  }
  if (!Tokenize(content, keys_, batch.sink, &entry->shape)) fail(FailedCall::kRead, EOVERFLOW);
}

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
      info.Env(), state_->Add(paths, static_cast<FileMode>(kind), (mode & kOptionalFlag) != 0));
}

Napi::Value FileSet::Read(const Napi::CallbackInfo& info) {
  FileSetState::Snapshot snapshot = state_->Take(IdsArgument(info, 0));
  const size_t knownKeys = CountArgument(info, 1, "knownKeys");
  if (info[2].ToBoolean().Value()) {
    TokenBatch batch;
    if (state_->TryReadNow(snapshot, knownKeys, batch)) {
      Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(info.Env());
      deferred.Resolve(TokenBatchToJs(info.Env(), batch));
      return deferred.Promise();
    }
    // Another read holds the set: waiting for it here would block the event loop.
  }
  auto* worker = new ReadWorker(info.Env(), state_, std::move(snapshot), knownKeys);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

void FileSet::Release(const Napi::CallbackInfo& info) { state_->Release(IdsArgument(info, 0)); }

void FileSet::Clear(const Napi::CallbackInfo&) { state_->Clear(); }

Napi::Value FileSet::OpenCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(state_->OpenCount()));
}

Napi::Value TokenizeTexts(const Napi::CallbackInfo& info) {
  std::vector<std::string> texts;
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "texts must be an array of strings");
  Napi::Array array = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value value = array.Get(i);
    if (!value.IsString()) throw Napi::TypeError::New(env, "texts must be strings");
    // latin1, the way file contents reach JS (TokenBatchToJs): one byte per code unit.
    size_t length = 0;
    NAPI_THROW_IF_FAILED(env, napi_get_value_string_latin1(env, value, nullptr, 0, &length), Napi::Value());
    std::string text(length, '\0');
    NAPI_THROW_IF_FAILED(env, napi_get_value_string_latin1(env, value, text.data(), length + 1, &length), Napi::Value());
    texts.push_back(std::move(text));
  }
  KeyTable table;
  TokenBatch batch;
  for (size_t i = 0; i < texts.size(); i++) {
    batch.first.push_back(static_cast<uint32_t>(batch.sink.keys.size()));
    const bool ok = Tokenize(texts[i], table, batch.sink);
    batch.status.push_back(ok ? 0 : -EOVERFLOW);
    batch.syscall.push_back(static_cast<uint8_t>(ok ? FailedCall::kNone : FailedCall::kRead));
  }
  batch.first.push_back(static_cast<uint32_t>(batch.sink.keys.size()));
  for (uint32_t id = 0; id < table.Size(); id++) batch.newKeys.push_back(table.Name(id));
  return TokenBatchToJs(env, batch);
}
