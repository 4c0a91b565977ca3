// Network namespace reads: enter the namespace on a namespace thread only to open a NETLINK_ROUTE
// socket (which stays bound to that namespace), return at once, then dump the links.
#pragma once

#include "napi_config.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "errors.h"
#include "netlink_links.h"
#include "unique_fd.h"

struct NetnsAnswer {
  uint64_t inode = 0;
  uint64_t dev = 0;
  std::vector<LinkInfo> links;
};

using NetnsOutcome = std::variant<NetnsAnswer, SysError>;

// The calling thread's own namespace, opened once per thread on first use, to return to after setns.
class HomeNetns {
 public:
  std::optional<SysError> Open();
  int Get() const { return fd_.Get(); }

 private:
  UniqueFd fd_;
};

struct NetnsSocket {
  UniqueFd socket;
  uint64_t inode = 0;
  uint64_t dev = 0;
};

// open(target, non-blocking) -> fstat -> fstatfs (nsfs only) -> NS_GET_NSTYPE -> setns in -> socket() ->
// setns back (abort if that fails). A target that is no network namespace is EINVAL (syscall "setns").
std::variant<NetnsSocket, SysError> OpenSocketInNetns(const std::string& target, HomeNetns& home);

// readNetns(targets): Promise<Array<answer | failure>>.
Napi::Value ReadNetns(const Napi::CallbackInfo& info);

// The sockets of one NetlinkCache, shared with the threads reading through it: a close from JS while a
// read is in flight drops the map's reference only, and the socket closes when that read ends.
class KeptNetlinkSockets {
 public:
  explicit KeptNetlinkSockets(size_t maxSockets) : maxSockets_(maxSockets) {}

  NetnsOutcome Read(const std::string& target, HomeNetns& home);
  // A dump on the socket kept for the target, which needs no setns (any thread may do it); nullopt when
  // no socket is kept for it or the path now names another namespace (then only Read can answer).
  std::optional<NetnsOutcome> ReadKept(const std::string& target);
  void Close(const std::vector<std::string>& targets);
  void CloseAll();
  size_t Size();

 private:
  struct Entry {
    NetnsSocket socket;
    std::mutex dumpMutex;  // one dump at a time per socket
    uint32_t nextSeq = 1;
  };

  std::shared_ptr<Entry> Find(const std::string& target);
  void Keep(const std::string& target, std::shared_ptr<Entry> entry);
  void Forget(const std::string& target, const std::shared_ptr<Entry>& entry);

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>> sockets_;
  const size_t maxSockets_;
};

class NetlinkCache : public Napi::ObjectWrap<NetlinkCache> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NetlinkCache(const Napi::CallbackInfo& info);

 private:
  Napi::Value Read(const Napi::CallbackInfo& info);
  // readKept(targets, inline): the kept sockets only, on the pool (or on the calling thread when
  // inline); a target without one has status 1.
  Napi::Value ReadKept(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void CloseAll(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);

  std::shared_ptr<KeptNetlinkSockets> sockets_;
};
