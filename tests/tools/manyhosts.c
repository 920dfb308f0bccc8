/* manyhosts: one DNS query from each of COUNT loopback source addresses
 * (127.10.0.1, 127.10.0.2, ...), to fill dnsd's host table the way a large
 * site does. At most 128 queries are in flight; an unanswered one is sent
 * again (3 tries, 2 s each). Prints "answered N of COUNT"; exit 0 when all
 * were answered.
 *
 *   manyhosts SERVER_PORT COUNT NAME
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 128
#define TRIES 3
#define WAIT_MS 2000

struct slot {
	int fd, host, tries;
	struct timespec sent;
};

static size_t
build_query(uint8_t *q, uint16_t id, const char *name)
{
	size_t n = 12;
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* QDCOUNT */
	for (const char *p = name; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		q[n++] = (uint8_t)l;
		memcpy(q + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	q[n++] = 0;
	q[n++] = 0, q[n++] = 1; /* A */
	q[n++] = 0, q[n++] = 1; /* IN */
	return n;
}

static long
ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static int
send_from(struct slot *s, const struct sockaddr_in *server, const char *name)
{
	uint8_t q[512];
	struct sockaddr_in src = {.sin_family = AF_INET};
	uint32_t a = (127u << 24 | 10u << 16) + (uint32_t)s->host + 1;
	src.sin_addr.s_addr = htonl(a);
	if (s->fd == -1) {
		s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s->fd == -1 || bind(s->fd, (struct sockaddr *)&src, sizeof src) == -1)
			return -1;
	}
	size_t n = build_query(q, (uint16_t)s->host, name);
	clock_gettime(CLOCK_MONOTONIC, &s->sent);
	s->tries++;
	return sendto(s->fd, q, n, 0, (const struct sockaddr *)server, sizeof *server) == (ssize_t)n
	           ? 0
	           : -1;
}

int
main(int argc, char **argv)
{
	if (argc != 4 || strlen(argv[3]) > 200) {
		fprintf(stderr, "usage: manyhosts SERVER_PORT COUNT NAME\n");
		return 2;
	}
	struct sockaddr_in server = {.sin_family = AF_INET,
	                             .sin_port = htons((uint16_t)atoi(argv[1]))};
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int count = atoi(argv[2]), next = 0, answered = 0, failed = 0;
	struct slot slots[WINDOW];
	struct pollfd pfd[WINDOW];
	for (int i = 0; i < WINDOW; i++)
		slots[i] = (struct slot){.fd = -1, .host = -1};
	while (answered + failed < count) {
		for (int i = 0; i < WINDOW; i++) {
			struct slot *s = &slots[i];
			if (s->host == -1 && next < count) {
				*s = (struct slot){.fd = -1, .host = next++};
				if (send_from(s, &server, argv[3]) == -1) {
					perror("manyhosts: send");
					return 2;
				}
			} else if (s->host != -1 && ms_since(&s->sent) > WAIT_MS) {
				if (s->tries == TRIES || send_from(s, &server, argv[3]) == -1) {
					failed++;
					close(s->fd);
					s->host = -1;
				}
			}
			pfd[i] =
			    (struct pollfd){.fd = s->host == -1 ? -1 : s->fd, .events = POLLIN};
		}
		if (poll(pfd, WINDOW, 100) < 0)
			return 2;
		for (int i = 0; i < WINDOW; i++) {
			uint8_t r[512];
			if (pfd[i].fd == -1 || !(pfd[i].revents & POLLIN))
				continue;
			ssize_t n = recv(slots[i].fd, r, sizeof r, 0);
			if (n >= 12 && ((r[0] << 8) | r[1]) == (slots[i].host & 0xffff)) {
				answered++;
				close(slots[i].fd);
				slots[i].host = -1;
			}
		}
	}
	printf("answered %d of %d\n", answered, count);
	return answered == count ? 0 : 1;
}
