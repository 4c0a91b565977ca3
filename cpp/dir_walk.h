// walkDirs(root, maxDepth, inline?): every directory below root (not root itself), as paths relative to it
// joined by "\n" in one string, found off the event loop with openat/getdents. A cgroup hierarchy of a
// few thousand directories comes back in one trip instead of one thread-pool round trip per readdir.
// Container cgroups (64-hex names, systemd .scope units) are listed but not walked into. A directory
// that vanishes while the walk runs is skipped; a failure at root rejects. `inline` walks on
// the calling thread (for a tree known to be small).
#pragma once

#include "napi_config.h"

Napi::Value WalkDirs(const Napi::CallbackInfo& info);
