#!/usr/bin/env bash
# Lame delegations at scale (issue: "right on one domain, wrong at national
# scale"). On a list shaped like a national one (tests/lab/lab.sh synth N
# LAME%: every domain its own zone, 60 % signed, mail on 40 providers, NSD's
# response rate limiting at its default) with 5 % of the domains delegated to
# name servers that never answer, a scan at --concurrency 500 must give the
# healthy domains no DNS timeout at all and exactly the verdicts and reasons
# they get in a scan of the list without the lame ones; every lame domain is
# error with dns-timeout for every standard, and its name server was asked.
# Not a benchmark: nothing here is timed.
#
#   tests/scale-tests.sh MAILSCAN_BINARY [N]     (N domains, default 2000)
#
# Needs the lab running; replaces its synthetic set (lab.sh synth) and leaves
# it in place. The last line is "N passed, N failed".
set -uo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 MAILSCAN_BINARY [N]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$1
N=${2:-2000}
LAME=5
[[ -x $BIN ]] || { echo "scale-tests: $BIN is not executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$ROOT" || exit 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LAB=$ROOT/build/lab
LABARGS=(--root-hints "$LAB/root.hints" --trust-anchor "$LAB/root.key"
         --ca-file "$LAB/ca.pem" --timeout 5 --concurrency 500)
pass=0
fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
not_ok() {
    local name=$1 why=$2 f
    shift 2
    echo "not ok $name: $why"
    for f in "$@"; do [[ -s $f ]] && head -n 12 "$f" | sed "s|^|  $(basename "$f"): |"; done
    fail=$((fail + 1))
}
# The run stored in $TMP/TAG.db against the run of the healthy domains
# alone: the healthy ones have exactly its verdicts and reasons, the lame ones
# are error with dns-timeout for every standard. WHAT names the run.
like_healthy() {
    local tag=$1 what=$2
    sqlite3 -separator ' ' "$TMP/$tag.db" "SELECT d.name, v.standard, v.verdict, v.reasons FROM verdicts v
        JOIN domains d ON d.id = v.domain_id" | sort >"$TMP/$tag.verdicts"
    awk 'NR == FNR { lame[$1] = 1; next } !($1 in lame)' "$TMP/lame.sorted" "$TMP/$tag.verdicts" >"$TMP/$tag.healthy"
    if [[ -s $TMP/healthy.verdicts ]] && cmp -s "$TMP/$tag.healthy" "$TMP/healthy.verdicts"; then
        ok "$what: the $nhealthy healthy domains have the verdicts and reasons of the recursive run of them alone, no DNS failure"
    else
        diff "$TMP/healthy.verdicts" "$TMP/$tag.healthy" >"$TMP/$tag.diff"
        not_ok "$what: healthy verdicts" "$(grep -c '^[<>]' "$TMP/$tag.diff") lines differ (< alone, > $what)" "$TMP/$tag.diff"
    fi
    awk 'NR == FNR { lame[$1] = 1; next } ($1 in lame) && !($3 == "error" && $4 == "dns-timeout") { print }' \
        "$TMP/lame.sorted" "$TMP/$tag.verdicts" >"$TMP/$tag.lame"
    if [[ ! -s $TMP/$tag.lame ]] && [[ $(awk '{ print $1 }' "$TMP/$tag.verdicts" | sort -u | comm -12 - "$TMP/lame.sorted" | wc -l) -eq $nlame ]]; then
        ok "$what: the $nlame lame domains are error with dns-timeout for every standard"
    else
        not_ok "$what: lame domains" "not all error dns-timeout" "$TMP/$tag.lame"
    fi
}
finish() {
    echo "scale-tests: $SECONDS s"
    echo "$pass passed, $fail failed"
    [[ $fail -eq 0 ]]
    exit
}

if ! tests/lab/lab.sh synth "$N" "$LAME" >"$TMP/synth.log" 2>&1; then
    not_ok "synth $N $LAME" "lab.sh synth failed" "$TMP/synth.log"
    finish
fi
nall=$(grep -c . "$LAB/synth.txt")
nlame=$(grep -c . "$LAB/synth-lame.txt")
nhealthy=$(grep -c . "$LAB/synth-healthy.txt")
if [[ $nall -eq $N && $nlame -ge $((N * LAME / 100 - 1)) && $((nlame + nhealthy)) -eq $N ]]; then
    ok "synth: $N domains, $nlame lame"
else
    not_ok "synth" "expected $N domains, about $((N * LAME / 100)) lame; got $nall, $nlame lame, $nhealthy healthy"
fi
asked0=$(awk '$1 == "queries" { print $2 }' "$LAB/blackhole.stats" 2>/dev/null)

# 1. the healthy domains alone; 2. the whole list, lame ones mixed in
"$BIN" scan "$LAB/synth-healthy.txt" --db "$TMP/healthy.db" "${LABARGS[@]}" -v \
    >"$TMP/healthy.out" 2>"$TMP/healthy.err"
rc=$?
[[ $rc -eq 0 ]] && ok "scan of the $nhealthy healthy domains" ||
    not_ok "scan of the healthy domains" "exit $rc" "$TMP/healthy.err"
"$BIN" scan "$LAB/synth.txt" --db "$TMP/mixed.db" "${LABARGS[@]}" -v \
    >"$TMP/mixed.out" 2>"$TMP/mixed.err"
rc=$?
[[ $rc -eq 0 ]] && ok "scan of all $N domains ($nlame lame) at --concurrency 500" ||
    not_ok "scan of all domains" "exit $rc" "$TMP/mixed.err"
grep -h 'DNS:' "$TMP/healthy.err" "$TMP/mixed.err" | sed 's/^/  /'

q() { sqlite3 -separator ' ' "$TMP/mixed.db" "ATTACH '$TMP/healthy.db' AS h; $1"; }
stored=$(q "SELECT count(*) FROM main.domains")
[[ $stored -eq $N ]] && ok "every domain stored ($stored)" || not_ok "stored" "$stored of $N domains"

# healthy domains: no DNS timeout or DNS error anywhere in the mixed run
sort "$LAB/synth-lame.txt" >"$TMP/lame.sorted"
q "SELECT d.name, v.standard, v.verdict, v.reasons FROM main.verdicts v JOIN main.domains d ON d.id = v.domain_id
   WHERE v.reasons LIKE '%dns-timeout%' OR v.reasons LIKE '%dns-error%' OR v.reasons LIKE '%domain-timeout%'" |
    sort >"$TMP/dnsfail"
awk 'NR == FNR { lame[$1] = 1; next } !($1 in lame)' "$TMP/lame.sorted" "$TMP/dnsfail" >"$TMP/healthy-dnsfail"
if [[ ! -s $TMP/healthy-dnsfail ]]; then
    ok "no healthy domain has a DNS timeout, DNS error or domain timeout"
else
    not_ok "healthy domains without DNS failures" "$(wc -l <"$TMP/healthy-dnsfail") verdicts" "$TMP/healthy-dnsfail"
fi

# healthy domains: exactly the verdicts and reasons of the run without lame ones
q "SELECT d.name, v.standard, v.verdict, v.reasons FROM main.verdicts v JOIN main.domains d ON d.id = v.domain_id" |
    sort >"$TMP/mixed.verdicts"
q "SELECT d.name, v.standard, v.verdict, v.reasons FROM h.verdicts v JOIN h.domains d ON d.id = v.domain_id" |
    sort >"$TMP/healthy.verdicts"
awk 'NR == FNR { lame[$1] = 1; next } !($1 in lame)' "$TMP/lame.sorted" "$TMP/mixed.verdicts" >"$TMP/mixed.healthy"
if [[ -s $TMP/healthy.verdicts ]] && cmp -s "$TMP/mixed.healthy" "$TMP/healthy.verdicts"; then
    ok "the $nhealthy healthy domains: the same verdicts and reasons with and without the lame ones ($(wc -l <"$TMP/healthy.verdicts") verdicts)"
else
    diff "$TMP/healthy.verdicts" "$TMP/mixed.healthy" >"$TMP/verdict.diff"
    not_ok "same verdicts with and without lame domains" "$(grep -c '^[<>]' "$TMP/verdict.diff") lines differ (< alone, > mixed)" "$TMP/verdict.diff"
fi

# the verdicts are not vacuous: DNSSEC passes and fails, DANE passes, in numbers
npass=$(q "SELECT count(*) FROM h.verdicts WHERE standard = 'dnssec' AND verdict = 'pass'")
ninsec=$(q "SELECT count(*) FROM h.verdicts WHERE standard = 'dnssec' AND reasons = 'dnssec-insecure'")
ndane=$(q "SELECT count(*) FROM h.verdicts WHERE standard = 'dane' AND verdict = 'pass'")
if [[ $npass -gt $((nhealthy / 3)) && $ninsec -gt $((nhealthy / 5)) && $ndane -gt $((nhealthy / 10)) ]]; then
    ok "healthy run: dnssec pass $npass, dnssec-insecure $ninsec, dane pass $ndane"
else
    not_ok "healthy verdicts" "dnssec pass $npass, dnssec-insecure $ninsec, dane pass $ndane of $nhealthy"
fi

# the DNSSEC signature checks of the healthy run, counted on libunbound's
# thread (libunbound built with tests/libunbound.patch, which counts them):
# at least three per signed domain (its DS, its DNSKEY, its MX), the memo's
# answers among them
if sqlite3 "$TMP/healthy.db" "SELECT provenance FROM runs" | grep -q 'with tests/libunbound.patch'; then
    read -r sc sm < <(sed -nE 's/.*DNSSEC: ([0-9]+) signature checks by libunbound, ([0-9]+) of them.*/\1 \2/p' "$TMP/healthy.err")
    nsig=$(awk -F'\t' 'NR == FNR { h[$1] = 1; next } ($1 in h) && $2 == "signed"' \
        "$LAB/synth-healthy.txt" "$LAB/synth/domains.tsv" | wc -l)
    if [[ -n $sc && $nsig -gt 0 && $sc -ge $((3 * nsig)) && $sm -le $sc ]]; then
        ok "healthy run: $sc DNSSEC signature checks counted for $nsig signed domains, $sm of them from the memo"
    else
        not_ok "signature checks counted" "'${sc:-no count}' checks, '${sm:-}' from the memo, $nsig signed domains" "$TMP/healthy.err"
    fi
elif grep -q 'signature checks' "$TMP/healthy.err"; then
    not_ok "no signature count without tests/libunbound.patch" "$(grep 'signature checks' "$TMP/healthy.err")"
else
    ok "libunbound without tests/libunbound.patch: no signature count claimed"
fi

# lame domains: error with dns-timeout, every standard
q "SELECT d.name FROM main.domains d WHERE NOT EXISTS (SELECT 1 FROM main.verdicts v WHERE v.domain_id = d.id
   AND NOT (v.verdict = 'error' AND v.reasons = 'dns-timeout'))" | sort >"$TMP/all-timeout"
