#!/usr/bin/env bash
# ipv6-noconn-tests.sh - the ipv6 probe on a machine without IPv6 (issue 12 §1):
# every IPv6 address has no route (ENETUNREACH), so the verdict is error
# ipv6-no-connectivity, never a fail of the domain (a missing AAAA still fails:
# that is a fact of the DNS), and starttls does not count the MX's IPv6 address.
#
#   bash tests/ipv6-noconn-tests.sh build/mailscan
#
# Needs the lab running (tests/lab/lab.sh up) in a private network namespace
# (unshare -n, only lo): it turns IPv6 off there (net.ipv6.conf.all.disable_ipv6=1), runs
# check, and turns it on again (lab.sh ip6 puts the lab's addresses back). In the
# root namespace it would take IPv6 from the whole machine, so it refuses there;
# tests/run-tests.sh (make test, the CI) runs it in a namespace of its own with a
# lab of its own.
set -uo pipefail

BIN=$1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}
cd "$ROOT" || exit 2
pass=0
fail=0

# A private namespace is told by its links: lo alone (as after unshare -n). The
# root namespace has others (and /proc/1/ns/net may not be readable to compare).
others=$(ip -o link show 2>/dev/null | awk -F': ' '$2 != "lo"' | wc -l)
if [[ $(id -u) -ne 0 ]] || ! ip -o link show lo >/dev/null 2>&1 || [[ $others -ne 0 ]]; then
    echo "ipv6-noconn-tests: needs root in a network namespace with only lo (unshare -n);"
    echo "  make test runs it so"
    echo "0 passed, 1 failed"
    exit 2
fi
[[ -s build/lab/root.hints ]] || { echo "ipv6-noconn-tests: the lab is not up" >&2; exit 2; }

OUT=build/lab/ipv6-noconn.out
ERR=build/lab/ipv6-noconn.err
restore() {
    sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0 >/dev/null
    tests/lab/lab.sh ip6 >/dev/null
}
trap restore EXIT
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1 >/dev/null ||
    { echo "ipv6-noconn-tests: cannot turn IPv6 off" >&2; exit 2; }
"$BIN" check --json --root-hints build/lab/root.hints --trust-anchor build/lab/root.key \
    --ca-file build/lab/ca.pem --timeout 3 --skip-tls-ncsc \
    ipv6-good.example ipv6-one-ns.example good.example >"$OUT" 2>"$ERR"
restore
trap - EXIT

# domain, ipv6 verdict, its sorted reasons, starttls verdict
while read -r d want; do
    got=$(jq -r --arg d "$d" 'select(.domain == $d)
        | "\(.verdicts.ipv6) \((.reasons.ipv6 // []) | sort | join(",")) \(.verdicts.starttls)"' "$OUT")
    if [[ $got == "$want" ]]; then
        echo "ok $d: $got"; pass=$((pass + 1))
    else
        echo "FAIL $d: expected '$want', got '${got:-nothing}'"; fail=$((fail + 1))
    fi
done <<'EOT'
ipv6-good.example error ipv6-no-connectivity pass
ipv6-one-ns.example fail ipv6-no-connectivity,ipv6-ns-no-aaaa pass
good.example fail ipv6-no-connectivity,ipv6-ns-no-aaaa pass
EOT
if jq -se '[.[] | select(.domain == "ipv6-good.example") | .mx[0].addresses[]
        | select(.ip == "::1") | .starttls] == ["family-unreachable"]' "$OUT" >/dev/null; then
    echo "ok ipv6-good.example: ::1 is family-unreachable"; pass=$((pass + 1))
else
    echo "FAIL ipv6-good.example: ::1 is not family-unreachable"; fail=$((fail + 1))
fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$ERR"; then
    echo "FAIL sanitizer report in $ERR"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
