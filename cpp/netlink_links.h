// RTM_GETLINK dumps over a NETLINK_ROUTE socket: the request, the receive loop and the parsing of what
// the kernel sends (ParseDumpDatagram, free of sockets so that a fuzzer can drive it). No N-API here.
#pragma once

#include <linux/if_link.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sys_error.h"

struct LinkInfo {
  std::string name;
  int ifindex = 0;
  int linkIndex = 0;  // IFLA_LINK; 0 when the kernel sends none (the link is its own)
  std::optional<std::string> kind;
  uint8_t operstate = 0;  // IF_OPER_* (RFC 2863), as the kernel sends it
  uint32_t mtu = 0;
  uint32_t flags = 0;
  rtnl_link_stats64 stats{};
};

// Dumps every link of the socket's namespace. `nextSeq` is the socket's request counter (advanced here).
// On failure the socket may hold the rest of a dump: do not reuse it.
std::optional<SysError> DumpLinks(int socketFd, uint32_t& nextSeq, std::vector<LinkInfo>& links);

// Where a dump stands after a datagram: ended (NLMSG_DONE), or flagged NLM_F_DUMP_INTR by the kernel (a
// link changed during the dump, which may then miss or repeat one).
struct DumpProgress {
  bool done = false;
  bool interrupted = false;
};

// Parses one received datagram of the dump answering request `seq` (messages of other requests are
// skipped): appends the links of its RTM_NEWLINK messages and updates `progress`. A failure the kernel
// reports (NLMSG_ERROR, a negative NLMSG_DONE status) is returned. `data` is 4-byte aligned, as a
// receive buffer is; any bytes are safe: every length is checked against `size` before it is used.
std::optional<SysError> ParseDumpDatagram(const char* data, size_t size, uint32_t seq, DumpProgress& progress,
                                          std::vector<LinkInfo>& links);

// The counters of rtnl_link_stats64 in the order JS reads them (lib/netns-batch.ts LINK_STATS).
constexpr size_t kLinkStatsCount = 25;
void LinkStatsInOrder(const rtnl_link_stats64& stats, double* out);