if cmp -s "$TMP/all-timeout" "$TMP/lame.sorted"; then
    ok "the $nlame lame domains, and only they, are error with dns-timeout for every standard"
else
    diff "$TMP/lame.sorted" "$TMP/all-timeout" >"$TMP/lame.diff"
    not_ok "lame domains dns-timeout" "(< lame, > all dns-timeout)" "$TMP/lame.diff"
fi
# 2b. the whole list at once: --concurrency 5000 (the issue's upper bound,
# every domain and the MX lookups ahead in flight from the start) and
# --timeout 2. Each query's deadline must measure the servers, not the
# queue in mailscan's resolver thread (probes/dns.h, DNS_UB_WINDOW_MIN):
# handing libunbound every question at once, 2,000 domains gave 4,897
# dns-timeout verdicts here, healthy domains stored as "niet getest".
"$BIN" scan "$LAB/synth.txt" --db "$TMP/wide.db" "${LABARGS[@]}" --concurrency 5000 --timeout 2 -v \
    >"$TMP/wide.out" 2>"$TMP/wide.err"
rc=$?
[[ $rc -eq 0 ]] && ok "scan of all $N domains at --concurrency 5000 --timeout 2" ||
    not_ok "scan at --concurrency 5000" "exit $rc" "$TMP/wide.err"
