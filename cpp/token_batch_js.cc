#include "token_batch_js.h"

#include "typed_arrays.h"

Napi::Value TokenBatchToJs(Napi::Env env, const TokenBatch& batch) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("first", CopyToTypedArray<Napi::Uint32Array>(env, batch.first));
  object.Set("status", CopyToTypedArray<Napi::Int32Array>(env, batch.status));
  object.Set("syscall", CopyToTypedArray<Napi::Uint8Array>(env, batch.syscall));
  object.Set("keys", CopyToTypedArray<Napi::Uint32Array>(env, batch.sink.keys));
  object.Set("values", CopyToTypedArray<Napi::Float64Array>(env, batch.sink.values));
  Napi::Array newKeys = Napi::Array::New(env, batch.newKeys.size());
  for (size_t i = 0; i < batch.newKeys.size(); i++) {
    newKeys.Set(static_cast<uint32_t>(i), Napi::String::New(env, batch.newKeys[i]));
  }
  object.Set("newKeys", newKeys);
  if (!batch.texts.empty()) {
    Napi::Array texts = Napi::Array::New(env, batch.status.size());
    for (const auto& [index, content] : batch.texts) {
      napi_value text;
      // latin1 maps every byte to one code unit, so any content survives unchanged.
      NAPI_THROW_IF_FAILED(env, napi_create_string_latin1(env, content.data(), content.size(), &text), Napi::Value());
      texts.Set(index, Napi::Value(env, text));
    }
    object.Set("texts", texts);
  } else {
    object.Set("texts", env.Null());
  }
  return object;
}
