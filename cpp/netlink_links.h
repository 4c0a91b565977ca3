// RTM_GETLINK dumps over a NETLINK_ROUTE socket, and their conversion to JS.
#pragma once

#include <linux/if_link.h>
#include "napi_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "errors.h"

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

// The counters of rtnl_link_stats64 in the order JS reads them (lib/netns-batch.ts LINK_STATS).
constexpr size_t kLinkStatsCount = 25;
void LinkStatsInOrder(const rtnl_link_stats64& stats, double* out);
