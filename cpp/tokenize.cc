#include "tokenize.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace {

constexpr uint64_t kExactLimit = uint64_t{1} << 53;
// 10^0 .. 10^15, every power of ten below 2^53.
// clang-format off
constexpr uint64_t kPowersOfTen[] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
    10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull, 100000000000000ull,
    1000000000000000ull,
};
// clang-format on
constexpr size_t kMaxExactFraction = sizeof(kPowersOfTen) / sizeof(kPowersOfTen[0]) - 1;

uint64_t HashKey(std::string_view key) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// The rare numbers that need more than 64 bits or more than 15 fraction digits.
bool ParseSlow(std::string_view token, double& value) {
  char text[128];
  if (token.size() >= sizeof(text)) return false;
  memcpy(text, token.data(), token.size());
  text[token.size()] = '\0';
  char* end = nullptr;
  value = std::strtod(text, &end);
  return end == text + token.size();
}

}  // namespace

bool ParseNumber(std::string_view token, double& value) {
  size_t i = 0;
  const bool negative = !token.empty() && token[0] == '-';
  if (negative) i = 1;
  const size_t integerStart = i;
  uint64_t integer = 0;
  bool wide = false;
  for (; i < token.size() && IsDigit(token[i]); i++) {
    uint64_t digit = static_cast<uint64_t>(token[i] - '0');
    if (integer > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      wide = true;
    } else {
      integer = integer * 10 + digit;
    }
  }
  if (i == integerStart) return false;
  size_t fractionDigits = 0;
  uint64_t fraction = 0;
  if (i < token.size()) {
    if (token[i] != '.') return false;
    const size_t fractionStart = ++i;
    for (; i < token.size() && IsDigit(token[i]); i++) {
      if (i - fractionStart < kMaxExactFraction) fraction = fraction * 10 + static_cast<uint64_t>(token[i] - '0');
    }
    fractionDigits = i - fractionStart;
    if (fractionDigits == 0 || i != token.size()) return false;
  }
  if (wide || fractionDigits > kMaxExactFraction) return ParseSlow(token, value);
  double magnitude;
  if (fractionDigits == 0) {
    // Exact below 2^53; above, the conversion rounds to nearest, as reading the digits would.
    magnitude = static_cast<double>(integer);
  } else {
    const uint64_t scale = kPowersOfTen[fractionDigits];
    if (integer >= kExactLimit / scale) return ParseSlow(token, value);
    const uint64_t scaled = integer * scale + fraction;
    if (scaled >= kExactLimit) return ParseSlow(token, value);
    // Both operands are exact, so the one division is correctly rounded.
    magnitude = static_cast<double>(scaled) / static_cast<double>(scale);
  }
  value = negative ? -magnitude : magnitude;
  return true;
}

uint32_t KeyTable::Intern(std::string_view key) {
  if (slots_.empty()) Rehash(256);
  const uint64_t hash = HashKey(key);
  const size_t mask = slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const uint32_t entry = slots_[slot];
    if (entry == 0) break;
    const uint32_t id = entry - 1;
    if (hashes_[id] == hash && names_[id] == key) return id;
  }
  if (names_.size() >= kMaxKeys) return kFull;
  const auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(key);
  hashes_.push_back(hash);
  if (names_.size() * 2 > slots_.size()) {
    Rehash(slots_.size() * 2);
  } else {
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == 0) {
        slots_[slot] = id + 1;
        break;
      }
    }
  }
  return id;
}

void KeyTable::Rehash(size_t slotCount) {
  slots_.assign(slotCount, 0);
  const size_t mask = slotCount - 1;
  for (uint32_t id = 0; id < names_.size(); id++) {
    for (size_t slot = hashes_[id] & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == 0) {
        slots_[slot] = id + 1;
        break;
      }
    }
  }
}

bool Tokenize(std::string_view text, KeyTable& table, TokenSink& sink, std::vector<uint32_t>* shape) {
  const size_t firstEntry = sink.keys.size();
  // The key bytes hashed or compared for this text, bounded: each entry costs its key's length, so a
  // line of many words followed by many numbers would cost the square of the text's size (minutes on a
  // hostile 64 MiB file). A real file stays far below (/proc/stat's intr line: 4 key bytes per entry).
  const size_t keyBudget = 16 * text.size() + 4096;
  size_t keyBytes = 0;
  std::string key;
  // True once an entry was made under the current key: the next word starts a new key.
  bool emitted = false;
  auto emit = [&](std::string_view name, double value) {
    keyBytes += name.size();
    if (keyBytes > keyBudget) return false;
    const size_t position = sink.keys.size() - firstEntry;
    const bool sameAsBefore = shape != nullptr && position < shape->size() && table.Is((*shape)[position], name);
    const uint32_t id = sameAsBefore ? (*shape)[position] : table.Intern(name);
    if (id == KeyTable::kFull) return false;
    sink.keys.push_back(id);
    sink.values.push_back(value);
    return true;
  };
  auto endLine = [&]() {
    bool ok = true;
    if (!key.empty() && !emitted) ok = emit(key, std::numeric_limits<double>::quiet_NaN());
    key.clear();
    emitted = false;
    return ok;
  };

  size_t i = 0;
  const size_t size = text.size();
  while (i < size) {
    const char c = text[i];
    if (c == '\n') {
      if (!endLine()) break;
      i++;
      continue;
    }
    if (IsBlank(c) || c == '\0') {
      i++;
      continue;
    }
    size_t end = i;
    while (end < size && text[end] != '\n' && !IsBlank(text[end]) && text[end] != '\0') end++;
    const std::string_view token = text.substr(i, end - i);
    i = end;

    double value;
    if (ParseNumber(token, value)) {
      if (!emit(key, value)) break;
      emitted = true;
      continue;
    }
    const size_t equals = token.find('=');
    if (equals != std::string_view::npos && equals > 0 && ParseNumber(token.substr(equals + 1), value)) {
      const size_t base = key.size();
      if (base > 0) key.push_back(' ');
      key.append(token.data(), equals);
      const bool ok = emit(key, value);
      key.resize(base);
      if (!ok) break;
      emitted = true;
      continue;
    }
    if (emitted) {
      key.clear();
      emitted = false;
    }
    if (!key.empty()) key.push_back(' ');
    key.append(token.data(), token.size());
  }
  if (i >= size && endLine()) {
    if (shape != nullptr) shape->assign(sink.keys.begin() + static_cast<std::ptrdiff_t>(firstEntry), sink.keys.end());
    return true;
  }
  if (shape != nullptr) shape->clear();
  sink.keys.resize(firstEntry);
  sink.values.resize(firstEntry);
  return false;
}
