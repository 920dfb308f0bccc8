/* Inside the dnsd.conf reader: what config.c and config_subsys.c share.
 * Not for other files (it brings libconfig in). */
#ifndef DNSD_CONFIG_IMPL_H
#define DNSD_CONFIG_IMPL_H

#include "config.h"
#include "confread.h"

/* One load: the config being filled and where its errors go. */
struct config_ctx {
	struct config *c;
	struct conf_errors *e;
};

#define CONFIG_UINT(x, g, name, min, max, field)                                                   \
	do {                                                                                       \
		long long v_ = (long long)(field);                                                 \
		confread_int((x)->e, g, name, min, max, &v_);                                      \
		(field) = v_;                                                                      \
	} while (0)

/* The groups other subsystems own (config_subsys.c), each g as found in
 * the file (NULL: absent; not a group: config.c reports it). */
void config_hosts(struct config_ctx *x, const config_setting_t *g);
void config_log(struct config_ctx *x, const config_setting_t *g);
void config_ratelimit(struct config_ctx *x, const config_setting_t *g);
/* c->hosts and c->log with their owners' defaults, and freeing them
 * (config_subsys_free also of a config that has none). -1 when out of
 * memory. */
int config_subsys_new(struct config *c);
void config_subsys_free(struct config *c);
/* Where the settings checked after loading were read (see struct config). */
void config_where(struct config_ctx *x, const config_setting_t *root);

#endif
