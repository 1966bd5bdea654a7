// Linux headers that Swift's Glibc module does not cover: epoll, eventfd, pidfd, netlink/rtnetlink,
// AF_PACKET, socket diagnostics; plus the GNU prototypes Glibc hides without _GNU_SOURCE
// (defining _GNU_SOURCE here would make this module's libc types clash with Glibc's).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <sys/pidfd.h>

int setns(int fd, int nstype);
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
#ifndef CLONE_NEWNET
#define CLONE_NEWNET 0x40000000
#endif
