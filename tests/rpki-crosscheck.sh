#!/usr/bin/env bash
# Cross-check mailscan's RPKI states (RFC 6811) with two peers against the same
# VRP set, the lab's stayrtr (tests/lab/rpki.tsv):
#
#   rov   RTRlib's own validator, rpki-rov (Debian rtr-tools), over its own RTR
#         session to the cache;
#   plain a plain reading of RFC 6811 §2 in awk over the VRPs rtrclient exports
#         from the cache (covered: a VRP prefix contains the route's; valid: a
#         covering VRP of the route's origin whose maxLength admits its length),
#         code that shares nothing with RTRlib's prefix trie.
#
#   tests/rpki-crosscheck.sh MAILSCAN_BINARY
#
# Every route of every address mailscan judged in the lab scenarios (its
# `rpki` evidence: prefix, origin, state) is put to both; prints one line per
# disagreement, the counts, and "N passed, N failed" (distinct routes).
# Needs the lab (started and stopped here when it is not running). Exit 0 only
# when every route agrees with both.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RTR_HOST=127.61.0.1
RTR_PORT=323
[[ $# -eq 1 && -x $1 ]] || { echo "usage: $0 MAILSCAN_BINARY" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
for t in jq rpki-rov rtrclient awk; do
    command -v "$t" >/dev/null || { echo "rpki-crosscheck: $t is missing (tests/setup.sh)" >&2; exit 2; }
done
cd "$ROOT"
started=
if [[ $(tests/lab/lab.sh status 2>/dev/null | grep -c ': running') -ne 4 ]]; then
    tests/lab/lab.sh up >/dev/null
    started=1
fi
TMP=$(mktemp -d)
cleanup() {
    rm -rf "$TMP"
    [[ -z $started ]] || tests/lab/lab.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

# every scenario domain of the lab
mapfile -t domains < <(awk -F'\t' '!/^#/ && $1 != "domain" && NF > 2 { print $1 }' tests/lab/scenarios.tsv)
"$BIN" check --json --root-hints build/lab/root.hints --trust-anchor build/lab/root.key \
    --ca-file build/lab/ca.pem --timeout 3 --skip tls_ncsc,starttls,dane,mta_sts,tlsrpt,spf,dmarc,dkim \
    --rpki-cache "$RTR_HOST:$RTR_PORT" "${domains[@]}" 2>"$TMP/err" >"$TMP/out" || true
# "prefix origin state" of every judged route of every address of every domain,
# and each distinct route once (what the peers are asked)
jq -r '.rpki.addresses[]?.routes[] | select(.state != null) | "\(.prefix) \(.origin) \(.state)"' \
    "$TMP/out" >"$TMP/judged"
sort -u "$TMP/judged" >"$TMP/routes"
n=$(grep -c . "$TMP/routes" || true)
nj=$(grep -c . "$TMP/judged" || true)
[[ $n -gt 0 ]] || { echo "rpki-crosscheck: mailscan judged no route (stderr: $TMP/err)"; exit 1; }

# rov: "PREFIX LEN ASN" in, "input|matching VRPs|state" out (0 valid, 1 not
# found, 2 invalid); it reads until end of input
awk '{ split($1, p, "/"); print p[1], p[2], $2 }' "$TMP/routes" |
    timeout 20 rpki-rov "$RTR_HOST" "$RTR_PORT" 2>/dev/null |
    awk -F'|' 'NF == 3 { split($1, a, " ")
        s = $3 == 0 ? "valid" : $3 == 1 ? "not-found" : $3 == 2 ? "invalid" : "?"
        print a[1] "/" a[2], a[3], s }' >"$TMP/rov" || true

# plain: the VRPs as the cache sends them ("prefix, len, maxlen, asn")
timeout 20 rtrclient -e -t csv tcp "$RTR_HOST" "$RTR_PORT" 2>/dev/null |
    awk -F', *' 'NF == 4 { print $1, $2, $3, $4 }' >"$TMP/vrps" || true
[[ -s $TMP/vrps ]] || { echo "rpki-crosscheck: rtrclient exported no VRPs"; exit 1; }
awk '
    # an address as a string of bits (IPv4 32, IPv6 128)
    function hexbits(h,   i, b, d) { b = ""
        for (i = 1; i <= length(h); i++) { d = index("0123456789abcdef", substr(h, i, 1)) - 1
            b = b int(d / 8) % 2 int(d / 4) % 2 int(d / 2) % 2 d % 2 }
        return b }
    function bits(a,   n, h, l, r, nl, nr, L, R, i, out, o) {
        a = tolower(a)
        if (a !~ /:/) { split(a, o, "."); out = ""
            for (i = 1; i <= 4; i++) out = out hexbits(sprintf("%02x", o[i]))
            return out }
        n = split(a, h, "::"); l = h[1]; r = (n > 1) ? h[2] : ""
        nl = (l == "") ? 0 : split(l, L, ":"); nr = (r == "") ? 0 : split(r, R, ":")
        out = ""
        for (i = 1; i <= nl; i++) out = out sprintf("%4s", L[i])
        for (i = 0; i < 8 - nl - nr; i++) out = out "0000"
        for (i = 1; i <= nr; i++) out = out sprintf("%4s", R[i])
        gsub(/ /, "0", out)
        return hexbits(out) }
    FNR == NR { vb[++nv] = bits($1); vl[nv] = $2; vm[nv] = $3; va[nv] = $4 + 0; next }
    { split($1, p, "/"); rb = bits(p[1]); rl = p[2] + 0; covered = 0; valid = 0
      for (i = 1; i <= nv; i++) {
          if (length(vb[i]) != length(rb) || vl[i] > rl) continue
          if (substr(vb[i], 1, vl[i]) != substr(rb, 1, vl[i])) continue
          covered = 1
          if (va[i] == $2 + 0 && $2 + 0 != 0 && rl <= vm[i]) valid = 1
      }
      print $1, $2, valid ? "valid" : covered ? "invalid" : "not-found" }
' "$TMP/vrps" "$TMP/routes" >"$TMP/plain"

agree=0
rov_ok=0
plain_ok=0
while read -r prefix origin state; do
    r=$(awk -v p="$prefix" -v o="$origin" '$1 == p && $2 == o { print $3; exit }' "$TMP/rov")
    q=$(awk -v p="$prefix" -v o="$origin" '$1 == p && $2 == o { print $3; exit }' "$TMP/plain")
    [[ $r == "$state" ]] && rov_ok=$((rov_ok + 1))
    [[ $q == "$state" ]] && plain_ok=$((plain_ok + 1))
    if [[ $r == "$state" && $q == "$state" ]]; then
        agree=$((agree + 1))
    else
        echo "DIFFER $prefix AS$origin: mailscan $state, rpki-rov ${r:-none}, plain RFC 6811 ${q:-none}"
    fi
done <"$TMP/routes"
echo "rpki-crosscheck: the routes and states: $(awk '{ printf "%s AS%s %s; ", $1, $2, $3 }' "$TMP/routes")"
# the judgments (a route judged for several addresses and domains counts each time)
jagree=$(awk 'FNR == NR { ok[$1 " " $2 " " $3] = 1; next } ($1 " " $2 " " $3) in ok' \
    <(while read -r p o s; do
          r=$(awk -v p="$p" -v o="$o" '$1 == p && $2 == o { print $3; exit }' "$TMP/rov")
          q=$(awk -v p="$p" -v o="$o" '$1 == p && $2 == o { print $3; exit }' "$TMP/plain")
          [[ $r == "$s" && $q == "$s" ]] && echo "$p $o $s"
      done <"$TMP/routes") "$TMP/judged" | grep -c . || true)
echo "rpki-crosscheck: $n distinct routes, $agree agree with both peers (rpki-rov $rov_ok, plain RFC 6811 $plain_ok);" \
    "$nj judgments over $(jq -r 'select(.rpki.addresses) | .domain' "$TMP/out" | grep -c .) domains, $jagree agree"
echo "$agree passed, $((n - agree)) failed"
[[ $agree -eq $n && $jagree -eq $nj ]]