grep -h 'DNS:' "$TMP/wide.err" | sed 's/^/  /'
like_healthy wide "--concurrency 5000 --timeout 2"

# 3. the whole list once more in stub mode (--resolver), through the lab's
# validating unbound, started cold, with its sockets' default buffers (as a
# resolver a user points mailscan at may have): the healthy domains get no
# DNS failure and the verdicts of recursive mode, the lame ones dns-timeout.
# Without mailscan's window of queries at the resolver (probes/dns.h,
# DNS_STUB_WINDOW) the kernel dropped thousands of queries at its sockets.
tests/lab/resolver.sh down >/dev/null 2>&1
if tests/lab/resolver.sh up >"$TMP/resolver.log" 2>&1; then
    udp0=$(nstat -az UdpRcvbufErrors 2>/dev/null | awk '$1 == "UdpRcvbufErrors" { print $2 }')
    "$BIN" scan "$LAB/synth.txt" --db "$TMP/stub.db" --resolver 127.53.0.53 --ca-file "$LAB/ca.pem" \
        --timeout 5 --concurrency 500 -v >"$TMP/stub.out" 2>"$TMP/stub.err"
    rc=$?
    udp1=$(nstat -az UdpRcvbufErrors 2>/dev/null | awk '$1 == "UdpRcvbufErrors" { print $2 }')
    tests/lab/resolver.sh down >/dev/null 2>&1
    [[ $rc -eq 0 ]] && ok "stub mode: scan of all $N domains through the lab's resolver" ||
        not_ok "stub mode scan" "exit $rc" "$TMP/stub.err"
    grep -h 'DNS:' "$TMP/stub.err" | sed 's/^/  /'
    echo "  UDP datagrams dropped at full socket buffers during it (any socket): $((${udp1:-0} - ${udp0:-0}))"
    like_healthy stub "stub mode"
