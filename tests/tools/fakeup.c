/* fakeup: a hostile fake upstream for the fault tests. It answers A queries
 * on a loopback UDP port and misbehaves according to the first label of the
 * question, so one instance serves a whole scenario; it logs every query it
 * receives ("port id name") for the randomness checks.
 *
 *   fakeup -p PORT [-a ADDR] [-b OTHER_ADDR] [-l LOG] [-d DELAY_MS] [-n FORGERIES]
 *
 * First label of the question name -> what is sent back:
 *   good       the genuine answer (A 192.0.2.1)
 *   silent     nothing
 *   slow       the forged answer (A 6.6.6.6), DELAY_MS (5000) late
 *   garbage    random bytes
 *   truncated  the forged answer cut in the middle of its answer record
 *   wrongid    the forged answer with another ID
 *   wrongq     a forged answer for another name
 *   otherport  the forged answer from another source port
 *   otheraddr  the forged answer from OTHER_ADDR (127.0.0.2), same port
 *   spoof      FORGERIES (500) forged answers with every other ID guessed
 *   tsig       the forged answer with 8 empty TSIG records appended (ldns
 *              1.8.3 leaks all but one of them when it parses such a packet)
 *   refused    REFUSED with the query's ID and no question (how many servers
 *              refuse a class or type they do not serve)
 * When a later label is "then-good", the genuine answer follows the bad ones
 * (after "spoof", 100 ms later, as a real answer trails a burst of forgeries
 * and so that the burst does not simply overflow dnsd's socket buffer).
 * Only A queries get an address; other types (and the root, which wait_dns
 * asks) get an empty NOERROR. Every record has TTL 300. Written against
 * ldns; loopback only. */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FAKEUP_GOOD "192.0.2.1"
#define FAKEUP_FORGED "6.6.6.6"
#define FAKEUP_LATE_MAX 256

struct fakeup {
	int fd;            /* the upstream socket */
	int other_port_fd; /* same address, another port */
	int other_addr_fd; /* other address, same port */
	FILE *log;
	int delay_ms;
	int forgeries;
};

/* Answers held back by "slow". */
struct fakeup_late {
	uint64_t due_ms;
	struct sockaddr_in to;
	size_t len;
	uint8_t *wire; /* owned */
};

static struct fakeup_late late[FAKEUP_LATE_MAX];

static uint64_t
fakeup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
fakeup_socket(const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The answer to q for name (type qtype) with address ip; caller frees the
 * wire. */
static uint8_t *
fakeup_answer(const ldns_pkt *q, const ldns_rdf *name, ldns_rr_type qtype, const char *ip,
              size_t *len)
{
	ldns_pkt *a = ldns_pkt_new();
	ldns_rr *rr = ldns_rr_new(), *question = ldns_rr_new();
	uint8_t *wire = NULL;

	ldns_rr_set_type(rr, LDNS_RR_TYPE_A);
	ldns_rr_set_type(question, qtype);
	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_rd(a, ldns_pkt_rd(q));
	ldns_pkt_set_ra(a, true);
	ldns_rr_set_question(question, true);
	ldns_rr_set_owner(question, ldns_rdf_clone(name));
	ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, question);
	ldns_rr_set_owner(rr, ldns_rdf_clone(name));
	ldns_rr_set_ttl(rr, 300);
	ldns_rr_push_rdf(rr, ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, ip));
	if (qtype == LDNS_RR_TYPE_A)
		ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
	else
		ldns_rr_free(rr);
	if (ldns_pkt2wire(&wire, a, len) != LDNS_STATUS_OK)
		wire = NULL;
	ldns_pkt_free(a);
	return wire;
}

static void
fakeup_send(int fd, const struct sockaddr_in *to, const uint8_t *wire, size_t len)
{
	if (wire != NULL && sendto(fd, wire, len, 0, (const struct sockaddr *)to, sizeof *to) < 0)
		fprintf(stderr, "fakeup: sendto: %s\n", strerror(errno));
}

