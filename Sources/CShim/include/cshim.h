// What Glibc's Swift module lacks: epoll, accept4, memmem, the CPU affinity count,
// a sendmsg over two buffers with MSG_NOSIGNAL, eventfd and the coarse monotonic clock.
// Compiled with _GNU_SOURCE.
#ifndef PORTCULLIS_CSHIM_H
#define PORTCULLIS_CSHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One readiness event: the registered token and the epoll event bits.
typedef struct {
    uint64_t token;
    uint32_t events;
} cshim_event;

enum {
    CSHIM_EPOLLIN = 0x001,
    CSHIM_EPOLLOUT = 0x004,
    CSHIM_EPOLLERR = 0x008,
    CSHIM_EPOLLHUP = 0x010,
    CSHIM_EPOLLRDHUP = 0x2000,
    CSHIM_EPOLLEXCLUSIVE = 1u << 28,
    CSHIM_EPOLLET = 1u << 31,
};

int cshim_epoll_create(void);
int cshim_epoll_add(int epfd, int fd, uint32_t events, uint64_t token);
int cshim_epoll_mod(int epfd, int fd, uint32_t events, uint64_t token);
int cshim_epoll_del(int epfd, int fd);
/// Waits at most `timeout_ms` and fills `out` with up to `max` events; returns the count or -1.
int cshim_epoll_wait(int epfd, cshim_event *out, int max, int timeout_ms);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; the peer address goes to `addr` (sockaddr_storage).
int cshim_accept(int fd, void *addr, uint32_t *addrlen);
void *cshim_memmem(const void *hay, size_t haylen, const void *needle, size_t needlelen);
/// CPUs this process may run on (taskset narrows it), at least 1.
int cshim_cpu_count(void);
/// Sends up to two buffers in one call with MSG_NOSIGNAL; returns bytes sent or -1 (errno set).
ssize_t cshim_send2(int fd, const void *a, size_t alen, const void *b, size_t blen);
/// Sends one buffer with MSG_NOSIGNAL.
ssize_t cshim_send(int fd, const void *a, size_t alen);
int cshim_errno(void);
/// Sets O_NONBLOCK and FD_CLOEXEC.
int cshim_set_nonblocking(int fd);
/// Sets SO_LINGER {1, 0} so close() sends RST (used to abort a connection).
int cshim_set_linger_zero(int fd);
/// A non-blocking, close-on-exec eventfd (counter 0), or -1.
int cshim_eventfd(void);
/// Adds 1 to an eventfd's counter, making it readable.
void cshim_eventfd_signal(int fd);
/// Resets an eventfd's counter to 0 (no effect when it is 0).
void cshim_eventfd_reset(int fd);
/// CLOCK_MONOTONIC_COARSE in nanoseconds: a few nanoseconds to read, resolution of a tick.
uint64_t cshim_coarse_now(void);

#ifdef __cplusplus
}
#endif
#endif
