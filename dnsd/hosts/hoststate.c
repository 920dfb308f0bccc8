/* The host table's state file (see hosts_save and hosts_load in hosts.h):
 * written with libconfig to a temporary file, synced and renamed over the
 * old one; read back host by host, a corrupt file moved aside. */
#include "hosts_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"

#define HOSTS_STATE_VERSION 1

static void
set_int64(config_setting_t *parent, const char *name, long long v)
{
	config_setting_set_int64(config_setting_add(parent, name, CONFIG_TYPE_INT64), v);
}

static void
set_str(config_setting_t *parent, const char *name, const char *v)
{
	config_setting_set_string(config_setting_add(parent, name, CONFIG_TYPE_STRING), v);
}

static void
save_host(const struct hosts *h, const struct host *e, config_setting_t *g)
{
	char buf[NETADDR_STRLEN];
	set_str(g, "addr", netaddr_str(&e->addr, buf));
	if (e->has_mac)
		set_str(g, "mac", mac_str(e->mac, buf));
	set_str(g, "hostname", e->hostname);
	set_int64(g, "first", e->first);
	set_int64(g, "last", e->last);
	set_int64(g, "total", (long long)e->total);
	set_str(g, "action", policy_action_name((enum policy_action)e->last_action));
	config_setting_t *a = config_setting_add(g, "counts", CONFIG_TYPE_ARRAY);
	for (int i = 0; i < h->ncats; i++)
		config_setting_set_int64_elem(a, -1, host_cat_count(e, i));
	a = config_setting_add(g, "names", CONFIG_TYPE_ARRAY);
	for (int i = 0; i < e->nnames; i++)
		config_setting_set_string_elem(a, -1, e->names[i]);
	a = config_setting_add(g, "recent", CONFIG_TYPE_LIST);
	for (int i = e->ring_n - 1; i >= 0; i--) { /* oldest first, as replayed */
		const struct host_attempt *r = host_recent(h, e, i);
		config_setting_t *l = config_setting_add(a, NULL, CONFIG_TYPE_LIST);
		config_setting_set_int64(config_setting_add(l, NULL, CONFIG_TYPE_INT64), r->time);
		config_setting_set_string(config_setting_add(l, NULL, CONFIG_TYPE_STRING),
		                          r->name ? r->name : "");
		config_setting_set_int(config_setting_add(l, NULL, CONFIG_TYPE_INT), r->qtype);
		config_setting_set_int(config_setting_add(l, NULL, CONFIG_TYPE_INT), r->cat);
		config_setting_set_string(config_setting_add(l, NULL, CONFIG_TYPE_STRING),
		                          policy_action_name(r->action));
	}
	a = config_setting_add(g, "days", CONFIG_TYPE_LIST);
	for (int i = 0; i < e->ndays; i++) {
		config_setting_t *l = config_setting_add(a, NULL, CONFIG_TYPE_ARRAY);
		config_setting_set_int64_elem(l, -1, e->days[i].day);
		config_setting_set_int64_elem(l, -1, e->days[i].count);
	}
}

static int
write_state(const struct hosts *h, config_t *cfg, const char *tmp)
{
	config_setting_t *root = config_root_setting(cfg);
	set_int64(root, "version", HOSTS_STATE_VERSION);
	config_setting_t *a = config_setting_add(root, "categories", CONFIG_TYPE_ARRAY);
	for (int i = 0; i < h->ncats; i++)
		config_setting_set_string_elem(a, -1, h->cats[i]);
	config_setting_t *l = config_setting_add(root, "hosts", CONFIG_TYPE_LIST);
	const struct host *e;
	TAILQ_FOREACH(e, &h->lru, lru)
	save_host(h, e, config_setting_add(l, NULL, CONFIG_TYPE_GROUP));
	/* never through a symlink planted in a shared directory such as /tmp */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	FILE *f = fd == -1 ? NULL : fdopen(fd, "w");
	if (!f) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	config_write(cfg, f);
	int rc = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0 ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

int
hosts_save(struct hosts *h, time_t now)
{
	char tmp[PATH_MAX];
	if (!h->o.state_file || !h->dirty)
		return 0;
	snprintf(tmp, sizeof tmp, "%s.tmp", h->o.state_file);
	config_t cfg;
	config_init(&cfg);
	int rc = write_state(h, &cfg, tmp);
	config_destroy(&cfg);
	if (rc == 0 && rename(tmp, h->o.state_file) == 0) {
		if (h->save_failing)
			log_warnx("hosts: %s saved again", h->o.state_file);
		h->save_failing = false;
		h->dirty = false;
		h->st.saves++;
		h->st.last_save = now;
		return 0;
	}
	/* once when saving starts failing, once when it works again */
	if (!h->save_failing)
		log_warnx("hosts: cannot save %s: %s; the table is only in memory until it works",
		          h->o.state_file, strerror(errno));
	h->save_failing = true;
	h->st.save_errors++;
	unlink(tmp);
	return -1;
}

static bool
get_i64(const config_setting_t *g, const char *name, long long min, long long *v)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	if (!s || (config_setting_type(s) != CONFIG_TYPE_INT64 &&
	           config_setting_type(s) != CONFIG_TYPE_INT))
		return false;
	*v = config_setting_get_int64(s);
	return *v >= min;
}

static bool
action_parse(const char *s, uint8_t *out)
{
	for (int a = POLICY_NONE; s && a <= POLICY_SINKHOLE; a++)
		if (strcmp(policy_action_name((enum policy_action)a), s) == 0) {
			*out = (uint8_t)a;
			return true;
		}
	return false;
}