/* Send wire (ours to free) delay_ms from now. */
static void
fakeup_hold(int delay_ms, const struct sockaddr_in *to, uint8_t *wire, size_t len)
{
	int i;

	for (i = 0; i < FAKEUP_LATE_MAX; i++) {
		if (late[i].wire == NULL) {
			late[i] = (struct fakeup_late){fakeup_now_ms() + (uint64_t)delay_ms, *to,
			                               len, wire};
			return;
		}
	}
	free(wire);
}

static void
fakeup_send_due(const struct fakeup *f)
{
	uint64_t now = fakeup_now_ms();
	int i;

	for (i = 0; i < FAKEUP_LATE_MAX; i++) {
		if (late[i].wire != NULL && late[i].due_ms <= now) {
			fakeup_send(f->fd, &late[i].to, late[i].wire, late[i].len);
			free(late[i].wire);
			late[i].wire = NULL;
		}
	}
}

/* wire plus 8 TSIG records (root owner, class ANY, empty RDATA). */
static void
fakeup_send_tsig(const struct fakeup *f, const struct sockaddr_in *to, const uint8_t *wire,
                 size_t len)
{
	static const uint8_t tsig[11] = {0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0};
	uint8_t buf[4096];
	int i;

	if (len + 8 * sizeof tsig > sizeof buf)
		return;
	memcpy(buf, wire, len);
	for (i = 0; i < 8; i++)
		memcpy(buf + len + i * sizeof tsig, tsig, sizeof tsig);
	buf[11] = (uint8_t)(buf[11] + 8); /* ARCOUNT (low byte; ours are 0) */
	fakeup_send(f->fd, to, buf, len + 8 * sizeof tsig);
}

/* The misbehaviour for one query; the forged wire is ours to free. */
static void
fakeup_misbehave(const struct fakeup *f, const char *mode, const ldns_pkt *q,
                 const struct sockaddr_in *to, uint8_t *forged, size_t len)
{
	uint8_t junk[512];
	int i;

	if (strcmp(mode, "slow") == 0) {
		fakeup_hold(f->delay_ms, to, forged, len);
		return;
	}
	if (strcmp(mode, "garbage") == 0) {
		if (getrandom(junk, sizeof junk, 0) == (ssize_t)sizeof junk)
			fakeup_send(f->fd, to, junk, 12 + junk[0]);
	} else if (strcmp(mode, "truncated") == 0) {
		/* the header, the question and half of the answer record */
		fakeup_send(f->fd, to, forged, len - 8);
	} else if (strcmp(mode, "wrongid") == 0) {
		forged[0] ^= 0x5a;
		fakeup_send(f->fd, to, forged, len);
	} else if (strcmp(mode, "otherport") == 0) {
		fakeup_send(f->other_port_fd, to, forged, len);
	} else if (strcmp(mode, "otheraddr") == 0) {
		fakeup_send(f->other_addr_fd, to, forged, len);
	} else if (strcmp(mode, "refused") == 0) {
		forged[2] = (uint8_t)(forged[2] | 0x80); /* QR */
		forged[3] = (uint8_t)((forged[3] & 0xf0) | LDNS_RCODE_REFUSED);
		memset(forged + 4, 0, 8); /* no records of any section */
		fakeup_send(f->fd, to, forged, 12);
	} else if (strcmp(mode, "tsig") == 0) {
		fakeup_send_tsig(f, to, forged, len);
	} else if (strcmp(mode, "spoof") == 0) {
		for (i = 0; i < f->forgeries; i++) {
			uint16_t id = (uint16_t)(ldns_pkt_id(q) + 1 + i * (65535 / f->forgeries));

			forged[0] = (uint8_t)(id >> 8);
			forged[1] = (uint8_t)id;
			fakeup_send(f->fd, to, forged, len);
		}
	}
	free(forged);
}

