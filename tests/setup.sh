#!/usr/bin/env bash
# Install the Debian packages needed to build mailscan and run its tests and lab.
# Non-interactive; run as root (or with sudo available). Does nothing when every
# package is already installed.
set -euo pipefail

PACKAGES=(
    build-essential pkg-config dpkg-dev bison flex
    libunbound-dev libssl-dev libgnutls28-dev libcurl4-openssl-dev libsqlite3-dev libyaml-dev
    libevent-dev libidn2-dev libpsl-dev publicsuffix librtr-dev libmimalloc-dev
    unbound nsd ldnsutils nginx-light dnsutils jq openssl curl valgrind stayrtr rtr-tools
    clang libclang-rt-14-dev strace sqlite3 time cmark-gfm python3
    chromium fonts-dejavu-core
    man-db
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup: all packages present"
    exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root (or sudo) to install packages" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"

# The Debian packages start system-wide daemons; the lab runs its own instances
# on its own addresses, so the stock ones are not needed. They listen on other
# addresses (nginx: *:80, nsd: *:53) and are left alone unless they hold a port
# the lab needs; stop them only if we just installed them.
for svc in nsd nginx unbound; do
    for p in "${missing[@]}"; do
        case $p in
        "$svc"|"$svc"-light)
            if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
                $SUDO systemctl stop "$svc" || true
                $SUDO systemctl disable "$svc" 2>/dev/null || true
            elif command -v service >/dev/null 2>&1; then
                # no systemd (containers): the package's init script, if it started one
                $SUDO service "$svc" stop >/dev/null 2>&1 || true
            fi ;;
        esac
    done
done
echo "setup: done"
