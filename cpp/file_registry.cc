#include "file_registry.h"

namespace {

// Descriptors a kept set gives back when an open fails with EMFILE (and keeps fewer from then on).
constexpr size_t kEmfileRelease = 256;

}  // namespace

FileEntry::~FileEntry() {
  if (fd >= 0) {
    close(fd);
    open->fetch_sub(1);
  }
}

std::vector<uint32_t> FileRegistry::Add(const std::vector<std::string>& paths, FileMode mode, bool optional) {
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

void FileRegistry::Release(const std::vector<uint32_t>& ids) {
  std::vector<std::shared_ptr<FileEntry>> dropped;  // closed after the lock is let go
  std::lock_guard<std::mutex> lock(tableMutex_);
  for (uint32_t id : ids) {
    if (id >= entries_.size() || !entries_[id]) continue;
    dropped.push_back(std::move(entries_[id]));
    freeIds_.push_back(id);
  }
}

void FileRegistry::Clear() {
  std::vector<std::shared_ptr<FileEntry>> dropped;
  std::lock_guard<std::mutex> lock(tableMutex_);
  dropped.swap(entries_);
  freeIds_.clear();
}

FileRegistry::Snapshot FileRegistry::Take(const std::vector<uint32_t>& ids) {
  // A release from JS while a read runs drops the table's reference only: the entry (and its
  // descriptor) lives until the snapshot goes at the end of the read.
  Snapshot snapshot(ids.size());
  std::lock_guard<std::mutex> lock(tableMutex_);
  for (size_t i = 0; i < ids.size(); i++) {
    if (ids[i] < entries_.size()) snapshot[i] = entries_[ids[i]];
  }
  return snapshot;
}

void FileRegistry::ShrinkAfterEmfile(const FileEntry* spare) {
  const size_t keptNow = open_->load();
  maxOpen_ = keptNow > kEmfileRelease ? keptNow - kEmfileRelease : 0;
  std::lock_guard<std::mutex> lock(tableMutex_);
  size_t closed = 0;
  for (auto it = entries_.rbegin(); it != entries_.rend() && closed < kEmfileRelease; ++it) {
    FileEntry* entry = it->get();
    if (entry == nullptr || entry == spare || entry->fd < 0) continue;
    entry->Drop();
    closed++;
  }
}
