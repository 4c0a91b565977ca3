#include "dir_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "arguments.h"
#include "errors.h"
#include "glibc_compat.h"
#include "run_now_or_queue.h"

namespace {

// Beyond this many directories the walk stops and fails: no cgroup tree is that large.
constexpr size_t kMaxDirectories = 1 << 20;
// Directories listed but not walked into: a container's own cgroup (a 64-hex id, or a systemd scope,
// as every runtime's container is) holds nothing that is another container to ctrstat. Walking into
// them would double the walk on a busy host for directories the listing skips anyway.
bool IsLeaf(const char* name) {
  const size_t length = strlen(name);
  if (length >= 6 && strcmp(name + length - 6, ".scope") == 0) return true;
  if (length != 64) return false;
  for (size_t i = 0; i < length; i++) {
    const char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

class WalkJob : public PromiseJob {
 public:
  WalkJob(std::string root, size_t maxDepth) : root_(std::move(root)), maxDepth_(maxDepth) {}

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

  std::string Joined(const std::string& prefix) const { return prefix.empty() ? root_ : root_ + "/" + prefix; }

  std::string root_;
  size_t maxDepth_;
  size_t count_ = 0;
  std::string out_;
  SysError failure_{0, "", ""};
};

}  // namespace

Napi::Value WalkDirs(const Napi::CallbackInfo& info) {
  std::string root = StringArgument(info, 0, "root");
  const size_t maxDepth = CountArgument(info, 1, "maxDepth");
  auto job = std::make_unique<WalkJob>(std::move(root), maxDepth);
  // Inline: a small tree is walked faster than the hop to the thread pool and back.
  return RunNowOrQueue(info.Env(), std::move(job), info[2].ToBoolean().Value(), "ctrstat:walkDirs");
}
