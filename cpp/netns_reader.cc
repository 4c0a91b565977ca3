#include "netns_reader.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arguments.h"
#include "glibc_compat.h"
#include "namespace_threads.h"
#include "run_now_or_queue.h"
#include "tokenize.h"
#include "typed_arrays.h"

namespace {

constexpr time_t kReceiveTimeoutSeconds = 5;

// Holds the thread inside a target namespace for one scope. Returning is not optional: a thread left
// in a foreign namespace would silently answer for the wrong container later, so failure aborts.
class ScopedNetnsEntry {
 public:
  ScopedNetnsEntry(int targetFd, int homeFd) : homeFd_(homeFd) {
    entered_ = setns(targetFd, CLONE_NEWNET) == 0;
    error_ = entered_ ? 0 : errno;
  }
  ~ScopedNetnsEntry() {
    if (entered_ && setns(homeFd_, CLONE_NEWNET) != 0) {
      std::fprintf(stderr, "ctrstat: cannot return to the original network namespace (errno %d)\n", errno);
      std::abort();
    }
  }
  ScopedNetnsEntry(const ScopedNetnsEntry&) = delete;
  ScopedNetnsEntry& operator=(const ScopedNetnsEntry&) = delete;

  bool Entered() const { return entered_; }
  int Error() const { return error_; }

 private:
  int homeFd_;
  bool entered_;
  int error_;
};

NetnsOutcome ReadNetnsOnce(const std::string& target, HomeNetns& home) {
  auto opened = OpenSocketInNetns(target, home);
  if (auto* failure = std::get_if<SysError>(&opened)) return std::move(*failure);
  NetnsSocket& socket = std::get<NetnsSocket>(opened);
  NetnsAnswer answer{socket.inode, socket.dev, {}};
  uint32_t seq = 1;
  if (auto failure = DumpLinks(socket.socket.Get(), seq, answer.links)) {
    failure->path = target;
    return *failure;
  }
  return answer;
}

Napi::Array KeyNamesToJs(Napi::Env env, const KeyTable& table) {
  Napi::Array names = Napi::Array::New(env, table.Size());
  for (uint32_t id = 0; id < table.Size(); id++) names.Set(id, Napi::String::New(env, table.Name(id)));
  return names;
}

// A whole batch in a few typed arrays (lib/netns-batch.ts reads it): per target its status, inode,
// dev and range of links; per link its name and kind (as indexes into tables of the distinct strings:
// thousands of namespaces have a handful of names), five integers and the 25 counters.
Napi::Value OutcomesToJs(Napi::Env env, const std::vector<std::optional<NetnsOutcome>>& outcomes) {
  const size_t count = outcomes.size();
  std::vector<int32_t> status(count, 0);
  std::vector<double> inode(count, 0), dev(count, 0);
  std::vector<uint32_t> linkFirst;
  linkFirst.reserve(count + 1);
  std::vector<int32_t> ints;
  std::vector<double> stats;
  // Distinct names and kinds (interface names are at most 15 bytes, so neither table can fill up);
  // a link's kind index is 0 for none.
  KeyTable nameIds, kindIds;
  std::vector<uint32_t> linkName, linkKind;
  Napi::Array failures = Napi::Array::New(env, count);
  uint32_t links = 0;
  for (size_t i = 0; i < count; i++) {
    linkFirst.push_back(links);
    if (!outcomes[i]) {
      status[i] = 1;  // readKept: no socket kept for this target
      continue;
    }
    if (const auto* failure = std::get_if<SysError>(&*outcomes[i])) {
      status[i] = -failure->err;
      failures.Set(static_cast<uint32_t>(i), FailureObject(env, *failure));
      continue;
    }
    const NetnsAnswer& answer = std::get<NetnsAnswer>(*outcomes[i]);
    inode[i] = static_cast<double>(answer.inode);
    dev[i] = static_cast<double>(answer.dev);
    for (const LinkInfo& link : answer.links) {
      linkName.push_back(nameIds.Intern(link.name));
      linkKind.push_back(link.kind ? 1 + kindIds.Intern(*link.kind) : 0);
      ints.insert(ints.end(), {link.ifindex, link.linkIndex, static_cast<int32_t>(link.mtu),
                               static_cast<int32_t>(link.flags), static_cast<int32_t>(link.operstate)});
      const size_t at = stats.size();
      stats.resize(at + kLinkStatsCount);
      LinkStatsInOrder(link.stats, &stats[at]);
      links++;
    }
  }
  linkFirst.push_back(links);
  Napi::Object batch = Napi::Object::New(env);
  batch.Set("status", CopyToTypedArray<Napi::Int32Array>(env, status));
  batch.Set("failures", failures);
  batch.Set("inode", CopyToTypedArray<Napi::Float64Array>(env, inode));
  batch.Set("dev", CopyToTypedArray<Napi::Float64Array>(env, dev));
  batch.Set("linkFirst", CopyToTypedArray<Napi::Uint32Array>(env, linkFirst));
  batch.Set("names", KeyNamesToJs(env, nameIds));
  batch.Set("kinds", KeyNamesToJs(env, kindIds));
  batch.Set("linkName", CopyToTypedArray<Napi::Uint32Array>(env, linkName));
  batch.Set("linkKind", CopyToTypedArray<Napi::Uint32Array>(env, linkKind));
  batch.Set("ints", CopyToTypedArray<Napi::Int32Array>(env, ints));
  batch.Set("stats", CopyToTypedArray<Napi::Float64Array>(env, stats));
  return batch;
}

class ReadNetnsJob : public PromiseJob {
 public:
  ReadNetnsJob(std::vector<std::string> targets, std::shared_ptr<KeptNetlinkSockets> kept)
      : targets_(std::move(targets)), kept_(std::move(kept)) {}

