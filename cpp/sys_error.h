// A system-call failure as collected off the JS thread: plain data, no N-API (errors.h turns it into JS).
#pragma once

#include <cerrno>
#include <string>

struct SysError {
  int err;  // positive errno
  std::string syscall;
  std::string path;  // the path or namespace the failure is about; empty when none
};

// Captures the current errno.
inline SysError LastError(const char* syscall, const std::string& path) { return SysError{errno, syscall, path}; }
