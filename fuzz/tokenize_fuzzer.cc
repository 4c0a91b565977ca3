// libFuzzer harness for the tokenizer (cpp/tokenize.h): any bytes, as a cgroup or proc file's content.
//
// Beyond "no crash, no sanitizer report", it checks what the tokenizer promises:
// - the entries of a text are the same whether its keys are matched against the previous read's
//   shape or interned afresh (the fast path agrees with the hash table);
// - every key id names a key of the table, and keys and values come in pairs;
// - a number token is the double strtod(3) reads from the same digits (correctly rounded).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize.h"

namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "tokenize_fuzzer: %s\n", what);
    std::abort();
  }
}

bool SameValue(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof(a)) == 0; }

// The tokens of the text as Tokenize splits them (blanks, NUL and newlines separate).
void CheckNumbers(std::string_view text) {
  auto separator = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\0' || c == '\n';
  };
  size_t i = 0;
  while (i < text.size()) {
    if (separator(text[i])) {
      i++;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !separator(text[end])) end++;
    const std::string token(text.substr(i, end - i));
    i = end;
    double value = 0;
    if (!ParseNumber(token, value)) continue;
    char* stop = nullptr;
    const double expected = std::strtod(token.c_str(), &stop);
    Check(stop == token.c_str() + token.size(), "ParseNumber accepted a token strtod does not read whole");
    if (!SameValue(value, expected)) {
      std::fprintf(stderr, "token '%s': ParseNumber %.17g, strtod %.17g\n", token.c_str(), value, expected);
      Check(false, "ParseNumber differs from strtod");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  KeyTable table;
  std::vector<uint32_t> shape;
  TokenSink first;
  const bool ok = Tokenize(text, table, first, &shape);
  Check(first.keys.size() == first.values.size(), "keys and values differ in count");
  if (ok) {
    Check(shape == first.keys, "the shape is not the read's key ids");
    for (uint32_t id : first.keys) Check(id < table.Size(), "a key id outside the table");
  } else {
    Check(first.keys.empty() && shape.empty(), "a refused text left entries behind");
  }

  // The same text again through the shape (the fast path of a regenerated file)...
  TokenSink second;
  Check(Tokenize(text, table, second, &shape) == ok, "a second read of the same text answered differently");
  Check(second.keys == first.keys, "the shape path gave other key ids");
  // ...and without it, against a fresh table: the same key names in the same order.
  KeyTable fresh;
  TokenSink third;
  Check(Tokenize(text, fresh, third) == ok, "a fresh table answered differently");
  Check(third.keys.size() == first.keys.size(), "a fresh table gave another entry count");
  for (size_t i = 0; i < first.keys.size(); i++) {
    Check(fresh.Name(third.keys[i]) == table.Name(first.keys[i]), "a fresh table gave another key name");
    Check(SameValue(first.values[i], second.values[i]) && SameValue(first.values[i], third.values[i]),
          "the same text gave other values");
  }
  CheckNumbers(text);
  return 0;
}
