/* Who really asked: EDNS client options from trusted forwarders (see
 * clientid.h). msg_parse_query keeps the three options we read; their
 * payloads are checked here byte by byte. */
#include "clientid.h"

#include <string.h>

bool
clientid_trusted(const struct clientid_opts *o, const struct netaddr *src)
{
	for (int i = 0; i < o->nforwarders; i++)
		if (cidr_contains(&o->forwarders[i], src))
			return true;
	return false;
}

static int
parse_ecs(const uint8_t *d, size_t len, struct client *ci)
{
	if (len < 4)
		return -1;
	int family = d[0] << 8 | d[1], prefix = d[2];
	size_t alen = len - 4, full = family == 1 ? 4 : family == 2 ? 16 : 0;
	if (full == 0 || prefix > (int)full * 8 || alen != (size_t)(prefix + 7) / 8)
		return -1;
	if (prefix != (int)full * 8)
		return 0;
	memset(&ci->addr, 0, sizeof ci->addr);
	ci->addr.family = family == 1 ? AF_INET : AF_INET6;
	memcpy(ci->addr.addr, d + 4, full);
	if (ci->addr.family == AF_INET6) {
		/* a mapped address from a dual-stack forwarder: normalise as netaddr does */
		char buf[NETADDR_STRLEN];
		netaddr_parse(&ci->addr, netaddr_str(&ci->addr, buf));
	}
	return 1;
}

static int
b64val(uint8_t c)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? memchr(alphabet, c, 64) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

/* dnsmasq encodes the 6 bytes as 8 base64 characters, no padding. */
static int
parse_b64_mac(const uint8_t *d, uint8_t mac[6])
{
	for (int g = 0; g < 2; g++) {
		int v[4];
		for (int i = 0; i < 4; i++)
			if ((v[i] = b64val(d[g * 4 + i])) < 0)
				return -1;
		mac[g * 3] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		mac[g * 3 + 1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		mac[g * 3 + 2] = (uint8_t)(v[2] << 6 | v[3]);
	}
	return 0;
}

static int
parse_device_id(const uint8_t *d, size_t len, uint8_t mac[6])
{
	char text[MAC_STRLEN];
	if (len == 8)
		return parse_b64_mac(d, mac);
	if (len != MAC_STRLEN - 1 || memchr(d, '\0', len))
		return -1;
	memcpy(text, d, len);
	text[len] = '\0';
	return mac_parse(mac, text);
}

int
clientid_parse_option(uint16_t code, const uint8_t *data, size_t len, struct client *ci)
{
	uint8_t mac[6];
	switch (code) {
	case CLIENTID_OPT_ECS:
		return parse_ecs(data, len, ci);
	case CLIENTID_OPT_MAC:
		if (len != 6)
			return -1;
		memcpy(mac, data, 6);
		break;
	case CLIENTID_OPT_DEVICEID:
		if (parse_device_id(data, len, mac) == -1)
			return -1;
		break;
	default:
		return 0;
	}
	memcpy(ci->mac, mac, 6);
	ci->has_mac = true;
	return 1;
}

void
clientid_identify(const struct clientid_opts *o, const struct netaddr *src,
                  const struct msg_query *q, struct client *c)
{
	memset(c, 0, sizeof *c);
	c->addr = *src;
	if (!q || !q->nopts || !clientid_trusted(o, src))
		return;
	for (unsigned i = 0; i < q->nopts; i++)
		if (clientid_parse_option(q->opts[i].code, q->opts[i].data, q->opts[i].len, c) == 1)
			c->via = *src;
}
