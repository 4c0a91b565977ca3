// The files of a FileSet: registered once under small integer ids (reused after release), each with the
// descriptor a read may keep open for it, and the set's budget of kept descriptors. No reading here
// (file_reader.h) and no N-API (file_set.h).
//
// Two locks, for two kinds of state: the id table is changed from the JS thread while a read may be
// running, so it has its own mutex, held briefly; a kept descriptor and the budget are touched only by the
// read holding the set's ReadGate (read_gate.h), so they need no lock of their own.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

enum class FileMode : uint8_t { kTokens = 0, kText = 1, kInode = 2, kClock = 3, kStat = 4 };
// Added to a mode: the file may be absent for the cgroup's life (an optional interface file).
constexpr uint32_t kOptionalFlag = 8;

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
  // Touched only by the read holding the set's gate (and by the destructor).
  int fd = -1;
  // kInode: the inode found by the last stat.
  bool haveInode = false;
  uint64_t inode = 0;
  // Key ids of the previous read, for Tokenize.
  std::vector<uint32_t> shape;
  // Reads left before an optional file that was absent is looked for again (kept sets only).
  uint32_t absentReads = 0;
  // The set's count of kept descriptors (shared: an entry a read still holds may outlive its release).
  std::shared_ptr<std::atomic<size_t>> open;
};

class FileRegistry {
 public:
  // maxOpen: descriptors to keep between reads (0: open, read and close every time).
  explicit FileRegistry(size_t maxOpen)
      : keeps_(maxOpen > 0), maxOpen_(maxOpen), open_(std::make_shared<std::atomic<size_t>>(0)) {}

  std::vector<uint32_t> Add(const std::vector<std::string>& paths, FileMode mode, bool optional);
  void Release(const std::vector<uint32_t>& ids);
  void Clear();
  size_t OpenCount() const { return open_->load(); }

  using Snapshot = std::vector<std::shared_ptr<FileEntry>>;
  // The entries the ids name now (null for a released or unknown id), taken on the JS thread at the
  // call: a release or add after it does not change what the read reads.
  Snapshot Take(const std::vector<uint32_t>& ids);

  // The descriptor budget; only for the read holding the set's gate.
  // Whether this set keeps descriptors at all.
  bool Keeps() const { return keeps_; }
  // Whether a read may keep one more descriptor now.
  bool MayKeepAnother() const { return keeps_ && open_->load() < maxOpen_; }
  // Whether an open that failed with EMFILE/ENFILE may be helped by giving kept descriptors back.
  bool HoldsDescriptors() const { return keeps_ && open_->load() > 0; }
  // The process ran out of descriptors, partly for what this set keeps: keep fewer from now on and
  // close some of the kept ones (not `spare`'s, the entry being read).
  void ShrinkAfterEmfile(const FileEntry* spare);

 private:
  const bool keeps_;
  // Lowered after EMFILE, so that what the set keeps never starves the rest of the process.
  size_t maxOpen_;
  std::shared_ptr<std::atomic<size_t>> open_;
  std::mutex tableMutex_;  // entries_ and freeIds_
  std::vector<std::shared_ptr<FileEntry>> entries_;
  std::vector<uint32_t> freeIds_;
};
