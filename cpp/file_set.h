// FileSet: the cgroup and proc files of many containers, registered once, read in one trip off the
// event loop and tokenized there (tokenize.h), optionally through descriptors kept between reads
// (pread at offset 0 regenerates a cgroup file's content).
//
//   add(paths, mode) -> Uint32Array of ids       mode: 0 tokens, 1 text (read to EOF), 2 the inode of the path,
//                                                3 CLOCK_MONOTONIC in ns when the read gets there,
//                                                4 stat(2): entries ino, size, mtimeNs
//   read(ids, knownKeys, inline?) -> Promise<batch>   one entry range per id, in order; the ids name
//                                                the files they name at the call (a release or add
//                                                afterwards does not change what the read reads);
//                                                inline: on the calling thread (for a few kept
//                                                descriptors, less than the hop to the thread pool costs)
//   release(ids), clear(), openCount
//
// The batch: { first: Uint32Array(n + 1), status: Int32Array(n) (0, or the negative errno),
// syscall: Uint8Array(n) (0, or 1 open, 2 read, 3 stat), keys: Uint32Array, values: Float64Array,
// newKeys: string[] (the names of key ids knownKeys.. of this set's key table), texts: (string |
// undefined)[] | null }. Entries of file i are first[i] .. first[i + 1].
//
// tokenize(texts) -> the same batch for strings (a fresh key table; newKeys holds every key).
#pragma once

#include "napi_config.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tokenize.h"

enum class FileMode : uint8_t { kTokens = 0, kText = 1, kInode = 2, kClock = 3, kStat = 4 };
// Added to a mode: the file may be absent for the cgroup's life (an optional interface file).
constexpr uint32_t kOptionalFlag = 8;
enum class FailedCall : uint8_t { kNone = 0, kOpen = 1, kRead = 2, kStat = 3 };

struct FileEntry {
  FileEntry(std::string filePath, FileMode fileMode, bool isOptional, std::shared_ptr<std::atomic<size_t>> openCount)
      : path(std::move(filePath)), mode(fileMode), optional(isOptional), open(std::move(openCount)) {}
  // Takes a descriptor just read through as this entry's kept one.
  void Keep(int descriptor) {
    fd = descriptor;
    open->fetch_add(1);
  }
  // Closes the kept descriptor.
  void Drop() {
    close(fd);
    fd = -1;
    open->fetch_sub(1);
  }
  ~FileEntry();
  FileEntry(const FileEntry&) = delete;
  FileEntry& operator=(const FileEntry&) = delete;

  const std::string path;
  const FileMode mode;
  const bool optional;
  // Touched only by the read holding the set's read mutex (and by the destructor).
  int fd = -1;
  // kInode: the inode found by the last stat.
  bool haveInode = false;
  uint64_t inode = 0;
  // Key ids of the previous read, for Tokenize.
  std::vector<uint32_t> shape;
  // Reads left before an optional file that was absent is looked for again (kept sets only).
  uint32_t absentReads = 0;
  std::shared_ptr<std::atomic<size_t>> open;
};

// What one read produced, built on the pool thread and turned into JS on the main thread.
struct TokenBatch {
  std::vector<uint32_t> first;
  std::vector<int32_t> status;
  std::vector<uint8_t> syscall;
  TokenSink sink;
  std::vector<std::string> newKeys;
  std::vector<std::pair<uint32_t, std::string>> texts;  // (file index, content) of text-mode files
};

Napi::Value TokenBatchToJs(Napi::Env env, const TokenBatch& batch);

// One read of a set at a time. std::mutex::try_lock would need glibc 2.34's pthread_mutex_trylock,
// and std::condition_variable::wait libstdc++ 3.4.30, in the prebuilt binary (see glibc_compat.h): the
// plain pthread calls need neither.
class ReadGate {
 public:
  ReadGate();
  ~ReadGate();
  ReadGate(const ReadGate&) = delete;
  ReadGate& operator=(const ReadGate&) = delete;

  void Enter();
  // Enters only if no read is running.
  bool TryEnter();
  void Leave();

 private:
  pthread_mutex_t mutex_;
  pthread_cond_t free_;
  bool busy_ = false;
};

class FileSetState {
 public:
  explicit FileSetState(size_t maxOpen)
      : keeps_(maxOpen > 0), maxOpen_(maxOpen), open_(std::make_shared<std::atomic<size_t>>(0)) {}

  std::vector<uint32_t> Add(const std::vector<std::string>& paths, FileMode mode, bool optional);
  void Release(const std::vector<uint32_t>& ids);
  void Clear();
  size_t OpenCount() const { return open_->load(); }
  using Snapshot = std::vector<std::shared_ptr<FileEntry>>;
  // The entries the ids name now (null for a released or unknown id), taken on the JS thread at the
  // call: a release or add after it does not change what the read reads.
  Snapshot Take(const std::vector<uint32_t>& ids);
  // Reads the files (on a pool thread). Reads of one set run one at a time.
  void Read(const Snapshot& snapshot, size_t knownKeys, TokenBatch& batch);
  // The same on the calling thread, unless another read holds the set (then false, nothing read).
  bool TryReadNow(const Snapshot& snapshot, size_t knownKeys, TokenBatch& batch);

 private:
  void ReadOne(FileEntry* entry, TokenBatch& batch);
  void ReadLocked(const Snapshot& snapshot, size_t knownKeys, TokenBatch& batch);
  // The id of a fixed key name, interned once per set (slot starts as KeyTable::kFull).
  uint32_t FixedKey(uint32_t& slot, const char* name);

  // Closes up to `count` kept descriptors (to make room after EMFILE); only under the read gate.
  size_t CloseKept(size_t count, const FileEntry* spare);

  // Whether this set keeps descriptors at all, and how many it may keep now: lowered when the process
  // runs out of descriptors (EMFILE), so that what it keeps never starves the rest of the process.
  const bool keeps_;
  size_t maxOpen_;
  std::shared_ptr<std::atomic<size_t>> open_;
  std::mutex tableMutex_;  // entries_ and freeIds_: held briefly, also on the JS thread
  std::vector<std::shared_ptr<FileEntry>> entries_;
  std::vector<uint32_t> freeIds_;
  ReadGate gate_;  // kept descriptors, keys_ and buffer_: held for a whole read
  KeyTable keys_;
  std::string buffer_;
  // The files read through kept descriptors since the last inode entry of the read running.
  std::vector<const std::string*> keptReads_;
  uint32_t blankKey_ = KeyTable::kFull;
  uint32_t statKeys_[3] = {KeyTable::kFull, KeyTable::kFull, KeyTable::kFull};
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

// tokenize(texts: string[]): batch (synchronous).
Napi::Value TokenizeTexts(const Napi::CallbackInfo& info);
