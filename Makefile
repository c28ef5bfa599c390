# mailscan - one plain Makefile (see README.md).
#
#   make            build build/mailscan
#   make test       install dependencies, build (plain + ASan/UBSan), start the lab,
#                   run unit and lab tests, stop the lab
#   make demo       install dependencies, build, start the lab, check the lab domains
#   make bench      figures: lab domains checked per second, peak RSS
#   make fuzz       every libFuzzer harness for FUZZ_SECONDS (default 600) each,
#                   corpus kept in tests/fuzz/corpus (needs clang)
#   make lab-up / lab-down / lint / asan / install / clean

PREFIX  ?= /usr/local
CC      ?= cc
PKGS     = openssl libcurl sqlite3 yaml-0.1 libevent libidn2 libpsl rtrlib
WARN     = -Wall -Wextra -Wformat=2 -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -pthread -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN)
# libunbound: built on OpenSSL in deps/unbound by `make deps` (tests/libunbound.sh),
# or else Debian's, whose crypto is nettle (DNSSEC validation about twice as slow)
UB_DIR  = deps/unbound
comma  := ,
UB_LIB  = $(wildcard $(UB_DIR)/lib/libunbound.a)
ifneq ($(UB_LIB),)
UB_CFLAGS = -I$(UB_DIR)/include
UB_LIBS   = $(UB_LIB)
# deps/unbound/VERSION: "VERSION PATCHHASH" when built with tests/libunbound.patch
UB_PATCHED := $(word 2,$(shell cat $(UB_DIR)/VERSION 2>/dev/null))
UB_CRYPTO = OpenSSL$(if $(UB_PATCHED),$(comma) with tests/libunbound.patch)
else
UB_CFLAGS = $(shell pkg-config --cflags libunbound 2>/dev/null)
UB_LIBS   = $(shell pkg-config --libs libunbound 2>/dev/null)
UB_CRYPTO = nettle
endif
# mimalloc (Debian's libmimalloc-dev) as the allocator of build/mailscan when it
# is there: linked first, its malloc serves every library in the process
# (OpenSSL, libunbound, SQLite). Measured on the scale lab: about 10 % less CPU
# than glibc's malloc (README). Not in the ASan build, whose own allocator checks.
MALLOC_SO   := $(shell $(CC) -print-file-name=libmimalloc.so)
MALLOC_LIBS := $(if $(filter /%,$(MALLOC_SO)),-lmimalloc)
PKG_CFLAGS := $(UB_CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(UB_LIBS) $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  += $(PKG_LIBS)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIB_SRCS  = $(wildcard base/*.c) $(wildcard probes/*.c) $(wildcard reports/*.c) $(wildcard targets/*.c) $(wildcard db/*.c) \
            $(filter-out scanner/main.c,$(wildcard scanner/*.c))
MAIN_SRCS = scanner/main.c
UNIT_SRCS = $(wildcard tests/unit/*.c)

B   = build
OBJ = $(LIB_SRCS:%.c=$(B)/obj/%.o)
ASAN_OBJ = $(LIB_SRCS:%.c=$(B)/asan/%.o)
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

all: $(B)/mailscan

# the fuzz harnesses link Debian's libunbound (tests/fuzz/run.sh), which has
# none of tests/libunbound.patch's functions: they get FUZZ_DEFS alone
FUZZ_DEFS = -DMAILSCAN_VERSION='"$(VERSION)"' -DMAILSCAN_UB_CRYPTO='"$(UB_CRYPTO)"'
DEFS = $(FUZZ_DEFS) $(if $(UB_PATCHED),-DMAILSCAN_UB_PATCHED)

$(B)/obj/%.o: %.c $(wildcard */*.h) $(wildcard */*.def) Makefile $(UB_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) $(DEFS) -c $< -o $@

$(B)/asan/%.o: %.c $(wildcard */*.h) $(wildcard */*.def) Makefile $(UB_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC-ASAN $<"
	@$(CC) $(CFLAGS) -O1 $(SAN) $(PKG_CFLAGS) $(DEFS) -c $< -o $@

$(B)/mailscan: $(OBJ) $(B)/obj/scanner/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(MALLOC_LIBS) $(LDLIBS)

$(B)/unit_tests: $(OBJ) $(UNIT_SRCS:%.c=$(B)/obj/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/asan/mailscan: $(ASAN_OBJ) $(B)/asan/scanner/main.o
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(B)/asan/unit_tests: $(ASAN_OBJ) $(UNIT_SRCS:%.c=$(B)/asan/%.o)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

asan: $(B)/asan/mailscan $(B)/asan/unit_tests

# libFuzzer builds (clang): the library once more, instrumented for
# coverage, ASan and UBSan, as one archive for the harnesses that need more
# than one parser (tests/fuzz/run.sh links them).
FUZZ_CC    ?= clang
FUZZ_FLAGS  = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=all
FUZZ_OBJ    = $(LIB_SRCS:%.c=$(B)/fuzz/obj/%.o)
FUZZ_SECONDS ?= 600

$(B)/fuzz/obj/%.o: %.c $(wildcard */*.h) $(wildcard */*.def) Makefile
	@mkdir -p $(dir $@)
	@echo "  CC-FUZZ $<"
	@$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(FUZZ_FLAGS) \
	    $(PKG_CFLAGS) $(FUZZ_DEFS) -c $< -o $@

$(B)/fuzz/libmailscan.a: $(FUZZ_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

fuzz-lib: $(B)/fuzz/libmailscan.a

# Long runs: FUZZ_SECONDS each, no run cap, new inputs kept in tests/fuzz/corpus.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=-1 FUZZ_CORPUS=tests/fuzz/corpus tests/fuzz/run.sh

$(B)/lab-smtpd: tests/lab/smtpd.c tests/lab/labd.h
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(shell pkg-config --cflags gnutls) -o $@ $< \
	    $(shell pkg-config --libs openssl gnutls)

$(B)/lab-blackhole: tests/lab/blackhole.c tests/lab/labd.h
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -o $@ $<

$(B)/lab-signzones: tests/lab/signzones.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags libcrypto) -o $@ $< $(shell pkg-config --libs libcrypto)

LAB_TOOLS = $(B)/lab-smtpd $(B)/lab-blackhole $(B)/lab-signzones

deps:
	tests/setup.sh
	tests/libunbound.sh

unit: $(B)/unit_tests $(B)/asan/unit_tests
	$(B)/unit_tests
	$(B)/asan/unit_tests

lab-up: $(LAB_TOOLS)
	tests/lab/lab.sh up

lab-down:
	tests/lab/lab.sh down

test: deps
	$(MAKE) all asan $(B)/unit_tests $(LAB_TOOLS)
	tests/run-tests.sh

demo: deps
	$(MAKE) all $(LAB_TOOLS)
	tests/lab/lab.sh up
	tests/demo.sh

lint:
	tests/lint.sh

# tls_ncsc against testssl.sh, sslscan and nmap on every lab TLS listener (not
# part of test; run in a network namespace of its own, see the script)
crosscheck-tls: all $(LAB_TOOLS)
	tests/crosscheck-tls.sh

bench: all $(LAB_TOOLS)
	tests/bench.sh

install: $(B)/mailscan
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/mailscan $(DESTDIR)$(PREFIX)/bin/mailscan
	install -m 644 mailscan.1 $(DESTDIR)$(PREFIX)/share/man/man1/mailscan.1

clean:
	-tests/lab/lab.sh down >/dev/null 2>&1
	rm -rf $(B)

.PHONY: crosscheck-tls all asan deps unit lab-up lab-down test demo lint bench install clean fuzz fuzz-lib
