// Captures the datagrams of one RTM_GETLINK dump in the calling network namespace, one file each, as
// seeds for netlink_fuzzer (the request is the one cpp/netlink_links.cc sends). Used by hand:
//   ip netns exec <ns> build-fuzz/capture_netlink_dump <directory> <prefix>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <directory> <prefix>\n", argv[0]);
    return 64;
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return perror("socket"), 1;
  struct {
    nlmsghdr header;
    ifinfomsg body;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = 1;
  request.body.ifi_family = AF_UNSPEC;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    return perror("sendto"), 1;
  }
  std::vector<char> buffer(64 * 1024);
  for (int index = 0;; index++) {
    ssize_t size = recv(fd, buffer.data(), buffer.size(), 0);
    if (size <= 0) return perror("recv"), 1;
    const std::string path = std::string(argv[1]) + "/" + argv[2] + "-" + std::to_string(index);
    FILE* out = std::fopen(path.c_str(), "wb");
    if (out == nullptr || std::fwrite(buffer.data(), 1, static_cast<size_t>(size), out) != static_cast<size_t>(size)) {
      return perror(path.c_str()), 1;
    }
    std::fclose(out);
    bool done = false;
    int remaining = static_cast<int>(size);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) done = true;
    }
    if (done) break;
  }
  close(fd);
  return 0;
}
