// libFuzzer harness for a FileSet's reads (cpp/file_reader.h over cpp/file_registry.h): any bytes, as the
// content of a file read in every mode the set has (tokens, text, inode, clock, stat, optional), through
// a set that keeps descriptors and one that does not, twice each (the second read of a kept set goes
// through the kept descriptors and the shapes of the first). The file is a memfd, so nothing touches the
// disk; its content is rewritten before each round.
//
// Checks: every file of the batch answers in order; the file read as text comes back byte for byte; the
// file read as tokens gives the entries Tokenize gives for the same bytes; the stat entries name its size.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "file_reader.h"
#include "file_registry.h"
#include "tokenize.h"

namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "file_set_fuzzer: %s\n", what);
    std::abort();
  }
}

int Memfd() {
  static const int fd = [] {
    int made = memfd_create("ctrstat-fuzz", MFD_CLOEXEC);
    Check(made >= 0, "memfd_create failed");
    return made;
  }();
  return fd;
}

void Rewrite(std::string_view content) {
  const int fd = Memfd();
  Check(ftruncate(fd, 0) == 0, "ftruncate failed");
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = pwrite(fd, content.data() + written, content.size() - written, static_cast<off_t>(written));
    Check(n > 0, "pwrite failed");
    written += static_cast<size_t>(n);
  }
}

bool SameValue(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof(a)) == 0; }

// One set, read twice over the same content.
void ReadTwice(size_t maxOpen, std::string_view content) {
  const std::string path = "/proc/self/fd/" + std::to_string(Memfd());
  FileRegistry registry(maxOpen);
  FileSetReader reader(registry);
  std::vector<uint32_t> ids;
  for (FileMode mode : {FileMode::kTokens, FileMode::kText, FileMode::kInode, FileMode::kClock, FileMode::kStat}) {
    const auto added = registry.Add({path}, mode, false);
    ids.insert(ids.end(), added.begin(), added.end());
  }
  const auto optional = registry.Add({path, "/proc/self/fd/-1/ctrstat-absent"}, FileMode::kTokens, true);
  ids.insert(ids.end(), optional.begin(), optional.end());
  const size_t count = ids.size();

  KeyTable expectedKeys;
  TokenSink expected;
  const bool tokenizes = Tokenize(content, expectedKeys, expected);

  std::vector<std::string> names;  // the set's key names, as a caller accumulates them from newKeys
  for (int round = 0; round < 2; round++) {
    Rewrite(content);
    TokenBatch batch;
    reader.Read(registry.Take(ids), names.size(), batch);
    names.insert(names.end(), batch.newKeys.begin(), batch.newKeys.end());
    Check(batch.first.size() == count + 1 && batch.status.size() == count && batch.syscall.size() == count,
          "the batch does not have one entry range per file");
    Check(batch.sink.keys.size() == batch.sink.values.size() && batch.first.back() == batch.sink.keys.size(),
          "keys, values and offsets disagree");
    for (size_t i = 0; i + 1 < batch.first.size(); i++) Check(batch.first[i] <= batch.first[i + 1], "offsets go back");
    for (uint32_t key : batch.sink.keys) Check(key < names.size(), "a key id the batch did not name");

    // File 0: tokens, as Tokenize gives them (or EOVERFLOW when it refuses the content).
    Check(batch.status[0] == (tokenizes ? 0 : -EOVERFLOW), "the tokens file has another status than Tokenize");
    if (tokenizes) {
      Check(batch.first[1] - batch.first[0] == expected.keys.size(), "the tokens file has another entry count");
      for (size_t e = 0; e < expected.keys.size(); e++) {
        Check(names[batch.sink.keys[batch.first[0] + e]] == expectedKeys.Name(expected.keys[e]), "another key name");
        Check(SameValue(batch.sink.values[batch.first[0] + e], expected.values[e]), "another value");
      }
    }
    // File 1: the text, byte for byte.
    Check(batch.status[1] == 0 && batch.texts.size() == 1 && batch.texts[0].first == 1 &&
              batch.texts[0].second == content,
          "the text file did not come back whole");
    // Files 2-4: one inode, one clock value, three stat entries (size first after ino).
    Check(batch.status[2] == 0 && batch.first[3] - batch.first[2] == 1, "no inode entry");
    Check(batch.status[3] == 0 && batch.first[4] - batch.first[3] == 1, "no clock entry");
    Check(batch.status[4] == 0 && batch.first[5] - batch.first[4] == 3, "no stat entries");
    Check(batch.sink.values[batch.first[4] + 1] == static_cast<double>(content.size()), "stat names another size");
    // Files 5-6: optional tokens, present and absent.
    Check(batch.status[5] == batch.status[0], "the optional file read otherwise");
    Check(batch.status[6] < 0, "an absent optional file did not fail");
  }
  Check(registry.OpenCount() <= maxOpen, "more descriptors kept than allowed");
  registry.Clear();
  Check(registry.OpenCount() == 0, "descriptors kept after clear");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  ReadTwice(0, content);
  ReadTwice(16, content);
  return 0;
}
