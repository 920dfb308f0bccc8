/* DNS messages on the hot path: parsing a client query into a struct
 * msg_query (no allocation, every length checked), the cache key, and the
 * few header and EDNS writes shared by the cache and synthesised answers. */
#ifndef DNSD_MSG_H
#define DNSD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/packet.h>
#include <ldns/util.h>

#define MSG_HDR_LEN 12
#define MSG_NAME_MAX 255
#define MSG_KEY_MAX (MSG_NAME_MAX + 5)
#define MSG_OPT_LEN 11        /* an OPT RR without options */
#define MSG_EDNS_PAYLOAD 1232 /* what we advertise and ask upstream for */
#define MSG_UDP_MIN 512

/* Header flag bits, in the 16-bit flags word (bytes 2-3). */
#define MSG_F_QR 0x8000
#define MSG_F_TC 0x0200
#define MSG_F_RD 0x0100
#define MSG_F_RA 0x0080
#define MSG_F_AD 0x0020
#define MSG_F_CD 0x0010
#define MSG_OPCODE(f) (((f) >> 11) & 0xf)
#define MSG_RCODE(f) ((f)&0xf)

#define MSG_KEY_DO 0x01
#define MSG_KEY_CD 0x02

enum msg_status {
	MSG_OK = 0,
	MSG_DROP, /* not a query we can answer at all: send nothing */
	MSG_FORMERR,
	MSG_NOTIMP,
	MSG_BADVERS,
};

/* EDNS options that identify the client behind a forwarder, kept by the
 * one parse of the query for clientid: ECS (8) and dnsmasq's MAC options
 * (65001, 65073). Longer payloads are malformed for all three (ECS: 4 + 16
 * bytes, text MAC: 17) and are not kept; nor are options past the
 * MSG_CLIENT_OPTS-th, nor any when the OPT's options do not tile its RDATA
 * (as ldns would not read them). */
#define MSG_OPT_ECS 8
#define MSG_OPT_MAC 65001
#define MSG_OPT_DEVICEID 65073
#define MSG_CLIENT_OPTS 4
#define MSG_CLIENT_OPT_MAX 20
struct msg_opt {
	uint16_t code;
	uint8_t len;
	uint8_t data[MSG_CLIENT_OPT_MAX];
};

/* A parsed client query. Self-contained (the name is copied), so it may
 * outlive the packet. */
struct msg_query {
	uint16_t id;
	uint16_t flags;
	bool has_question;           /* qname/qtype/qclass valid */
	uint8_t qname[MSG_NAME_MAX]; /* wire format, the client's case */
	uint8_t qname_len;
	uint16_t qtype, qclass;
	bool edns;
	bool do_bit;
	uint8_t edns_version;
	uint16_t udp_size; /* the client's advertised payload size */
	uint8_t nopts;     /* client options kept, in the order sent */
	struct msg_opt opts[MSG_CLIENT_OPTS];
	uint8_t key[MSG_KEY_MAX]; /* lower-cased name, type, class, DO/CD */
	uint16_t key_len;
};

/* Parse and validate. On MSG_FORMERR/NOTIMP/BADVERS q holds what could be
 * read (id, flags, maybe the question) for the error answer. */
enum msg_status msg_parse_query(struct msg_query *q, const uint8_t *pkt, size_t len);

/* Parse untrusted wire (upstream answers, queries from trusted forwarders)
 * with ldns_wire2pkt, after checking its framing: every record the header
 * counts is there, ldns reads each as ending where its RDLENGTH says, and
 * none is a TSIG. dnsd never signs its queries, and ldns 1.8.3 leaks all but
 * the last of several TSIG records in ldns_wire2pkt (leftover RDATA bytes it
 * would read as such records included). 0 with *p set (caller frees with
 * ldns_pkt_free), or -1 with *p NULL. */
int msg_wire2pkt(ldns_pkt **p, const uint8_t *pkt, size_t len);

/* ldns_pkt2wire without its 64 KB work buffer per call: ldns encodes p into
 * one buffer kept for the life of the process (musl's allocator maps and
 * unmaps a block that size each time, four system calls and 32 page faults
 * per cache miss), and *wire gets a copy of exactly *len bytes (caller
 * frees). */
ldns_status msg_pkt2wire(uint8_t **wire, const ldns_pkt *p, size_t *len);

/* The largest answer this client accepts over UDP. */
size_t msg_udp_limit(const struct msg_query *q);

/* Header, then the question of q. Returns the length written (0 when cap is
 * too small). counts: QD = has_question, others 0. */
size_t msg_write_header_question(const struct msg_query *q, uint16_t flags, uint8_t *out,
                                 size_t cap);
/* Append an OPT RR (our payload size, DO as given, extended rcode bits) at
 * out[len] and bump ARCOUNT. Returns the new length, or 0 when it does not
 * fit. */
size_t msg_append_opt(uint8_t *out, size_t len, size_t cap, bool do_bit, uint8_t ext_rcode);

/* The answer flags for a query: QR, opcode and RD copied; for opcode QUERY
 * also RA set and CD copied. */
uint16_t msg_answer_flags(const struct msg_query *q, int rcode);

/* Wire-format name helpers for names without compression. */
size_t msg_name_len(const uint8_t *name, size_t max); /* 0 when malformed */
void msg_name_lower(uint8_t *dst, const uint8_t *src, size_t len);

#endif
