// walkDirs(root, maxDepth, leafGlobs, inline?): every directory below root (not root itself), as paths
// relative to it joined by "\n" in one string, found off the event loop with openat/getdents. A cgroup
// hierarchy of a few thousand directories comes back in one trip instead of one thread-pool round trip
// per readdir. A directory whose name matches one of leafGlobs (fnmatch(3), such as "*.scope") is listed
// but not walked into: which cgroups are containers is the TypeScript side's knowledge, not this file's.
// A directory that vanishes while the walk runs is skipped; a failure at root rejects. `inline` walks on
// the calling thread (for a tree known to be small).
#pragma once

#include "napi_config.h"

Napi::Value WalkDirs(const Napi::CallbackInfo& info);
