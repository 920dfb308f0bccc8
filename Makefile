# dnsd: a caching DNS forwarder with a date-based policy engine.
# Plain make + pkg-config; honours CC, CFLAGS, LDFLAGS, PKG_CONFIG, DESTDIR,
# PREFIX so it cross-compiles.  Objects go to $(BUILD) so that several
# variants (normal, sanitizers, cross) can coexist.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= $(PREFIX)/etc
MANDIR     ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
BUILD      ?= build
SAN        ?=

# The one place the version is defined: dnsd -V, dnsdctl --version and the
# OpenWrt package's PKG_VERSION read it from here.
VERSION    ?= 0.1.0

# The build date is the clock-sanity floor of the policy engine: a router
# whose clock says it is earlier than this has not synced NTP yet.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)

PKGS      = ldns libevent libconfig
# Recursive (=) so that pkg-config runs after `make deps` installed them.
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
DEP_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))

ifeq ($(SAN),1)
CFLAGS += -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

ALL_CFLAGS = -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Idnsd -Ipolicy $(DEP_CFLAGS) \
	$(CPPFLAGS) $(CFLAGS) -MMD -MP

MAINS       = dnsd/main.c dnsd/dnsdctl.c policy/dnsd-policy.c
POLICY_SRC  = $(filter-out $(MAINS),$(wildcard policy/*.c))
DNSD_SRC    = $(filter-out $(MAINS),$(wildcard dnsd/*.c))
UNIT_SRC    = $(wildcard tests/unit/test_*.c)

POLICY_OBJ  = $(POLICY_SRC:%.c=$(BUILD)/obj/%.o)
DNSD_OBJ    = $(DNSD_SRC:%.c=$(BUILD)/obj/%.o)
LIBPOLICY   = $(BUILD)/libdnsdpolicy.a
LIBDNSD     = $(BUILD)/libdnsd.a
PROGS       = $(BUILD)/dnsd $(BUILD)/dnsdctl $(BUILD)/dnsd-policy
UNIT_BINS   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all tests run test check test-openwrt test-unit deps bench fuzz cross install clean

all: $(PROGS)

# Objects live under obj/ so that $(BUILD)/dnsd (the program) is not a directory.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Only policy.c reads the build date; a stamp file whose content changes with
# it makes that one object rebuild when the date moves.
EPOCH_STAMP = $(BUILD)/build-epoch
$(EPOCH_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo $(SOURCE_DATE_EPOCH) | cmp -s - $@ || echo $(SOURCE_DATE_EPOCH) > $@
$(BUILD)/obj/policy/policy.o: $(EPOCH_STAMP)
$(BUILD)/obj/policy/policy.o: ALL_CFLAGS += -DDNSD_BUILD_EPOCH=$(SOURCE_DATE_EPOCH)LL
FORCE:

# Only the two programs' mains print the version; its stamp rebuilds them
# when it changes.
VERSION_STAMP = $(BUILD)/version
$(VERSION_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo $(VERSION) | cmp -s - $@ || echo $(VERSION) > $@
$(BUILD)/obj/dnsd/main.o $(BUILD)/obj/dnsd/dnsdctl.o: $(VERSION_STAMP)
$(BUILD)/obj/dnsd/main.o $(BUILD)/obj/dnsd/dnsdctl.o: ALL_CFLAGS += -DDNSD_VERSION='"$(VERSION)"'

$(LIBPOLICY): $(POLICY_OBJ)
	$(AR) rcs $@ $^
$(LIBDNSD): $(DNSD_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/dnsd: $(BUILD)/obj/dnsd/main.o $(LIBDNSD) $(LIBPOLICY)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)
$(BUILD)/dnsdctl: $(BUILD)/obj/dnsd/dnsdctl.o $(LIBDNSD) $(LIBPOLICY)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)
$(BUILD)/dnsd-policy: $(BUILD)/obj/policy/dnsd-policy.o $(LIBPOLICY)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBDNSD) $(LIBPOLICY)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS) $(shell $(PKG_CONFIG) --libs cmocka) $(LDLIBS)

tests: $(PROGS) $(UNIT_BINS)

# Installs the Debian packages a target needs (only when missing, only as
# root on a Debian-like system; elsewhere it just says what is missing).
deps:
	@tests/deps.sh build

# Start dnsd in the foreground on 127.0.0.1#5353 with the shipped config.
run:
	@tests/deps.sh build
	@$(MAKE) --no-print-directory all
	$(BUILD)/dnsd -d -c dnsd/dnsd.conf

# Every test: unit and integration, normal build and ASan+UBSan build.
test check:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 tests
	@tests/run $(BUILD) build-asan

# The OpenWrt tier alone (tests/openwrt/run.sh, also part of `make test`):
# on its stand-ins, or with OPENWRT_ROOT=DIR on a real OpenWrt userland
# (docs/openwrt.md says what DIR holds).
test-openwrt:
	@tests/deps.sh test
	@$(MAKE) --no-print-directory all
	@DNSD_BUILD=$(CURDIR)/$(BUILD) bash tests/openwrt/run.sh $(OPENWRT_ROOT)

# Quick loop for developers: one build, no sanitizers.
test-unit:
	@$(MAKE) --no-print-directory tests
	@tests/run $(BUILD)

bench:
	@tests/deps.sh bench
	@$(MAKE) --no-print-directory BUILD=build-bench CFLAGS="-O2 -DNDEBUG" all
	@appliance/cross/build.sh musl >/dev/null 2>&1 || \
		{ rm -f build-cross-musl/dnsd; echo "bench: make cross ARCH=musl failed; dnsd-musl is left out" >&2; }
	@tests/bench/run.sh build-bench

fuzz:
	@tests/deps.sh fuzz
	@tests/fuzz/run.sh

cross:
	@appliance/cross/build.sh $(ARCH)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/dnsd \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(BUILD)/dnsd $(DESTDIR)$(SBINDIR)/dnsd
	install -m 0755 $(BUILD)/dnsdctl $(DESTDIR)$(SBINDIR)/dnsdctl
	install -m 0755 $(BUILD)/dnsd-policy $(DESTDIR)$(BINDIR)/dnsd-policy
	sed 's|"../policy/kaspersky.conf"|"kaspersky.conf"|' dnsd/dnsd.conf > $(BUILD)/dnsd.conf.installed
	install -m 0644 $(BUILD)/dnsd.conf.installed $(DESTDIR)$(SYSCONFDIR)/dnsd/dnsd.conf
	install -m 0644 policy/kaspersky.conf $(DESTDIR)$(SYSCONFDIR)/dnsd/kaspersky.conf
	install -m 0644 docs/dnsd.8 $(DESTDIR)$(MANDIR)/man8/dnsd.8
	install -m 0644 docs/dnsdctl.8 $(DESTDIR)$(MANDIR)/man8/dnsdctl.8
	install -m 0644 docs/dnsd.conf.5 $(DESTDIR)$(MANDIR)/man5/dnsd.conf.5

clean:
	rm -rf build build-* 

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