static void
fakeup_serve(struct fakeup *f)
{
	uint8_t buf[4096], *good, *forged;
	struct sockaddr_in from;
	socklen_t fromlen = sizeof from;
	ldns_pkt *q = NULL;
	ldns_rr *question;
	ldns_rdf *label, *other;
	char *mode, *owner;
	size_t glen, flen;
	ssize_t n;

	if ((n = recvfrom(f->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen)) < 0)
		return;
	if (ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	if ((question = ldns_rr_list_rr(ldns_pkt_question(q), 0)) == NULL) {
		ldns_pkt_free(q);
		return;
	}
	owner = ldns_rdf2str(ldns_rr_owner(question));
	fprintf(f->log, "%u %u %s\n", ntohs(from.sin_port), ldns_pkt_id(q), owner);
	fflush(f->log);
	label = ldns_dname_label(ldns_rr_owner(question), 0);
	mode = label ? ldns_rdf2str(label) : NULL;
	if (mode != NULL && strlen(mode) > 0)
		mode[strlen(mode) - 1] = '\0'; /* the trailing dot */
	if (ldns_rr_get_type(question) != LDNS_RR_TYPE_A) {
		free(mode);
		mode = strdup("good");
	}
	if (mode == NULL || strcmp(mode, "silent") == 0)
		goto out;
	good = fakeup_answer(q, ldns_rr_owner(question), ldns_rr_get_type(question), FAKEUP_GOOD,
	                     &glen);
	if (strcmp(mode, "good") != 0) {
		other = ldns_dname_new_frm_str("evil.example.");
		forged =
		    fakeup_answer(q, strcmp(mode, "wrongq") == 0 ? other : ldns_rr_owner(question),
		                  LDNS_RR_TYPE_A, FAKEUP_FORGED, &flen);
		ldns_rdf_deep_free(other);
		if (strcmp(mode, "wrongq") == 0) {
			fakeup_send(f->fd, &from, forged, flen);
			free(forged);
		} else if (forged != NULL) {
			fakeup_misbehave(f, mode, q, &from, forged, flen);
		}
	}
	if (strcmp(mode, "good") != 0 && strstr(owner, ".then-good.") == NULL)
		free(good);
	else if (strcmp(mode, "spoof") == 0)
		fakeup_hold(100, &from, good, glen);
	else {
		fakeup_send(f->fd, &from, good, glen);
		free(good);
	}
out:
	free(mode);
	free(owner);
	ldns_rdf_deep_free(label);
	ldns_pkt_free(q);
}

int
main(int argc, char **argv)
{
	struct fakeup f = {.log = stdout, .delay_ms = 5000, .forgeries = 500};
	const char *addr = "127.0.0.1", *other_addr = "127.0.0.2";
	struct pollfd pfd;
	int c, port = 0;

	while ((c = getopt(argc, argv, "a:b:d:l:n:p:")) != -1) {
		switch (c) {
		case 'a':
			addr = optarg;
			break;
		case 'b':
			other_addr = optarg;
			break;
		case 'd':
			f.delay_ms = atoi(optarg);
			break;
		case 'l':
			if ((f.log = fopen(optarg, "a")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'n':
			f.forgeries = atoi(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: fakeup -p PORT [-a ADDR] [-b OTHER_ADDR] [-l LOG] "
			                "[-d DELAY_MS] [-n FORGERIES]\n");
			return 2;
		}
	}
	if (f.forgeries < 1 || f.forgeries > 65535)
		f.forgeries = 500;
	if ((f.fd = fakeup_socket(addr, port)) < 0 ||
	    (f.other_port_fd = fakeup_socket(addr, 0)) < 0 ||
	    (f.other_addr_fd = fakeup_socket(other_addr, port)) < 0) {
		fprintf(stderr, "fakeup: cannot bind %s/%s port %d: %s\n", addr, other_addr, port,
		        strerror(errno));
		return 1;
	}
	pfd = (struct pollfd){.fd = f.fd, .events = POLLIN};
	for (;;) {
		if (poll(&pfd, 1, 20) > 0)
			fakeup_serve(&f);
		fakeup_send_due(&f);
	}
}
