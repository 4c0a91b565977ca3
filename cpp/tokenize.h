// The one tokenizer of the cgroup and proc files ctrstat reads. Their text never crosses into JS:
// every line becomes (key, value) entries, with keys interned as small integers, so a sweep over
// many containers hands JS two typed arrays instead of thousands of strings.
//
// Per line, tokens split on blanks:
//   a number (-?digits[.digits])     one entry: (the words seen so far on the line, the number)
//   name=number                      one entry: (the words so far + " " + name, the number)
//   anything else (a word)           joins the key; after an entry it starts a new key
// and a line of words only gives one entry (its words, NaN). So "cache 4096" is ("cache", 4096),
// "8:0 Read 12" is ("8:0 Read", 12), "some avg10=0.50 total=9" is ("some avg10", 0.5) and
// ("some total", 9), "max" is ("max", NaN), "0-3,5" is ("0-3,5", NaN) and "123" is ("", 123).
// Numbers are correctly rounded doubles, as Number() in JS reads the same digits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// The distinct keys of tokenized files, numbered from 0 in order of first appearance.
class KeyTable {
 public:
  // Beyond this many keys a file is refused (a file cannot be a cgroup interface file then).
  static constexpr uint32_t kMaxKeys = 1u << 20;
  static constexpr uint32_t kFull = UINT32_MAX;

  // The id of `key`, added when new; kFull when the table is full.
  uint32_t Intern(std::string_view key);
  size_t Size() const { return names_.size(); }
  const std::string& Name(uint32_t id) const { return names_[id]; }
  // Whether `id` is a key of this table named `key`.
  bool Is(uint32_t id, std::string_view key) const { return id < names_.size() && names_[id] == key; }

 private:
  void Rehash(size_t slotCount);

  std::vector<std::string> names_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> slots_;  // id + 1 (0: empty); the size is a power of two
};

struct TokenSink {
  std::vector<uint32_t> keys;
  std::vector<double> values;
};

// Appends the entries of `text` to `sink`. False when the key table is full, or when the keys of the
// text's entries add up to more than 16 bytes per byte of text (no real file comes near; such a text
// would cost the square of its size): the file's entries are then removed again.
// `shape`, when given, holds the key ids of the same file's previous read: a file regenerated with the
// same keys in the same order (the usual case) is matched against them by a plain comparison instead
// of a hash lookup per entry, and `shape` is updated to this read's ids.
bool Tokenize(std::string_view text, KeyTable& table, TokenSink& sink, std::vector<uint32_t>* shape = nullptr);

// Parses a whole token as -?digits[.digits]; false for anything else.
bool ParseNumber(std::string_view token, double& value);
