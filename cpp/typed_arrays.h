// Results handed to JS as typed arrays: one copy of a native vector, no per-element calls.
#pragma once

#include "napi_config.h"

#include <cstring>
#include <vector>

template <typename TypedArray, typename T>
TypedArray CopyToTypedArray(Napi::Env env, const std::vector<T>& values) {
  TypedArray array = TypedArray::New(env, values.size());
  if (!values.empty()) std::memcpy(array.Data(), values.data(), values.size() * sizeof(T));
  return array;
}
