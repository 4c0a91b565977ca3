// Whole-file reads off the event loop: readFiles (open, read to EOF, close), as text.
#pragma once

#include "napi_config.h"

#include <string>
#include <variant>
#include <vector>

#include "errors.h"

using FileOutcome = std::variant<std::string, SysError>;

// readFiles(paths): Promise<Array<string | failure>>.
Napi::Value ReadFiles(const Napi::CallbackInfo& info);