else
    not_ok "stub mode" "the lab resolver did not start" "$TMP/resolver.log"
fi

# 4. the MX lookups ahead of the window (scanner/engine.c, engine_start_more):
# one domain at a time (--concurrency 1), a lame domain first. The next
# domains' MX answers come in while the lame one waits out its --timeout,
# not after it; and each domain still gets its own verdicts, in list order.
lame1=$(head -n 1 "$LAB/synth-lame.txt")
mapfile -t next3 < <(head -n 3 "$LAB/synth-healthy.txt")
"$BIN" check --json -v -v --concurrency 1 --root-hints "$LAB/root.hints" --trust-anchor "$LAB/root.key" \
    --ca-file "$LAB/ca.pem" --timeout 2 "$lame1" "${next3[@]}" >"$TMP/ahead.json" 2>"$TMP/ahead.err"
rc=$?
lame_at=$(grep -n "dns $lame1/15: timeout" "$TMP/ahead.err" | head -n 1 | cut -d: -f1)
early=0
for h in "${next3[@]}"; do
    at=$(grep -n "dns $h/15: ok" "$TMP/ahead.err" | head -n 1 | cut -d: -f1)
    [[ -n $at && -n $lame_at && $at -lt $lame_at ]] && early=$((early + 1))
done
order=$(python3 -c 'import json, sys
print(" ".join(json.loads(l)["domain"] for l in open(sys.argv[1])))' "$TMP/ahead.json" 2>/dev/null)
lame_v=$(python3 -c 'import json, sys
d = json.loads(open(sys.argv[1]).readline())
print(" ".join(sorted({v + ":" + " ".join(d["reasons"].get(k, [])) for k, v in d["verdicts"].items()})))' "$TMP/ahead.json" 2>/dev/null)
if [[ ($rc -eq 0 || $rc -eq 1) && $early -eq 3 && $order == "$lame1 ${next3[*]}" && $lame_v == "error:dns-timeout" ]]; then
    ok "--concurrency 1: the 3 domains after a lame one have their MX answer before its timeout; output in list order"
else
    not_ok "MX lookups ahead of the window" "exit $rc, $early of 3 MX answers before the lame one's timeout (line ${lame_at:-none}), order '$order', lame '$lame_v'" "$TMP/ahead.err"
fi

# ... and their name servers were asked (the blackhole counts what it swallowed)
kill -USR1 "$(cat "$LAB/blackhole.pid" 2>/dev/null)" 2>/dev/null
sleep 0.3
asked1=$(awk '$1 == "queries" { print $2 }' "$LAB/blackhole.stats" 2>/dev/null)
if [[ -n $asked1 && $((asked1 - ${asked0:-0})) -ge $nlame ]]; then
    ok "the lame name servers were asked ($((asked1 - ${asked0:-0})) queries swallowed)"
else
    not_ok "lame name servers asked" "blackhole counted ${asked0:-?} -> ${asked1:-?} queries for $nlame lame domains" "$LAB/blackhole.stats"
fi
finish