static bool
load_recent(struct hosts *h, struct host *e, const config_setting_t *l, const int *catmap)
{
	for (int i = 0; l && i < config_setting_length(l); i++) {
		const config_setting_t *r = config_setting_get_elem(l, (unsigned)i);
		const char *name = config_setting_get_string_elem(r, 1);
		uint8_t action;
		int cat = config_setting_get_int_elem(r, 3);
		if (config_setting_length(r) != 5 || !name || cat < 0 || cat >= HOSTS_MAX_CATS ||
		    catmap[cat] < 0 || !action_parse(config_setting_get_string_elem(r, 4), &action))
			return false;
		const char *shared = hosts_name_ref(h, name, hash_name(hash_seed(), name));
		if (!shared)
			return false;
		hosts_add_name(h, e, shared);
		hosts_add_recent(h, e, (time_t)config_setting_get_int64_elem(r, 0), shared,
		                 (uint16_t)config_setting_get_int_elem(r, 2), catmap[cat], action);
	}
	return true;
}

static bool
load_host(struct hosts *h, const config_setting_t *g, const int *catmap, int nfilecats)
{
	struct netaddr na;
	const char *addr = NULL, *mac = NULL, *hostname = NULL, *action = NULL;
	long long first, last, total;
	config_setting_lookup_string(g, "addr", &addr);
	config_setting_lookup_string(g, "hostname", &hostname);
	config_setting_lookup_string(g, "action", &action);
	if (!addr || netaddr_parse(&na, addr) == -1 || !hostname ||
	    !get_i64(g, "first", 0, &first) || !get_i64(g, "last", first, &last) ||
	    !get_i64(g, "total", 0, &total))
		return false;
	if (*hosts_host_slot(h, &na))
		return false; /* a duplicate cannot come from hosts_save */
	if (h->st.hosts >= h->o.max_hosts)
		return true; /* the cap shrank: keep the most recent ones */
	struct host *e = hosts_host_add(h, &na, last);
	if (!e)
		return false;
	e->first = first;
	e->last = last;
	e->total = (uint64_t)total;
	hosts_set_hostname(h, e, hostname);
	if (config_setting_lookup_string(g, "mac", &mac) == CONFIG_TRUE) {
		if (mac_parse(e->mac, mac) == -1)
			return false;
		e->has_mac = true;
	}
	uint8_t act;
	if (!action_parse(action, &act))
		return false;
	e->last_action = act;
	const config_setting_t *a = config_setting_get_member(g, "counts");
	if (!a || config_setting_length(a) > nfilecats)
		return false;
	for (int i = 0; i < config_setting_length(a); i++)
		if (config_setting_get_int64_elem(a, i) > 0)
			hosts_add_cat(h, e, catmap[i],
			              (uint32_t)config_setting_get_int64_elem(a, i));
	a = config_setting_get_member(g, "names");
	for (int i = 0; a && i < config_setting_length(a); i++) {
		const char *n = config_setting_get_string_elem(a, i);
		const char *shared = n ? hosts_name_ref(h, n, hash_name(hash_seed(), n)) : NULL;
		if (!shared)
			return false;
		hosts_add_name(h, e, shared);
		hosts_name_unref(h, shared);
	}
	if (!load_recent(h, e, config_setting_get_member(g, "recent"), catmap))
		return false;
	a = config_setting_get_member(g, "days");
	for (int i = 0; a && i < config_setting_length(a); i++) {
		const config_setting_t *d = config_setting_get_elem(a, (unsigned)i);
		if (config_setting_length(d) != 2)
			return false;
		int32_t day = (int32_t)config_setting_get_int64_elem(d, 0);
		if (day > hosts_day_of(last) - h->o.days)
			hosts_add_day(h, e, day, (uint32_t)config_setting_get_int64_elem(d, 1));
	}
	return true;
}

static bool
load_state(struct hosts *h, const config_t *cfg)
{
	long long version;
	int catmap[HOSTS_MAX_CATS];
	for (int i = 0; i < HOSTS_MAX_CATS; i++)
		catmap[i] = -1;
	const config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *cats = config_setting_get_member(root, "categories");
	const config_setting_t *list = config_setting_get_member(root, "hosts");
	if (!get_i64(root, "version", 0, &version) || version != HOSTS_STATE_VERSION || !cats ||
	    !list || !config_setting_is_list(list) || config_setting_length(cats) > HOSTS_MAX_CATS)
		return false;
	for (int i = 0; i < config_setting_length(cats); i++) {
		const char *c = config_setting_get_string_elem(cats, i);
		if (!c)
			return false;
		catmap[i] = hosts_category_index(h, c);
	}
	for (int i = 0; i < config_setting_length(list); i++)
		if (!load_host(h, config_setting_get_elem(list, (unsigned)i), catmap,
		               config_setting_length(cats)))
			return false;
	return true;
}

int
hosts_load(struct hosts *h)
{
	struct stat st;
	char aside[PATH_MAX];
	hosts_clear(h);
	if (!h->o.state_file || stat(h->o.state_file, &st) == -1)
		return 0;
	config_t cfg;
	config_init(&cfg);
	bool ok = config_read_file(&cfg, h->o.state_file) == CONFIG_TRUE && load_state(h, &cfg);
	if (!ok) {
		snprintf(aside, sizeof aside, "%s.corrupt", h->o.state_file);
		log_warnx("hosts: %s:%d: corrupt state file (%s), moved to %s; starting with an "
		          "empty table",
		          h->o.state_file, config_error_line(&cfg),
		          config_error_text(&cfg) ? config_error_text(&cfg) : "bad content", aside);
		if (rename(h->o.state_file, aside) == -1)
			log_warn("hosts: rename %s", aside);
		hosts_clear(h);
		h->st.loaded_corrupt = true;
	}
	config_destroy(&cfg);
	h->dirty = false;
	return ok ? 0 : -1;
}
