#include "netlink_links.h"

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace {

// Dump buffers: the kernel sizes its dump messages after the reader's buffer, up to 32 KiB.
constexpr size_t kReceiveBufferSize = 64 * 1024;
// A dump that raced with a link change is flagged NLM_F_DUMP_INTR; it is retried this many times.
constexpr int kDumpAttempts = 3;
// The kernel's errno values end here (MAX_ERRNO in include/linux/err.h).
constexpr int kMaxErrno = 4095;

std::string AttributeString(const rtattr* attribute) {
  const char* data = static_cast<const char*>(RTA_DATA(attribute));
  return std::string(data, strnlen(data, RTA_PAYLOAD(attribute)));
}

uint32_t AttributeU32(const rtattr* attribute) {
  uint32_t value = 0;
  if (RTA_PAYLOAD(attribute) >= sizeof(value)) memcpy(&value, RTA_DATA(attribute), sizeof(value));
  return value;
}

// Older kernels' stats structs are shorter: copy what is there, the rest stays zero. memcpy because
// the attribute payload is only 4-byte aligned.
template <typename Stats>
Stats AttributeStruct(const rtattr* attribute) {
  Stats stats{};
  memcpy(&stats, RTA_DATA(attribute), std::min<size_t>(RTA_PAYLOAD(attribute), sizeof(stats)));
  return stats;
}

rtnl_link_stats64 Widen(const rtnl_link_stats& s) {
  rtnl_link_stats64 wide{};
  wide.rx_packets = s.rx_packets;
  wide.tx_packets = s.tx_packets;
  wide.rx_bytes = s.rx_bytes;
  wide.tx_bytes = s.tx_bytes;
  wide.rx_errors = s.rx_errors;
  wide.tx_errors = s.tx_errors;
  wide.rx_dropped = s.rx_dropped;
  wide.tx_dropped = s.tx_dropped;
  wide.multicast = s.multicast;
  wide.collisions = s.collisions;
  wide.rx_length_errors = s.rx_length_errors;
  wide.rx_over_errors = s.rx_over_errors;
  wide.rx_crc_errors = s.rx_crc_errors;
  wide.rx_frame_errors = s.rx_frame_errors;
  wide.rx_fifo_errors = s.rx_fifo_errors;
  wide.rx_missed_errors = s.rx_missed_errors;
  wide.tx_aborted_errors = s.tx_aborted_errors;
  wide.tx_carrier_errors = s.tx_carrier_errors;
  wide.tx_fifo_errors = s.tx_fifo_errors;
  wide.tx_heartbeat_errors = s.tx_heartbeat_errors;
  wide.tx_window_errors = s.tx_window_errors;
  wide.rx_compressed = s.rx_compressed;
  wide.tx_compressed = s.tx_compressed;
  wide.rx_nohandler = s.rx_nohandler;
  return wide;
}

std::optional<std::string> LinkInfoKind(const rtattr* linkinfo) {
  int length = static_cast<int>(RTA_PAYLOAD(linkinfo));
  for (const rtattr* attribute = static_cast<const rtattr*>(RTA_DATA(linkinfo)); RTA_OK(attribute, length);
       attribute = RTA_NEXT(attribute, length)) {
    if ((attribute->rta_type & NLA_TYPE_MASK) == IFLA_INFO_KIND) return AttributeString(attribute);
  }
  return std::nullopt;
}

void ParseLink(const nlmsghdr* header, std::vector<LinkInfo>& links) {
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return;
  const auto* message = static_cast<const ifinfomsg*>(NLMSG_DATA(header));
  LinkInfo link;
  link.ifindex = message->ifi_index;
  link.flags = message->ifi_flags;
  link.operstate = IF_OPER_UNKNOWN;
  bool haveStats64 = false;
  int length = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof(ifinfomsg)));
  for (const rtattr* attribute = IFLA_RTA(message); RTA_OK(attribute, length);
       attribute = RTA_NEXT(attribute, length)) {
    switch (attribute->rta_type & NLA_TYPE_MASK) {
      case IFLA_IFNAME: link.name = AttributeString(attribute); break;
      case IFLA_MTU: link.mtu = AttributeU32(attribute); break;
      case IFLA_LINK: link.linkIndex = static_cast<int>(AttributeU32(attribute)); break;
      case IFLA_OPERSTATE:
        if (RTA_PAYLOAD(attribute) >= 1) link.operstate = *static_cast<const uint8_t*>(RTA_DATA(attribute));
        break;
      case IFLA_LINKINFO: link.kind = LinkInfoKind(attribute); break;
      case IFLA_STATS64:
        link.stats = AttributeStruct<rtnl_link_stats64>(attribute);
        haveStats64 = true;
        break;
      case IFLA_STATS:
        if (!haveStats64) link.stats = Widen(AttributeStruct<rtnl_link_stats>(attribute));
        break;
      default: break;
    }
  }
  if (!link.kind && (link.flags & IFF_LOOPBACK)) link.kind = "loopback";
  links.push_back(std::move(link));
}

// The errno of a failure the kernel sends as a negative number; EPROTO for a value no errno has (a
// corrupt message: INT_MIN, for one, cannot even be negated).
int KernelErrno(int negative) { return negative < 0 && negative >= -kMaxErrno ? -negative : EPROTO; }

// Interrupted: the kernel flagged a change during the dump (NLM_F_DUMP_INTR). Overrun: the socket's
// receive buffer overflowed (ENOBUFS) and messages were lost. Truncated: a datagram was larger than
// the buffer (its links are lost; the dump was read to its end, and the buffer now fits it).
enum class DumpResult { Complete, Interrupted, Overrun, Truncated };

