#include "tokenize_binding.h"

#include <cerrno>
#include <string>
#include <vector>

#include "token_batch.h"
#include "token_batch_js.h"
#include "tokenize.h"

Napi::Value TokenizeTexts(const Napi::CallbackInfo& info) {
  std::vector<std::string> texts;
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "texts must be an array of strings");
  Napi::Array array = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value value = array.Get(i);
    if (!value.IsString()) throw Napi::TypeError::New(env, "texts must be strings");
    // latin1, the way file contents reach JS (TokenBatchToJs): one byte per code unit.
    size_t length = 0;
    NAPI_THROW_IF_FAILED(env, napi_get_value_string_latin1(env, value, nullptr, 0, &length), Napi::Value());
    std::string text(length, '\0');
    NAPI_THROW_IF_FAILED(env, napi_get_value_string_latin1(env, value, text.data(), length + 1, &length),
                         Napi::Value());
    texts.push_back(std::move(text));
  }
  KeyTable table;
  TokenBatch batch;
  for (size_t i = 0; i < texts.size(); i++) {
    batch.first.push_back(static_cast<uint32_t>(batch.sink.keys.size()));
    const bool ok = Tokenize(texts[i], table, batch.sink);
    batch.status.push_back(ok ? 0 : -EOVERFLOW);
    batch.syscall.push_back(static_cast<uint8_t>(ok ? FailedCall::kNone : FailedCall::kRead));
  }
  batch.first.push_back(static_cast<uint32_t>(batch.sink.keys.size()));
  for (uint32_t id = 0; id < table.Size(); id++) batch.newKeys.push_back(table.Name(id));
  return TokenBatchToJs(env, batch);
}
