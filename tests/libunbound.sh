#!/usr/bin/env bash
# Build libunbound on OpenSSL into deps/unbound (make deps runs this after
# tests/setup.sh; the Makefile links it when it is there).
#
# Why: Debian builds its libunbound on nettle (its daemon on OpenSSL), and
# DNSSEC signature checks are most of a scan's CPU. On this project's scale
# lab, on the machine where it was measured, an ECDSA P-256 check cost about
# 110 us through nettle/GMP and 48 us through OpenSSL (openssl speed
# ecdsap256: 21,000 verifications/s; machines of this kind differ: another
# gave 7,275); the run checks about 6.4 signatures per domain.
#
# What: the very Debian source package of the installed libunbound-dev (its
# version, its security patches, fetched and checked by apt), configured as
# Debian's rules configure the library (--with-libunbound-only,
# --enable-event-api, --with-libevent, --disable-rpath, no Python), with
# OpenSSL instead of nettle, as a static library. About 30 to 70 s on 2 cores.
#
# One patch of ours (tests/libunbound.patch, validator/val_secalgo.c), two
# caches per thread:
# - the public keys built from DNSKEY data. With OpenSSL 3, building the
#   EVP_PKEY of a DNSKEY costs about a third of the signature check itself, and
#   one zone's key checks several RRsets within a second. Only the key object
#   is reused, for the same key bytes compared in full.
# - the signatures that checked good. Queries waiting on one DNSKEY fetch each
#   check its signature again (at a scan's start, hundreds of them). The very
#   same check (algorithm, key, signature, signed data, compared in full) is
#   answered again from it; a bogus result is never kept. The dates are
#   checked every time, outside (test_ub_sigmemo in tests/unit).
#
# On any failure (no deb-src reachable, a build error) it says so and leaves
# nothing behind: mailscan is then built on Debian's libunbound and works the
# same, only slower. Nothing else of the system changes, except that a
# deb-src entry for the Debian archive is added when apt has none.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=$ROOT/deps/unbound
PATCH=$ROOT/tests/libunbound.patch
SRC_LIST=/etc/apt/sources.list.d/mailscan-deb-src.sources

ver=$(dpkg-query -W -f='${Version}' libunbound-dev 2>/dev/null || true)
if [[ -z $ver ]]; then
    echo "libunbound: libunbound-dev is not installed (tests/setup.sh installs it)" >&2
    exit 1
fi
# what deps/unbound holds: the version and the patch it was built with
stamp="$ver $(sha256sum "$PATCH" | cut -c1-16)"
if [[ -f $DEST/lib/libunbound.a && -f $DEST/include/unbound-event.h &&
      $(cat "$DEST/VERSION" 2>/dev/null) == "$stamp" ]]; then
    echo "libunbound: $ver on OpenSSL present in deps/unbound"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fallback() {
    echo "libunbound: WARNING: $1; mailscan is built on Debian's libunbound" \
         "(nettle: DNSSEC validation about twice as slow)" >&2
    rm -rf "$DEST"
    exit 0
}

fetch() { (cd "$work" && apt-get source -q --download-only "unbound=$ver") >"$work/fetch.log" 2>&1; }
if ! fetch; then
    # no deb-src entry yet: the same archives as the binary packages
    if [[ ! -f $SRC_LIST && ! -f ${SRC_LIST%.sources}.list ]]; then
        if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
            sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$SRC_LIST"
        elif [[ -f /etc/apt/sources.list ]]; then
            awk '$1 == "deb" { $1 = "deb-src"; print }' /etc/apt/sources.list \
                >"${SRC_LIST%.sources}.list"
        fi
        apt-get update -q >"$work/update.log" 2>&1 ||
            { tail -3 "$work/update.log" >&2; fallback "apt-get update failed"; }
    fi
    fetch || { tail -3 "$work/fetch.log" >&2; fallback "cannot fetch the source of unbound $ver"; }
fi
for tool in dpkg-source patch bison flex; do
    command -v "$tool" >/dev/null 2>&1 || fallback "$tool is missing (tests/setup.sh installs it)"
done
(cd "$work" && dpkg-source -x -q ./*.dsc src) >"$work/extract.log" 2>&1 ||
    { tail -3 "$work/extract.log" >&2; fallback "cannot unpack the source of unbound $ver"; }
patch -d "$work/src" -p1 -s <"$PATCH" >"$work/patch.log" 2>&1 ||
    { tail -3 "$work/patch.log" >&2; fallback "tests/libunbound.patch does not apply to unbound $ver"; }
echo "libunbound: building $ver on OpenSSL into deps/unbound"
rm -rf "$DEST"
(
    cd "$work/src"
    ./configure --prefix="$DEST" --with-libunbound-only --enable-event-api --with-libevent \
        --with-ssl --disable-rpath --disable-shared --enable-static --with-pic --disable-flto \
        --without-pythonmodule --without-pyunbound
    make -j"$(nproc)" lib
    make install-lib
) >"$work/build.log" 2>&1 || { tail -5 "$work/build.log" >&2; fallback "the build of unbound $ver failed"; }
grep -q '^#define HAVE_SSL' "$work/src/config.h" && ! grep -q '^#define HAVE_NETTLE' "$work/src/config.h" ||
    fallback "the build did not take OpenSSL"
[[ -f $DEST/include/unbound-event.h ]] || cp "$work/src/libunbound/unbound-event.h" "$DEST/include/"
echo "$stamp" >"$DEST/VERSION"
echo "libunbound: $ver on OpenSSL in deps/unbound"
