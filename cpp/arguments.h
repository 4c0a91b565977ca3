// Synchronous validation of JS arguments: bad input is a TypeError/RangeError thrown at the call.
#pragma once

#include "napi_config.h"

#include <string>
#include <vector>

// info[index] must be an array of strings without null bytes.
std::vector<std::string> StringArrayArgument(const Napi::CallbackInfo& info, size_t index, const char* name);

// info[index] must be a non-negative integer.
size_t CountArgument(const Napi::CallbackInfo& info, size_t index, const char* name);

// info[index] must be a string without null bytes.
std::string StringArgument(const Napi::CallbackInfo& info, size_t index, const char* name);