  void Run() override {
    HomeNetns home;
    outcomes_.reserve(targets_.size());
    for (const std::string& target : targets_) {
      outcomes_.push_back(kept_ ? kept_->Read(target, home) : ReadNetnsOnce(target, home));
    }
  }
  Napi::Value Result(Napi::Env env) override { return OutcomesToJs(env, outcomes_); }

 private:
  std::vector<std::string> targets_;
  std::shared_ptr<KeptNetlinkSockets> kept_;  // null for one-shot reads
  std::vector<std::optional<NetnsOutcome>> outcomes_;
};

// Dumps on kept sockets only: no namespace is entered, so the thread pool (or the JS thread) may run it.
class ReadKeptJob : public PromiseJob {
 public:
  ReadKeptJob(std::vector<std::string> targets, std::shared_ptr<KeptNetlinkSockets> kept)
      : targets_(std::move(targets)), kept_(std::move(kept)) {}

  void Run() override {
    outcomes_.reserve(targets_.size());
    for (const std::string& target : targets_) outcomes_.push_back(kept_->ReadKept(target));
  }
  Napi::Value Result(Napi::Env env) override { return OutcomesToJs(env, outcomes_); }

 private:
  std::vector<std::string> targets_;
  std::shared_ptr<KeptNetlinkSockets> kept_;
  std::vector<std::optional<NetnsOutcome>> outcomes_;
};

}  // namespace

std::optional<SysError> HomeNetns::Open() {
  if (fd_.Valid()) return std::nullopt;
  fd_ = UniqueFd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd_.Valid()) return LastError("open", "/proc/thread-self/ns/net");
  return std::nullopt;
}

