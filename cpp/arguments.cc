#include "arguments.h"

#include <cmath>

namespace {

std::string CheckedString(Napi::Env env, const Napi::Value& value, const std::string& what) {
  if (!value.IsString()) throw Napi::TypeError::New(env, what + " must be a string");
  std::string text = value.As<Napi::String>().Utf8Value();
  // A C path ends at the first null byte: refuse instead of silently opening a different file.
  if (text.find('\0') != std::string::npos) throw Napi::TypeError::New(env, what + " must not contain null bytes");
  return text;
}

}  // namespace

std::vector<std::string> StringArrayArgument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Env env = info.Env();
  if (!info[index].IsArray()) throw Napi::TypeError::New(env, std::string(name) + " must be an array of strings");
  Napi::Array array = info[index].As<Napi::Array>();
  std::vector<std::string> items;
  items.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    items.push_back(CheckedString(env, array.Get(i), std::string(name) + "[" + std::to_string(i) + "]"));
  }
  return items;
}

size_t CountArgument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Env env = info.Env();
  if (!info[index].IsNumber()) throw Napi::TypeError::New(env, std::string(name) + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0) || value != std::floor(value) || value > 1e9) {
    throw Napi::RangeError::New(env, std::string(name) + " must be a non-negative integer");
  }
  return static_cast<size_t>(value);
}

std::string StringArgument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return CheckedString(info.Env(), info[index], name);
}
