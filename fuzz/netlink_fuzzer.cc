// libFuzzer harness for the RTM_GETLINK dump parser (cpp/netlink_links.h ParseDumpDatagram): any bytes,
// as one datagram received on a NETLINK_ROUTE socket. The seed corpus holds real dumps captured with
// fuzz/capture_netlink_dump.cc. The request's sequence number is the first message's, as in a capture.
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "netlink_links.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A receive buffer is aligned; so is the copy (libFuzzer's own may be too, but need not stay so).
  std::unique_ptr<uint32_t[]> aligned(new uint32_t[size / sizeof(uint32_t) + 1]);
  std::memcpy(aligned.get(), data, size);
  const char* datagram = reinterpret_cast<const char*>(aligned.get());
  uint32_t seq = 0;
  if (size >= sizeof(nlmsghdr)) seq = reinterpret_cast<const nlmsghdr*>(datagram)->nlmsg_seq;

  DumpProgress progress;
  std::vector<LinkInfo> links;
  auto failure = ParseDumpDatagram(datagram, size, seq, progress, links);
  if (failure && failure->err <= 0) {
    std::fprintf(stderr, "netlink_fuzzer: a failure without a positive errno (%d)\n", failure->err);
    std::abort();
  }
  // Everything a link carries is read the way netns_reader.cc hands it to JS.
  double counters[kLinkStatsCount];
  size_t names = 0;
  for (const LinkInfo& link : links) {
    LinkStatsInOrder(link.stats, counters);
    names += link.name.size() + (link.kind ? link.kind->size() : 0);
  }
  if (names > size) {
    std::fprintf(stderr, "netlink_fuzzer: names longer than the datagram\n");
    std::abort();
  }
  return 0;
}
