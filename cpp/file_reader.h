// The reads of one FileSet: every file of a snapshot read in one pass, as its mode says (file_registry.h),
// and tokenized there (tokenize.h) against the set's key table, optionally through descriptors kept
// between reads (pread at offset 0 regenerates a cgroup file's content). Plain C++: it runs on the pool
// or on the JS thread, and the fuzzers drive it directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "file_registry.h"
#include "read_gate.h"
#include "token_batch.h"
#include "tokenize.h"

class FileSetReader {
 public:
  explicit FileSetReader(FileRegistry& registry) : registry_(registry) {}

  // Reads the files of the snapshot into `batch`, waiting for a read of the set that is running.
  // knownKeys: how many key names the caller has (the batch names the ones after them).
  void Read(const FileRegistry::Snapshot& snapshot, size_t knownKeys, TokenBatch& batch);
  // The same, unless another read holds the set: then false and nothing read (for the JS thread).
  bool TryRead(const FileRegistry::Snapshot& snapshot, size_t knownKeys, TokenBatch& batch);

 private:
  void ReadHoldingGate(const FileRegistry::Snapshot& snapshot, size_t knownKeys, TokenBatch& batch);
  void ReadOne(FileEntry* entry, TokenBatch& batch);
  // The id of a fixed key name, interned once per set (slot starts as KeyTable::kFull).
  uint32_t FixedKey(uint32_t& slot, const char* name);

  FileRegistry& registry_;
  // Everything below is the read's own: used only while holding the gate.
  ReadGate gate_;
  KeyTable keys_;
  // The files read through kept descriptors since the last inode entry of the read running.
  std::vector<const std::string*> keptReads_;
  uint32_t blankKey_ = KeyTable::kFull;
  uint32_t statKeys_[3] = {KeyTable::kFull, KeyTable::kFull, KeyTable::kFull};
};