std::variant<NetnsSocket, SysError> OpenSocketInNetns(const std::string& target, HomeNetns& home) {
  // O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer and hold this thread; no
  // namespace file is read or written, so the flag changes nothing for one.
  UniqueFd ns(open(target.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  // A process that exits while its /proc entry is opened can answer EACCES (the kernel finds no task for
  // the link) or ESRCH; opened again, a process that is gone is ENOENT. A real denial is EACCES again.
  if (!ns.Valid() && (errno == EACCES || errno == ESRCH))
    ns = UniqueFd(open(target.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!ns.Valid()) return LastError("open", target);
  struct stat status {};
  if (StatFd(ns.Get(), &status) != 0) return LastError("fstat", target);
  // Only a namespace file goes on to setns: nsfs, or proc on kernels before 3.19 (which had no nsfs;
  // setns then tells a namespace file from another proc file itself). Anything else (a regular file, a
  // directory, a FIFO, a device) is refused here as setns would refuse it.
  struct statfs filesystem {};
  if (fstatfs(ns.Get(), &filesystem) != 0) return LastError("fstatfs", target);
  if (filesystem.f_type != NSFS_MAGIC && filesystem.f_type != PROC_SUPER_MAGIC)
    return SysError{EINVAL, "setns", target};
  // Reject other namespace types before setns. Kernels before 4.11 answer ENOTTY; setns below then
  // rejects a non-network namespace with EINVAL itself.
  int type = ioctl(ns.Get(), NS_GET_NSTYPE);
  if (type >= 0 && type != CLONE_NEWNET) return SysError{EINVAL, "setns", target};
  if (auto failure = home.Open()) return *failure;

  UniqueFd socketFd;
  int socketError = 0;
  {
    ScopedNetnsEntry entry(ns.Get(), home.Get());
    if (!entry.Entered()) return SysError{entry.Error(), "setns", target};
    socketFd = UniqueFd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    socketError = errno;
  }
  if (!socketFd.Valid()) return SysError{socketError, "socket", target};
  // A dump the kernel never finishes must not hold this thread (and a worker's teardown) forever.
  timeval timeout{kReceiveTimeoutSeconds, 0};
  if (setsockopt(socketFd.Get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
    return LastError("setsockopt", target);
  }
  return NetnsSocket{std::move(socketFd), static_cast<uint64_t>(status.st_ino), static_cast<uint64_t>(status.st_dev)};
}

Napi::Value ReadNetns(const Napi::CallbackInfo& info) {
  auto job = std::make_unique<ReadNetnsJob>(StringArrayArgument(info, 0, "targets"), nullptr);
  return RunOnNamespaceThread(info.Env(), std::move(job));
}

std::shared_ptr<KeptNetlinkSockets::Entry> KeptNetlinkSockets::Find(const std::string& target) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sockets_.find(target);
  return it == sockets_.end() ? nullptr : it->second;
}

void KeptNetlinkSockets::Keep(const std::string& target, std::shared_ptr<Entry> entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (sockets_.size() < maxSockets_) sockets_.emplace(target, std::move(entry));
}

void KeptNetlinkSockets::Forget(const std::string& target, const std::shared_ptr<Entry>& entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sockets_.find(target);
  if (it != sockets_.end() && it->second == entry) sockets_.erase(it);
}

std::optional<NetnsOutcome> KeptNetlinkSockets::ReadKept(const std::string& target) {
  std::shared_ptr<Entry> kept = Find(target);
  if (!kept) return std::nullopt;
  struct stat status {};
  bool sameNamespace = StatPath(target.c_str(), &status) == 0 &&
                       static_cast<uint64_t>(status.st_ino) == kept->socket.inode &&
                       static_cast<uint64_t>(status.st_dev) == kept->socket.dev;
  if (!sameNamespace) {
    // The path now names another namespace (the PID was reused, the netns re-created) or is gone:
    // the kept socket would answer for the old one. Read reopens, which also reports a vanished path.
    Forget(target, kept);
    return std::nullopt;
  }
  std::lock_guard<std::mutex> lock(kept->dumpMutex);
  NetnsAnswer answer{kept->socket.inode, kept->socket.dev, {}};
  if (auto failure = DumpLinks(kept->socket.socket.Get(), kept->nextSeq, answer.links)) {
    Forget(target, kept);
    failure->path = target;
    return NetnsOutcome(*failure);
  }
  return NetnsOutcome(std::move(answer));
}

NetnsOutcome KeptNetlinkSockets::Read(const std::string& target, HomeNetns& home) {
  if (auto kept = ReadKept(target)) return std::move(*kept);
  auto opened = OpenSocketInNetns(target, home);
  if (auto* failure = std::get_if<SysError>(&opened)) return std::move(*failure);
  auto fresh = std::make_shared<Entry>();
  fresh->socket = std::move(std::get<NetnsSocket>(opened));
  NetnsAnswer answer{fresh->socket.inode, fresh->socket.dev, {}};
  if (auto failure = DumpLinks(fresh->socket.socket.Get(), fresh->nextSeq, answer.links)) {
    failure->path = target;
    return *failure;
  }
  Keep(target, std::move(fresh));
  return answer;
}

void KeptNetlinkSockets::Close(const std::vector<std::string>& targets) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& target : targets) sockets_.erase(target);
}

void KeptNetlinkSockets::CloseAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  sockets_.clear();
}

size_t KeptNetlinkSockets::Size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return sockets_.size();
}

Napi::Value NetlinkCache::ReadKept(const Napi::CallbackInfo& info) {
  auto job = std::make_unique<ReadKeptJob>(StringArrayArgument(info, 0, "targets"), sockets_);
  // Inline: a few dumps cost less than the hop to the thread pool and back.
  return RunNowOrQueue(info.Env(), std::move(job), info[1].ToBoolean().Value(), "ctrstat:NetlinkCache.readKept");
}

Napi::Function NetlinkCache::Define(Napi::Env env) {
  return DefineClass(
      env, "NetlinkCache",
      {InstanceMethod<&NetlinkCache::Read>("read"), InstanceMethod<&NetlinkCache::ReadKept>("readKept"),
       InstanceMethod<&NetlinkCache::Close>("close"), InstanceMethod<&NetlinkCache::CloseAll>("closeAll"),
       InstanceAccessor<&NetlinkCache::Size>("size")});
}

NetlinkCache::NetlinkCache(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<NetlinkCache>(info),
      sockets_(std::make_shared<KeptNetlinkSockets>(CountArgument(info, 0, "maxSockets"))) {}

Napi::Value NetlinkCache::Read(const Napi::CallbackInfo& info) {
  auto job = std::make_unique<ReadNetnsJob>(StringArrayArgument(info, 0, "targets"), sockets_);
  return RunOnNamespaceThread(info.Env(), std::move(job));
}

void NetlinkCache::Close(const Napi::CallbackInfo& info) { sockets_->Close(StringArrayArgument(info, 0, "targets")); }

void NetlinkCache::CloseAll(const Napi::CallbackInfo&) { sockets_->CloseAll(); }

Napi::Value NetlinkCache::Size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(sockets_->Size()));
}
