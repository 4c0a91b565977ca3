#include "file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "glibc_compat.h"
#include "unique_fd.h"

namespace {

constexpr size_t kInitialBufferSize = 64 * 1024;
// No cgroup or proc file ctrstat reads comes near this; a larger one is refused rather than buffered.
constexpr size_t kMaxFileSize = 64 * 1024 * 1024;
// An optional file found absent is looked for again after this many reads of a kept set (a v2
// controller enabled later brings its files; a sweep a second reads it within about half a minute).
constexpr uint32_t kAbsentRetryReads = 32;
// A thread's read buffer grown past this (a large file) is given back after the read.
constexpr size_t kKeptBufferSize = 1024 * 1024;

// One read buffer per thread, shared by every set read there: a set made for a single call (a one-shot
// read, a describing pass) would otherwise allocate and zero a fresh 64 KiB each time. A read runs to
// its end on its thread, so no two reads use one buffer at once.
std::string& ThreadBuffer() {
  thread_local std::string buffer;
  return buffer;
}

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

}  // namespace

void FileSetReader::Read(const FileRegistry::Snapshot& snapshot, size_t knownKeys, TokenBatch& batch) {
  gate_.Enter();
  ReadGateHold hold(gate_);
  ReadHoldingGate(snapshot, knownKeys, batch);
}

bool FileSetReader::TryRead(const FileRegistry::Snapshot& snapshot, size_t knownKeys, TokenBatch& batch) {
  if (!gate_.TryEnter()) return false;
  ReadGateHold hold(gate_);
  ReadHoldingGate(snapshot, knownKeys, batch);
  return true;
}

uint32_t FileSetReader::FixedKey(uint32_t& slot, const char* name) {
  if (slot == KeyTable::kFull) slot = keys_.Intern(name);
  return slot;
}

void FileSetReader::ReadHoldingGate(const FileRegistry::Snapshot& snapshot, size_t knownKeys, TokenBatch& batch) {
  const size_t count = snapshot.size();
  batch.first.reserve(count + 1);
  batch.status.reserve(count);
  batch.syscall.reserve(count);
  keptReads_.clear();
  for (const auto& entry : snapshot) ReadOne(entry.get(), batch);
  keptReads_.clear();
  std::string& buffer = ThreadBuffer();
  if (buffer.size() > kKeptBufferSize) std::string().swap(buffer);
  batch.first.push_back(static_cast<uint32_t>(batch.sink.keys.size()));
  for (size_t id = knownKeys; id < keys_.Size(); id++) batch.newKeys.push_back(keys_.Name(static_cast<uint32_t>(id)));
}

void FileSetReader::ReadOne(FileEntry* entry, TokenBatch& batch) {
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
    if (!opened.Valid() && (errno == EMFILE || errno == ENFILE) && registry_.HoldsDescriptors()) {
      // Out of descriptors, partly for what this set keeps: give some back and try once more.
      registry_.ShrinkAfterEmfile(entry);
      opened = UniqueFd(open(entry->path.c_str(), O_RDONLY | O_CLOEXEC));
    }
    if (!opened.Valid()) {
      const int error = errno;
      if (error == ENOENT && entry->optional && registry_.Keeps()) entry->absentReads = kAbsentRetryReads;
      return fail(FailedCall::kOpen, error);
    }
  }
  size_t length = 0;
  bool seekable = true;
  const bool toEof = entry->mode == FileMode::kText;
  std::string& buffer = ThreadBuffer();
  if (int error = ReadFromStart(kept ? entry->fd : opened.Get(), buffer, length, seekable, toEof)) {
    // ENODEV/ENOENT on a kept descriptor: the cgroup was removed; a later read reopens the path.
    if (kept) entry->Drop();
    return fail(FailedCall::kRead, error);
  }
  if (kept) {
    keptReads_.push_back(&entry->path);
  } else if (seekable && registry_.MayKeepAnother()) {
    entry->Keep(opened.Release());
  }
  const std::string_view content(buffer.data(), length);
  if (entry->mode == FileMode::kText) {
    batch.texts.emplace_back(static_cast<uint32_t>(index), std::string(content));
    return;
  }
  if (!Tokenize(content, keys_, batch.sink, &entry->shape)) fail(FailedCall::kRead, EOVERFLOW);
}