// A receive buffer, not zero-filled (recv writes what is read).
struct ReceiveBuffer {
  explicit ReceiveBuffer(size_t bytes) : data(new char[bytes]), size(bytes) {}
  std::unique_ptr<char[]> data;
  size_t size;
};

std::optional<SysError> DumpOnce(int socketFd, uint32_t seq, ReceiveBuffer& buffer, std::vector<LinkInfo>& links,
                                 DumpResult& result) {
  struct {
    nlmsghdr header;
    ifinfomsg body;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = seq;
  request.body.ifi_family = AF_UNSPEC;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  while (sendto(socketFd, &request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    if (errno != EINTR) return LastError("sendto", "");
  }

  result = DumpResult::Complete;
  size_t needed = 0;  // the largest datagram that did not fit
  for (;;) {
    // One recv per datagram; MSG_TRUNC gives its real size, so one larger than the buffer (which the
    // kernel's dump sizing never makes) is told rather than parsed cut short.
    ssize_t size = recv(socketFd, buffer.data.get(), buffer.size, MSG_TRUNC);
    if (size < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        result = DumpResult::Overrun;
        return std::nullopt;
      }
      // The socket's receive timeout (SO_RCVTIMEO): the kernel never finished the dump.
      if (errno == EAGAIN || errno == EWOULDBLOCK) return SysError{ETIMEDOUT, "recv", ""};
      return LastError("recv", "");
    }
    // Netlink never sends an empty datagram: a zero here would only repeat forever.
    if (size == 0) return SysError{EPROTO, "recv", ""};
    if (static_cast<size_t>(size) > buffer.size) needed = std::max(needed, static_cast<size_t>(size));

    DumpProgress progress;
    if (auto failure = ParseDumpDatagram(buffer.data.get(), std::min(static_cast<size_t>(size), buffer.size), seq,
                                         progress, links)) {
      return failure;
    }
    if (progress.interrupted) result = DumpResult::Interrupted;
    if (progress.done) {
      if (needed > 0) {
        result = DumpResult::Truncated;
        buffer = ReceiveBuffer(needed);
      }
      return std::nullopt;
    }
  }
}

}  // namespace

std::optional<SysError> ParseDumpDatagram(const char* data, size_t size, uint32_t seq, DumpProgress& progress,
                                          std::vector<LinkInfo>& links) {
  // NLMSG_OK and NLMSG_NEXT keep every header and its length inside the datagram (and the int count
  // they take: no datagram reaches 2 GiB).
  int remaining = static_cast<int>(std::min<size_t>(size, INT32_MAX));
  for (const auto* header = reinterpret_cast<const nlmsghdr*>(data); NLMSG_OK(header, remaining);
       header = NLMSG_NEXT(header, remaining)) {
    if (header->nlmsg_seq != seq) continue;  // an answer to an earlier request
    if (header->nlmsg_flags & NLM_F_DUMP_INTR) progress.interrupted = true;
    if (header->nlmsg_type == NLMSG_DONE) {
      int status = 0;
      if (header->nlmsg_len >= NLMSG_LENGTH(sizeof(status))) memcpy(&status, NLMSG_DATA(header), sizeof(status));
      if (status < 0) return SysError{KernelErrno(status), "recv", ""};
      progress.done = true;
      return std::nullopt;
    }
    if (header->nlmsg_type == NLMSG_ERROR) {
      if (header->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return SysError{EPROTO, "recv", ""};
      int error = static_cast<const nlmsgerr*>(NLMSG_DATA(header))->error;
      if (error == 0) continue;  // an acknowledgement, not a failure
      return SysError{KernelErrno(error), "recv", ""};
    }
    if (header->nlmsg_type == RTM_NEWLINK) ParseLink(header, links);
  }
  return std::nullopt;
}

std::optional<SysError> DumpLinks(int socketFd, uint32_t& nextSeq, std::vector<LinkInfo>& links) {
  ReceiveBuffer buffer(kReceiveBufferSize);
  for (int attempt = 1;; attempt++) {
    links.clear();
    DumpResult result = DumpResult::Complete;
    // Each attempt gets its own sequence number so a late message of the previous one is ignored.
    if (auto failure = DumpOnce(socketFd, nextSeq++, buffer, links, result)) return failure;
    if (result == DumpResult::Complete) return std::nullopt;
    // An overrun or truncated dump lost links; after the last attempt that is a failure.
    if (result == DumpResult::Overrun && attempt == kDumpAttempts) return SysError{ENOBUFS, "recv", ""};
    if (result == DumpResult::Truncated && attempt == kDumpAttempts) return SysError{EMSGSIZE, "recv", ""};
    // An interrupted dump may miss or repeat a link; after the last attempt its counters are still good.
    if (attempt == kDumpAttempts) return std::nullopt;
  }
}

void LinkStatsInOrder(const rtnl_link_stats64& s, double* out) {
  const uint64_t values[kLinkStatsCount] = {
      s.rx_bytes,         s.tx_bytes,          s.rx_packets,        s.tx_packets,      s.rx_errors,
      s.tx_errors,        s.rx_dropped,        s.tx_dropped,        s.multicast,       s.collisions,
      s.rx_length_errors, s.rx_over_errors,    s.rx_crc_errors,     s.rx_frame_errors, s.rx_fifo_errors,
      s.rx_missed_errors, s.tx_aborted_errors, s.tx_carrier_errors, s.tx_fifo_errors,  s.tx_heartbeat_errors,
      s.tx_window_errors, s.rx_compressed,     s.tx_compressed,     s.rx_nohandler,    s.rx_otherhost_dropped};
  for (size_t i = 0; i < kLinkStatsCount; i++) out[i] = static_cast<double>(values[i]);
}
