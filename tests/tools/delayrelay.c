/* delayrelay: a slow upstream for the forwarding tests. It relays each UDP
 * query on a loopback port to a real server (nsd) at once, and holds that
 * server's answer until DELAY_MS after the query came: a busy ISP resolver,
 * an LTE or satellite link, without netem (not every kernel has it).
 *
 *   delayrelay -p PORT -u SERVER_PORT -d DELAY_MS
 *
 * Each query gets its own socket to the server, so answers go back to the
 * client that asked. At most DELAYRELAY_MAX queries are held at once; more
 * are dropped. Loopback only. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DELAYRELAY_MAX 256
#define DELAYRELAY_KEEP_MS 10000 /* a server answer later than this is dropped */

struct held {
	int fd; /* connected to the server; -1: free slot */
	struct sockaddr_in client;
	long long asked_ms;
	size_t len; /* the server's answer; 0: none yet */
	unsigned char answer[4096];
};

static struct held held[DELAYRELAY_MAX];

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
loopback_socket(int port, int connect_to)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((unsigned short)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if ((connect_to ? connect(fd, (struct sockaddr *)&sa, sizeof sa)
	                : bind(fd, (struct sockaddr *)&sa, sizeof sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A query from a client: to the server on a socket of its own. */
static void
relay_query(int lfd, int server_port)
{
	unsigned char buf[4096];
	struct sockaddr_in from;
	socklen_t fromlen = sizeof from;
	ssize_t n = recvfrom(lfd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
	if (n <= 0)
		return;
	for (int i = 0; i < DELAYRELAY_MAX; i++) {
		if (held[i].fd >= 0)
			continue;
		if ((held[i].fd = loopback_socket(server_port, 1)) < 0)
			return;
		held[i].client = from;
		held[i].asked_ms = now_ms();
		held[i].len = 0;
		if (send(held[i].fd, buf, (size_t)n, 0) < 0) {
			close(held[i].fd);
			held[i].fd = -1;
		}
		return;
	}
}

int
main(int argc, char **argv)
{
	int c, port = 0, server_port = 0, delay_ms = 1000;
	while ((c = getopt(argc, argv, "p:u:d:")) != -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'u':
			server_port = atoi(optarg);
			break;
		case 'd':
			delay_ms = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: delayrelay -p PORT -u SERVER_PORT -d DELAY_MS\n");
			return 2;
		}
	}
	int lfd = loopback_socket(port, 0);
	if (lfd < 0 || server_port <= 0) {
		perror("delayrelay");
		return 1;
	}
	for (int i = 0; i < DELAYRELAY_MAX; i++)
		held[i].fd = -1;
	for (;;) {
		struct pollfd pfd[DELAYRELAY_MAX + 1] = {{.fd = lfd, .events = POLLIN}};
		int slot[DELAYRELAY_MAX + 1], n = 1;
		long long now = now_ms(), wait = 1000;
		for (int i = 0; i < DELAYRELAY_MAX; i++) {
			if (held[i].fd < 0)
				continue;
			long long due =
			    held[i].asked_ms + (held[i].len ? delay_ms : DELAYRELAY_KEEP_MS);
			if (due <= now) {
				if (held[i].len)
					sendto(lfd, held[i].answer, held[i].len, 0,
					       (struct sockaddr *)&held[i].client,
					       sizeof held[i].client);
				close(held[i].fd);
				held[i].fd = -1;
				continue;
			}
			if (due - now < wait)
				wait = due - now;
			if (held[i].len == 0) {
				pfd[n] = (struct pollfd){.fd = held[i].fd, .events = POLLIN};
				slot[n++] = i;
			}
		}
		if (poll(pfd, (nfds_t)n, (int)wait) <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			relay_query(lfd, server_port);
		for (int k = 1; k < n; k++) {
			if (!(pfd[k].revents & POLLIN))
				continue;
			struct held *h = &held[slot[k]];
			ssize_t r = recv(h->fd, h->answer, sizeof h->answer, 0);
			h->len = r > 0 ? (size_t)r : 0;
		}
	}
}
