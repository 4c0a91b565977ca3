#include "errors.h"

#include <cstring>

Napi::Object FailureObject(Napi::Env env, const SysError& failure) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("errno", Napi::Number::New(env, -failure.err));
  object.Set("syscall", Napi::String::New(env, failure.syscall));
  if (!failure.path.empty()) object.Set("path", Napi::String::New(env, failure.path));
  return object;
}

Napi::Error ErrorFromFailure(Napi::Env env, const SysError& failure) {
  char text[256];
  // GNU strerror_r returns the message pointer, which may or may not be `text`.
  const char* message = strerror_r(failure.err, text, sizeof(text));
  std::string full = failure.syscall + ": " + message;
  if (!failure.path.empty()) full += " '" + failure.path + "'";
  Napi::Error error = Napi::Error::New(env, full);
  error.Set("errno", Napi::Number::New(env, -failure.err));
  error.Set("syscall", Napi::String::New(env, failure.syscall));
  if (!failure.path.empty()) error.Set("path", Napi::String::New(env, failure.path));
  return error;
}
