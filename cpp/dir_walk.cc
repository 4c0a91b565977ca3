#include "dir_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "arguments.h"
#include "errors.h"
#include "glibc_compat.h"
#include "run_now_or_queue.h"

namespace {

// Beyond this many directories the walk stops and fails: no cgroup tree is that large.
constexpr size_t kMaxDirectories = 1 << 20;
// Leaf globs are a handful of runtime rules; these bounds only keep a mistaken argument from costing a
// pattern match per directory without end (64 "[0-9a-f]" brackets, the 64-hex id rule, take 512 bytes).
constexpr uint32_t kMaxLeafGlobs = 64;
constexpr size_t kMaxLeafGlobLength = 1024;

std::vector<std::string> LeafGlobsArgument(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  const char* expected = "leafGlobs must be an array of at most 64 non-empty strings of at most 1024 bytes";
  if (!info[index].IsArray() || info[index].As<Napi::Array>().Length() > kMaxLeafGlobs) {
    throw Napi::TypeError::New(env, expected);
  }
  std::vector<std::string> globs = StringArrayArgument(info, index, "leafGlobs");
  for (const std::string& glob : globs) {
    if (glob.empty() || glob.size() > kMaxLeafGlobLength) throw Napi::TypeError::New(env, expected);
  }
  return globs;
}

class WalkJob : public PromiseJob {
 public:
  WalkJob(std::string root, size_t maxDepth, std::vector<std::string> leafGlobs)
      : root_(std::move(root)), maxDepth_(maxDepth), leafGlobs_(std::move(leafGlobs)) {}

  void Run() override {
    int fd = open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      failure_ = LastError("open", root_);
      return;
    }
    std::string prefix;
    Walk(fd, prefix, 1);
  }

  Napi::Value Result(Napi::Env env) override {
    if (failure_.err != 0) throw ErrorFromFailure(env, failure_);
    return Napi::String::New(env, out_);
  }

 private:
  // Takes ownership of fd. `prefix` is the directory's path relative to root ("" for root). A
  // directory that cannot be listed fails the walk: a partial listing would read as a complete one.
  void Walk(int fd, std::string& prefix, size_t depth) {
    DIR* dir = fdopendir(fd);
    if (dir == nullptr) {
      failure_ = LastError("fdopendir", Joined(prefix));
      close(fd);
      return;
    }
    const size_t base = prefix.size();
    for (;;) {
      errno = 0;
      dirent* entry = readdir(dir);
      if (entry == nullptr) {
        // A cgroup removed while it is listed reads as ENOENT: its subtree is simply not there.
        if (errno != 0 && errno != ENOENT) failure_ = LastError("readdir", Joined(prefix));
        break;
      }
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      bool isDir = entry->d_type == DT_DIR;
      if (entry->d_type == DT_UNKNOWN) {
        struct stat status {};
        isDir = StatAt(dirfd(dir), name, &status, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(status.st_mode);
      }
      if (!isDir) continue;
      if (++count_ > kMaxDirectories) {
        failure_ = SysError{EFBIG, "readdir", root_};
        break;
      }
      if (base > 0) prefix.push_back('/');
      prefix.append(name);
      if (!out_.empty()) out_.push_back('\n');
      out_.append(prefix);
      if (depth < maxDepth_ && !IsLeaf(name)) {
        int child = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        // A cgroup removed meanwhile: its subtree is simply not there.
        if (child >= 0) Walk(child, prefix, depth + 1);
      }
      prefix.resize(base);
      if (failure_.err != 0) break;
    }
    closedir(dir);
  }

  // Listed but not walked into (a container's own cgroup holds nothing that is another container).
  bool IsLeaf(const char* name) const {
    for (const std::string& glob : leafGlobs_) {
      if (fnmatch(glob.c_str(), name, 0) == 0) return true;
    }
    return false;
  }

  std::string Joined(const std::string& prefix) const { return prefix.empty() ? root_ : root_ + "/" + prefix; }

  std::string root_;
  size_t maxDepth_;
  std::vector<std::string> leafGlobs_;
  size_t count_ = 0;
  std::string out_;
  SysError failure_{0, "", ""};
};

}  // namespace

Napi::Value WalkDirs(const Napi::CallbackInfo& info) {
  std::string root = StringArgument(info, 0, "root");
  const size_t maxDepth = CountArgument(info, 1, "maxDepth");
  auto job = std::make_unique<WalkJob>(std::move(root), maxDepth, LeafGlobsArgument(info, 2));
  // Inline: a small tree is walked faster than the hop to the thread pool and back.
  return RunNowOrQueue(info.Env(), std::move(job), info[3].ToBoolean().Value(), "ctrstat:walkDirs");
}
