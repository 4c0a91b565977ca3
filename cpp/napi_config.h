// The one way this addon includes napi.h: every translation unit must see the same configuration.
#pragma once

// While a worker thread is being terminated JS cannot run, so N-API calls fail and napi_throw fails
// too; without this node-addon-api rethrows that as a C++ exception out of a C callback (terminate).
#ifndef NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#define NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS
#endif
#include <napi.h>
