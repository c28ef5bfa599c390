#!/usr/bin/env bash
# Batch runs against the lab: `scan` (list formats, bad input, duplicates, MX
# dedup, kill -9 and SIGTERM with --resume, the one retry, --rate, progress),
# `runs`, `diff` and `merge` (shards). Every check prints "ok NAME" or
# "not ok NAME: why"; the last line is "N passed, N failed".
#
#   tests/scan-tests.sh MAILSCAN_BINARY
#
# Needs the lab running (tests/lab/lab.sh up) and sqlite3, jq, strace and
# script (util-linux). Works in a temporary directory it removes again.
# Counts SMTP connections from build/lab/smtpd-conn.log (one line "IP MODE"
# per accepted connection), so nothing else may use the lab meanwhile.
# ASan builds: sanitizer reports go to files (log_path) that the last check
# looks for, so a report fails the suite even from a run whose exit status is
# not looked at.

# check NAME WHY eval '[[ ... ]]' evaluates its condition inside check, on purpose:
# shellcheck disable=SC2016
set -uo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 MAILSCAN_BINARY" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$1
[[ -x $BIN ]] || { echo "scan-tests: $BIN is not executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$ROOT" || exit 2

TMP=$(mktemp -d)
BGPIDS=()
cleanup() {
    local p
    for p in "${BGPIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# ASan builds: the one deliberate leak at exit (see tests/lsan.supp); every
# report into $TMP/sanitizer.PID.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/sanitizer:print_stacktrace=1"

LABARGS=(--root-hints "$ROOT/build/lab/root.hints" --trust-anchor "$ROOT/build/lab/root.key"
         --ca-file "$ROOT/build/lab/ca.pem" --timeout 3)
CONNLOG=$ROOT/build/lab/smtpd-conn.log
pass=0
fail=0
RC=0
T0=$SECONDS

ok() { echo "ok $1"; pass=$((pass + 1)); }
# not_ok NAME WHY [FILE...]: the first lines of each FILE are shown too.
not_ok() {
    local name=$1 why=$2 f
    shift 2
    echo "not ok $name: $why"
    for f in "$@"; do [[ -s $f ]] && head -n 8 "$f" | sed "s|^|  $(basename "$f"): |"; done
    fail=$((fail + 1))
}
# check NAME WHY COMMAND...: ok when COMMAND succeeds.
check() {
    local name=$1 why=$2
    shift 2
    if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}
# ms TAG ARGS...: mailscan ARGS, stdout in $TMP/TAG.out, stderr in $TMP/TAG.err,
# exit status in RC. A hang ends after 120 s (status 124).
ms() {
    local tag=$1
    shift
    timeout 120 "$BIN" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"
    RC=$?
}
# sql DB QUERY: one sqlite3 query (waits for a writer's lock).
sql() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }
conn_mark() { wc -l <"$CONNLOG"; }
# conn_since MARK [IP]: connection log lines after MARK (those of IP).
conn_since() {
    if [[ $# -gt 1 ]]; then
        tail -n +"$(($1 + 1))" "$CONNLOG" | awk -v ip="$2" '$1 == ip'
    else
        tail -n +"$(($1 + 1))" "$CONNLOG"
    fi
}
# runs_json DB FIELD: FIELD of the newest run in `runs --json` ("" if none).
runs_field() { "$BIN" runs --db "$1" --json 2>/dev/null | tail -n 1 | jq -r ".$2 // empty"; }
# counts DB [RUN]: the counts of a run in `runs --json`, as one line.
counts() {
    "$BIN" runs --db "$1" --json 2>/dev/null |
        jq -c --argjson r "${2:-0}" 'select($r == 0 or .run == $r)
            | [.domains, .targets_unique, .invalid, .verdicts.pass, .verdicts.warn,
               .verdicts.fail, .verdicts["n/a"], .verdicts.error]' | tail -n 1
}
# wait_for SECONDS COMMAND...: poll COMMAND every 20 ms until it succeeds.
wait_for() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [[ $SECONDS -lt $end ]] || return 1
        sleep 0.02
    done
}

for tool in sqlite3 jq strace script timeout; do
    command -v "$tool" >/dev/null || { not_ok "tool $tool" "not installed (tests/setup.sh)"; }
done
if [[ $(tests/lab/lab.sh status 2>/dev/null | grep -c ': running') -ne 4 || ! -f $CONNLOG ]]; then
    not_ok "lab is running" "start it with tests/lab/lab.sh up"
    echo "$pass passed, $fail failed"
    exit 1
fi

# Lab domains whose verdicts do not depend on timing: every scenario but the
# hostile listeners (slow, silent, endless, garbage, slowok), the one-shot 421
# (tempfail) and the lame delegation.
mapfile -t DET < <(awk -F'\t' '!/^#/ && $1 != "domain" && NF > 1 &&
    $1 !~ /^(slow|slowok|silent|endless|garbage|tempfail)\.example$/ &&
    $1 != "sub.dnserr.example" { print $1 }' tests/lab/scenarios.tsv)
[[ ${#DET[@]} -ge 20 ]] || not_ok "deterministic lab domains" "only ${#DET[@]} in tests/lab/scenarios.tsv"

# ======================================================================
# 1. Bad input, through scan
# ======================================================================

# A YAML syntax error after valid lab domains: exit 2 with FILE:LINE:COLUMN,
# no run left, nothing probed.
y=$TMP/syntax.yaml
cat >"$y" <<'EOF'
organisations:
  - name: Gemeente Syntaxfout
    category: gemeente
    domains: [good.example, shared1.example, tls12.example, dane-ta.example]
  - name: Provincie Kapot
    category: y: z
    domains: [nomx.example]
EOF
mark=$(conn_mark)
ms syntax scan "$y" --db "$TMP/syntax.db" "${LABARGS[@]}"
if [[ $RC -eq 2 ]] && grep -q -- "$y:6:16: YAML syntax error" "$TMP/syntax.err"; then
    ok "YAML syntax error: exit 2 naming file:line:column"
else
    not_ok "YAML syntax error: exit 2 naming file:line:column" "exit $RC" "$TMP/syntax.err"
fi
runs=$("$BIN" runs --db "$TMP/syntax.db" --json 2>&1)
rows=$(sql "$TMP/syntax.db" 'SELECT (SELECT count(*) FROM runs) || " " || (SELECT count(*) FROM run_targets)' 2>&1)
if [[ -z $runs && $rows == "0 0" ]]; then
    ok "YAML syntax error: no run left in the database"
else
    not_ok "YAML syntax error: no run left in the database" "runs --json: '$runs'; runs, targets: $rows"
fi
check "YAML syntax error: no SMTP connection made" "$(conn_since "$mark" | wc -l) connections" \
    test "$(conn_since "$mark" | wc -l)" -eq 0

# CSV with three invalid lines: each reported as FILE:LINE: 'NAME': REASON,
# the run completes and counts them.
c=$TMP/bad.csv
cat >"$c" <<'EOF'
domain,organisation,category
good.example,Gemeente A,gemeente
bad..example,Gemeente A,gemeente
shared1.example,"Gemeente, B",gemeente
-bad-.example,Gemeente B,gemeente
under_score!.example,Gemeente B,gemeente
nomx.example,Gemeente B,gemeente
EOF
ms csvbad scan "$c" --db "$TMP/csvbad.db" -q "${LABARGS[@]}"
reported=$(grep -cE "^mailscan: $c:(3: 'bad\.\.example'|5: '-bad-\.example'|6: 'under_score!\.example'): [a-z]" "$TMP/csvbad.err")
if [[ $RC -eq 0 && $reported -eq 3 && $(grep -c "$c:" "$TMP/csvbad.err") -eq 3 ]]; then
    ok "CSV invalid lines: each reported as file:line: 'name': reason, run completes"
else
    not_ok "CSV invalid lines: each reported as file:line: 'name': reason, run completes" \
        "exit $RC, $reported of 3 reported" "$TMP/csvbad.err"
fi
got=$("$BIN" runs --db "$TMP/csvbad.db" --json | jq -c '[.status, .invalid, .targets_unique, .domains]')
check "CSV invalid lines: runs --json counts invalid 3" "got $got (status invalid unique domains)" \
    test "$got" = '["done",3,3,3]'
got=$(sql "$TMP/csvbad.db" "SELECT group_concat(line || ':' || entry || ':' || (reason <> ''), ' ') FROM run_invalid")
check "CSV invalid lines: each kept with the run, line and reason (run_invalid)" "got '$got'" \
    test "$got" = "3:bad..example:1 5:-bad-.example:1 6:under_score!.example:1"

# Provenance (issue 14): how the run was made, stored with it.
prov() { sql "$1" "SELECT json_extract(provenance, '\$.$2') FROM runs ORDER BY id DESC LIMIT 1"; }
check "provenance: the list's SHA-256 and size" "got $(prov "$TMP/csvbad.db" targets_sha256)" \
    eval '[[ $(prov "$TMP/csvbad.db" targets_sha256) == "$(sha256sum <"$c" | cut -c1-64)" &&
          $(prov "$TMP/csvbad.db" targets_bytes) == "$(stat -c %s "$c")" && $(prov "$TMP/csvbad.db" targets) == "$(realpath "$c")" ]]'
tag=$(ldns-key2ds -n "$ROOT/build/lab/root.key" | awk '$4 == "DS" { print $5 }')
check "provenance: the trust anchor file, its SHA-256 and key tag (as ldns-key2ds computes it)" "got '$(prov "$TMP/csvbad.db" trust_anchor)' '$(prov "$TMP/csvbad.db" trust_anchor_keys)', ldns-key2ds $tag" \
    eval '[[ -n $tag && $(prov "$TMP/csvbad.db" trust_anchor) == "$ROOT/build/lab/root.key (SHA-256 $(sha256sum <"$ROOT/build/lab/root.key" | cut -c1-64))" &&
          $(prov "$TMP/csvbad.db" trust_anchor_keys) == "$tag" ]]'
check "provenance: version, DNS mode, CA file" "got $(sql "$TMP/csvbad.db" 'SELECT provenance FROM runs')" \
    eval '[[ $(prov "$TMP/csvbad.db" mailscan) == "$(cat "$ROOT/VERSION")" && $(prov "$TMP/csvbad.db" dns_mode) == recursive &&
          $(prov "$TMP/csvbad.db" ca_file) == "$ROOT/build/lab/ca.pem (SHA-256 "* && -z $(prov "$TMP/csvbad.db" skipped) ]]'
# the allocator: build/mailscan links mimalloc when libmimalloc-dev is installed
# (tests/setup.sh installs it), the ASan build never; provenance names it exactly
# when the binary has it
if ldd "$BIN" | grep -q 'libmimalloc\.so'; then linked=yes; else linked=no; fi
if [[ $BIN == */asan/* ]] || ! dpkg-query -W -f='${Status}' libmimalloc-dev 2>/dev/null | grep -q 'ok installed'; then
    want=no
else
    want=yes
fi
libs=$(prov "$TMP/csvbad.db" libraries)
check "provenance: the libraries; mimalloc linked ($linked, expected $want) and named exactly then" "got '$libs'" \
    eval '[[ $linked == "$want" && $libs == "OpenSSL "*"; libunbound "* &&
          ( ( $linked == yes && $libs == *"; mimalloc "[0-9]* ) || ( $linked == no && $libs != *mimalloc* ) ) ]]'
printf 'good.example\n' >"$TMP/prov.txt"
ms provskip scan "$TMP/prov.txt" --db "$TMP/provskip.db" -q --skip dkim,tls_ncsc "${LABARGS[@]}"
check "provenance: the skipped probes; the options name --skip" "exit $RC; $(sql "$TMP/provskip.db" 'SELECT provenance, options FROM runs')" \
    eval '[[ $RC -eq 0 && $(prov "$TMP/provskip.db" skipped) == "tls_ncsc, dkim" &&
          $(sql "$TMP/provskip.db" "SELECT options FROM runs") == *" --skip tls_ncsc,dkim"* ]]'

t=$TMP/bad.txt
printf '# a text list\ngood.example   # trailing comment\n\nbad..example\nnomx.example\nno spaces.example\nGOOD.Example.\n' >"$t"
ms txtbad scan "$t" --db "$TMP/txtbad.db" -q "${LABARGS[@]}"
reported=$(grep -cE "^mailscan: $t:(4: 'bad\.\.example'|6: 'no spaces\.example'): [a-z]" "$TMP/txtbad.err")
if [[ $RC -eq 0 && $reported -eq 2 && $(grep -c "$t:" "$TMP/txtbad.err") -eq 2 ]]; then
    ok "text invalid lines: each reported as file:line: 'name': reason, run completes"
else
    not_ok "text invalid lines: each reported as file:line: 'name': reason, run completes" \
        "exit $RC, $reported of 2 reported" "$TMP/txtbad.err"
fi
got=$("$BIN" runs --db "$TMP/txtbad.db" --json | jq -c '[.status, .invalid, .targets_unique, .domains]')
check "text invalid lines: runs --json counts invalid 2" "got $got (status invalid unique domains)" \
    test "$got" = '["done",2,2,2]'

ms missing scan "$TMP/no-such-list.yaml" --db "$TMP/missing.db" "${LABARGS[@]}"
if [[ $RC -eq 2 ]] && grep -q "no-such-list.yaml: cannot open" "$TMP/missing.err"; then
    ok "missing list file: exit 2"
else
    not_ok "missing list file: exit 2" "exit $RC" "$TMP/missing.err"
fi

# --format csv on a .txt file: read as CSV, organisations attributed.
cp "$c" "$TMP/really-csv.txt"
ms fmtcsv scan "$TMP/really-csv.txt" --format csv --db "$TMP/fmtcsv.db" -q "${LABARGS[@]}"
got=$(sql "$TMP/fmtcsv.db" "SELECT d.name || '|' || o.name || '|' || o.category FROM domains d
    JOIN domain_organisations x ON x.domain_id = d.id JOIN organisations o ON o.id = x.organisation_id
    ORDER BY 1" | tr '\n' ' ')
want="good.example|Gemeente A|gemeente nomx.example|Gemeente B|gemeente shared1.example|Gemeente, B|gemeente "
check "--format csv on a .txt file: read as CSV, organisations attributed" "exit $RC, got '$got'" \
    test "$RC:$got" = "0:$want"

# ======================================================================
# 2. Duplicates: one domain, two organisations (and twice in one)
# ======================================================================
d=$TMP/dups.yaml
cat >"$d" <<'EOF'
organisations:
  - name: Gemeente Een
    category: gemeente
    domains: [good.example, shared1.example, GOOD.example.]
  - name: Provincie Twee
    category: provincie
    domains:
      - good.example
      - nomx.example
EOF
ms dups scan "$d" --db "$TMP/dups.db" -q "${LABARGS[@]}"
got=$(sql "$TMP/dups.db" "SELECT count(*) FROM domains WHERE name = 'good.example'")
check "duplicates: one domains row for a domain listed three times" "exit $RC, $got rows" \
    test "$RC:$got" = "0:1"
got=$(sql "$TMP/dups.db" "SELECT group_concat(n, ',') FROM (SELECT o.name AS n FROM domains d
    JOIN domain_organisations x ON x.domain_id = d.id JOIN organisations o ON o.id = x.organisation_id
    WHERE d.name = 'good.example' ORDER BY 1)")
check "duplicates: attributed to both organisations once each" "got '$got'" \
    test "$got" = "Gemeente Een,Provincie Twee"
got=$("$BIN" runs --db "$TMP/dups.db" --json | jq -c '[.entries, .targets_unique, .domains]')
check "duplicates: runs --json entries 5, targets_unique 3, domains 3" "got $got" test "$got" = '[5,3,3]'

# Tags of organisations (report --group-by): stored with the run, per
# organisation; a bad tag stops the list before anything is probed.
d=$TMP/tags.yaml
cat >"$d" <<'EOF'
organisations:
  - name: Gemeente Een
    category: gemeente
    domains: [good.example]
    tags: {provincie: Utrecht, "regio.code": "<R&1>"}
  - name: Provincie Twee
    tags:
      provincie: 'Fryslân'
      leeg: ~
    category: provincie
    domains: [nomx.example]
EOF
ms tags scan "$d" --db "$TMP/tags.db" -q "${LABARGS[@]}"
got=$(sql "$TMP/tags.db" "SELECT group_concat(o.name || ':' || t.key || '=' || t.value || '@' || t.line, ';')
    FROM (SELECT * FROM run_org_tags ORDER BY organisation_id, key) t JOIN organisations o ON o.id = t.organisation_id")
check "tags: a YAML list's tags are stored per organisation with their line" "exit $RC, got '$got'" \
    test "$RC:$got" = "0:Gemeente Een:provincie=Utrecht@5;Gemeente Een:regio.code=<R&1>@5;Provincie Twee:provincie=Fryslân@7"
printf 'organisations:\n  - name: A\n    domains: [good.example]\n    tags: {provincie: "x\\ny"}\n' >"$TMP/badtag.yaml"
ms badtag scan "$TMP/badtag.yaml" --db "$TMP/badtag.db" -q "${LABARGS[@]}"
check "tags: a tag value with a line break: exit 2 naming file:line:column, nothing probed" \
    "exit $RC, $(head -c 300 "$TMP/badtag.err")" \
    eval '[[ $RC -eq 2 ]] && grep -qF "badtag.yaml:4:23: tag '"'"'provincie'"'"': control character" "$TMP/badtag.err" &&
          [[ $(sql "$TMP/badtag.db" "SELECT count(*) FROM domains") == 0 ]]'

# ======================================================================
# 3. MX dedup: one connection per (MX host, IP) per run
# ======================================================================
# Every lab domain whose one MX is mx1.provider.example (127.25.0.26).
mapfile -t P1 < <(awk '/^zone /{ z = $2 } $2 == "MX" { n[z]++; if ($4 == "mx1.provider.example.") p[z] = 1 }
    END { for (z in p) if (n[z] == 1) print z }' tests/lab/zones.conf | sort)
p1ip=$(awk '/^zone provider\.example/{ p = 1; next } /^zone /{ p = 0 } p && $1 == "mx1" && $2 == "A" { print $3 }' tests/lab/zones.conf)
printf '%s\n' "${P1[@]}" >"$TMP/provider.txt"
if [[ ${#P1[@]} -lt 5 || $p1ip != 127.25.0.26 ]]; then
    not_ok "MX dedup: lab has domains on mx1.provider.example" "${#P1[@]} domains, address '$p1ip'"
fi
for i in 1 2; do
    mark=$(conn_mark)
    ms mxdedup$i scan "$TMP/provider.txt" --db "$TMP/mxdedup.db" -q "${LABARGS[@]}"
    n=$(conn_since "$mark" "$p1ip" | wc -l)
    all=$(conn_since "$mark" | wc -l)
    # one STARTTLS probe, plus the tls_ncsc handshakes of that one address
    # (every domain's evidence names the same shared probe)
    hs=$(sql "$TMP/mxdedup.db" "SELECT DISTINCT json_extract(evidence, '\$.mx[0].addresses[0].ncsc.handshakes')
        FROM domains WHERE run_id = $i" | tr '\n' ' ')
    check "MX dedup run $i: ${#P1[@]} domains, one STARTTLS probe + one tls_ncsc probe to mx1.provider.example" \
        "exit $RC, $n connections to $p1ip, $all in all, tls_ncsc handshakes '$hs'" \
        eval '[[ $RC -eq 0 && $hs =~ ^[0-9]+\ $ && $n -eq $((1 + hs)) && $all -eq $n ]]'
done
got=$(sql "$TMP/mxdedup.db" "SELECT count(*) FROM addresses a JOIN mx_hosts m ON m.id = a.mx_host_id
    WHERE m.run_id = 2 AND a.ip = '$p1ip' AND json_extract(a.evidence, '\$.starttls.starttls') = 'ok'")
check "MX dedup: the one probe's result stored for every domain" "$got address rows" \
    test "$got" -eq "${#P1[@]}"

# ======================================================================
# 4. kill -9 at several points, then --resume
# ======================================================================
# The list: 3,000 NXDOMAIN names (quick), 22 lab domains with their own SMTP
# connections spread between them and slowok.example (about 4 s), repeated
# 66 times (about 200,000 entries) so that reading the list takes a moment.
# --rate 4 spreads the SMTP connections over several seconds, so kills after
# 0.3, 1 and 2 s land at different points of the run.
KLAB=(slowok.example good.example dane-ta.example dane-ta-wrongname.example dane-ee-expired.example
      dane-mismatch.example dane-usage1.example dane-bogus.example dane-partial.example
      unsigned-mx.example unsigned.example bogus-ds.example nostarttls.example tls10.example
      tls12.example brokentls.example starttls-reject.example stale.example shared1.example
      cname-mx.example sts-wild2.example sts-certfail.example nullmx-mixed.example)
k=$TMP/kill.txt
awk -v lab="${KLAB[*]}" 'BEGIN { n = split(lab, L, " ")
    for (i = 1; i <= 3000; i++) { if (i % 130 == 1 && ++j <= n) u[++m] = L[j]; u[++m] = sprintf("nx%05d.example", i) }
    while (j < n) u[++m] = L[++j]
    for (r = 0; r < 66; r++) for (i = 1; i <= m; i++) print u[i] }' >"$k"
sort -u "$k" >"$TMP/kill.unique"
nunique=$(wc -l <"$TMP/kill.unique")
kdb=$TMP/kill.db
KARGS=(scan "$k" --db "$kdb" --concurrency 3 --rate 4 -v "${LABARGS[@]}")
stored() { sql "$kdb" "SELECT count(*) FROM domains WHERE run_id = 1"; }
loading() { [[ -s $kdb ]] && [[ $(sql "$kdb" "SELECT count(*) FROM run_targets" 2>/dev/null) -gt 0 ]]; }
loaded() { [[ $(sql "$kdb" "SELECT loaded FROM runs WHERE id = 1" 2>/dev/null) == 1 ]]; }

# (a) kill -9 while the list is being read: as soon as the first targets are
# committed. Reading takes a few tenths of a second; should the poll miss
# that window (the run got loaded first), start afresh, three times at most.
for attempt in 1 2 3; do
    rm -f "$kdb" "$kdb"-*
    "$BIN" "${KARGS[@]}" >"$TMP/kill0.out" 2>"$TMP/kill0.err" &
    pid=$!
    BGPIDS+=("$pid")
    wait_for 20 loading
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    st=$?
    got=$(sql "$kdb" "SELECT status || ' ' || loaded || ' ' || n_targets || ' ' || (SELECT count(*) FROM run_targets) FROM runs WHERE id = 1")
    read -r kst kloaded kntargets ktargets <<<"$got"
    [[ $kloaded == 1 ]] || break
done
# (All unique names come in the first 3,023 entries: the rest of the list
# repeats them, so the targets may all be there while the reading goes on.)
if [[ $st -eq 137 && $kst == running && $kloaded == 0 && $kntargets == 0 && ${ktargets:-0} -gt 0 ]]; then
    ok "kill -9 while reading the list: run left unloaded (loaded 0, $ktargets targets so far; attempt $attempt)"
else
    not_ok "kill -9 while reading the list: run left unloaded" \
        "exit $st; status, loaded, n_targets, targets read: '$got' of $nunique" "$TMP/kill0.err"
fi
got=$("$BIN" runs --db "$kdb" --json | jq -c '[.status, .targets_unique, .domains]')
check "kill -9 while reading: runs --json shows running, targets_unique 0" "got $got" \
    test "$got" = '["running",0,0]'

# (b) resume and kill -9 again, three times, after 0.3, 1 and 2 s
prev=0
mid=0
i=0
for delay in 0.3 1 2; do
    i=$((i + 1))
    "$BIN" "${KARGS[@]}" --resume >"$TMP/kill$i.out" 2>"$TMP/kill$i.err" &
    pid=$!
    BGPIDS+=("$pid")
    wait_for 30 loaded   # the first resume reads the list again first
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    st=$?
    got=$(sql "$kdb" "SELECT r.status || ' ' || r.loaded || ' ' || r.n_targets || ' ' ||
        (SELECT count(*) FROM domains d WHERE d.run_id = 1) || ' ' ||
        (SELECT count(DISTINCT name) FROM domains d WHERE d.run_id = 1) || ' ' ||
        (SELECT count(*) FROM runs) FROM runs r WHERE r.id = 1")
    read -r kst kloaded kntargets kn kdistinct kruns <<<"$got"
    if [[ $st -eq 137 && $kst == running && $kloaded == 1 && $kntargets == "$nunique" &&
          $kn == "$kdistinct" && $kn -ge $prev && $kn -lt $nunique && $kruns == 1 ]]; then
        ok "kill -9 after ${delay} s of a resumed run: $kn of $nunique stored, none twice, none lost"
    else
        not_ok "kill -9 after ${delay} s of a resumed run" \
            "exit $st; status loaded n_targets stored distinct runs: '$got' (before: $prev of $nunique)" "$TMP/kill$i.err"
    fi
    [[ $kn -gt 0 && $kn -lt $nunique ]] && mid=$((mid + 1))
    prev=${kn:-0}
done
check "the kills landed mid-run (some stored, some not)" "only $mid of 3 kills left a partly stored run" \
    test "$mid" -ge 2

# (c) the final resume finishes the run, probing only what was left
before=$(stored)
ms killfinal "${KARGS[@]}" --resume
probed=$(sed -nE 's/.*info: ([0-9]+) domains probed.*/\1/p' "$TMP/killfinal.err")
got=$(sql "$kdb" "SELECT status || ' ' || count(d.id) || ' ' || count(DISTINCT d.name) FROM runs r
    LEFT JOIN domains d ON d.run_id = r.id WHERE r.id = 1")
if [[ $RC -eq 0 && $got == "done $nunique $nunique" ]]; then
    ok "final --resume: exit 0, done, $nunique domains stored once each"
else
    not_ok "final --resume: exit 0, done, every domain stored once" "exit $RC; status stored distinct: '$got' of $nunique" "$TMP/killfinal.err"
fi
missing=$(sql "$kdb" "SELECT name FROM domains WHERE run_id = 1 ORDER BY name" | comm -23 "$TMP/kill.unique" - | wc -l)
check "final --resume: every target name is present" "$missing names missing" test "$missing" -eq 0
check "final --resume probed only the unfinished: $((nunique - before)) domains" \
    "'N domains probed' says '${probed:-nothing}', expected $nunique - $before stored before" \
    test "${probed:-x}" = "$((nunique - before))"
got=$("$BIN" runs --db "$kdb" --json | jq -c '[.run, .status, .domains, .targets_unique, .entries]')
check "final --resume: runs --json shows one done run with all domains" "got $got" \
    test "$got" = "[1,\"done\",$nunique,$nunique,$(wc -l <"$k")]"

ms resume-none "${KARGS[@]}" --resume
if [[ $RC -eq 2 ]] && grep -q "no unfinished run" "$TMP/resume-none.err"; then
    ok "--resume with nothing to resume: exit 2"
else
    not_ok "--resume with nothing to resume: exit 2" "exit $RC" "$TMP/resume-none.err"
fi

# ======================================================================
# 5. SIGTERM mid-run: exit 3, resumable; --resume of another list refused
# ======================================================================
s=$TMP/term.txt
printf '%s\n' good.example slowok.example nomx.example tls12.example shared2.example >"$s"
sdb=$TMP/term.db
"$BIN" scan "$s" --db "$sdb" --concurrency 2 "${LABARGS[@]}" >"$TMP/term.out" 2>"$TMP/term.err" &
pid=$!
BGPIDS+=("$pid")
term_stored() { [[ -s $sdb && $(sql "$sdb" 'SELECT count(*) FROM domains' 2>/dev/null) -ge 1 ]]; }
wait_for 20 term_stored
kill -TERM "$pid" 2>/dev/null
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_for 60 gone "$pid" || kill -9 "$pid" 2>/dev/null   # it must stop, not hang
wait "$pid"
st=$?
if [[ $st -eq 3 ]] && grep -q -- "--resume" "$TMP/term.err"; then
    ok "SIGTERM mid-run: exit 3, message mentions --resume"
else
    not_ok "SIGTERM mid-run: exit 3, message mentions --resume" "exit $st" "$TMP/term.err"
fi
got=$(sql "$sdb" "SELECT status || ' ' || (SELECT count(*) FROM domains) FROM runs WHERE id = 1")
check "SIGTERM mid-run: status stays running, domains stored so far kept" "status, stored: '$got'" \
    eval '[[ $got =~ ^running\ [1-4]$ ]]'
ms term-other scan "$TMP/provider.txt" --db "$sdb" --resume "${LABARGS[@]}"
if [[ $RC -eq 2 ]] && grep -q "unfinished run 1 is of" "$TMP/term-other.err" &&
    [[ $(sql "$sdb" "SELECT count(*) FROM runs") -eq 1 ]]; then
    ok "--resume with a different list than the unfinished run's: exit 2"
else
    not_ok "--resume with a different list than the unfinished run's: exit 2" "exit $RC" "$TMP/term-other.err"
fi
ms term-resume scan "$s" --db "$sdb" --resume "${LABARGS[@]}"
got=$(sql "$sdb" "SELECT status || ' ' || (SELECT count(*) FROM domains WHERE run_id = 1) FROM runs WHERE id = 1")
check "SIGTERM then --resume: exit 0, run done with all 5 domains" "exit $RC, status, stored: '$got'" \
    test "$RC:$got" = "0:done 5"

# ======================================================================
# 6. Shards and merge: the same as one unsharded run
# ======================================================================
# The deterministic lab domains over four organisations; good.example is
# listed by two of them, nomx.example twice by one.
m=$TMP/shard.yaml
{
    echo "organisations:"
    for o in 0 1 2 3; do
        printf '  - name: Organisatie %d\n    category: categorie %d\n' "$o" $((o % 2))
        [[ $o -ne 3 ]] && printf '    tags: {paar: "%d", naam: O%d}\n' $((o % 2)) "$o"
        printf '    domains:\n'
        for ((j = o; j < ${#DET[@]}; j += 4)); do printf '      - %s\n' "${DET[$j]}"; done
        [[ $o -eq 2 ]] && printf '      - good.example\n      - nomx.example\n      - NoMX.example.\n'
    done
} >"$m"
ms whole scan "$m" --db "$TMP/whole.db" -q "${LABARGS[@]}"
check "shards: the unsharded scan completes" "exit $RC" test "$RC" -eq 0
for K in 1 2 3; do
    ms shard$K scan "$m" --shard "$K/3" --db "$TMP/s$K.db" -q "${LABARGS[@]}"
    check "shards: scan --shard $K/3 completes" "exit $RC" test "$RC" -eq 0
done
for K in 1 2 3; do sql "$TMP/s$K.db" "SELECT name FROM domains ORDER BY name" >"$TMP/s$K.names"; done
sql "$TMP/whole.db" "SELECT name FROM domains ORDER BY name" >"$TMP/whole.names"
dupnames=$(sort "$TMP"/s[123].names | uniq -d | wc -l)
empty=0
for K in 1 2 3; do [[ -s $TMP/s$K.names ]] || empty=$((empty + 1)); done
check "shards: disjoint, none empty" "$dupnames names in more than one shard, $empty empty shards" \
    test "$dupnames:$empty" = "0:0"
check "shards: together the whole list" "the union differs from the unsharded run's $(wc -l <"$TMP/whole.names") domains" \
    cmp -s <(sort "$TMP"/s[123].names) "$TMP/whole.names"
check "shards: the unsharded run has every listed domain" "$(wc -l <"$TMP/whole.names") of ${#DET[@]}" \
    cmp -s <(printf '%s\n' "${DET[@]}" | sort -u) "$TMP/whole.names"

ms merge merge --db "$TMP/merged.db" "$TMP/s1.db" "$TMP/s2.db" "$TMP/s3.db"
check "merge of the three shards: exit 0" "exit $RC" test "$RC" -eq 0
check "merge: the provenance of the first shard, and every shard under merged_from" "got $(sql "$TMP/merged.db" 'SELECT provenance FROM runs')" \
    eval '[[ $(prov "$TMP/merged.db" targets_sha256) == "$(sha256sum <"$m" | cut -c1-64)" &&
          $(prov "$TMP/merged.db" merged_from) == "$TMP/s1.db (run 1), $TMP/s2.db (run 1), $TMP/s3.db (run 1)" ]]'
VQ="SELECT d.name, v.standard, v.verdict, v.reasons FROM domains d JOIN verdicts v ON v.domain_id = d.id
    WHERE d.run_id = (SELECT max(id) FROM runs) ORDER BY 1, 2"
OQ="SELECT d.name, o.name, o.category FROM domains d JOIN domain_organisations x ON x.domain_id = d.id
    JOIN organisations o ON o.id = x.organisation_id WHERE d.run_id = (SELECT max(id) FROM runs) ORDER BY 1, 2"
sql "$TMP/whole.db" "$VQ" >"$TMP/whole.verdicts"
sql "$TMP/merged.db" "$VQ" >"$TMP/merged.verdicts"
if [[ -s $TMP/whole.verdicts ]] && cmp -s "$TMP/whole.verdicts" "$TMP/merged.verdicts"; then
    ok "merge: verdicts and reasons equal the unsharded run's ($(wc -l <"$TMP/whole.verdicts") rows)"
else
    not_ok "merge: verdicts and reasons equal the unsharded run's" \
        "$(diff "$TMP/whole.verdicts" "$TMP/merged.verdicts" | grep -c '^[<>]') lines differ"
    diff "$TMP/whole.verdicts" "$TMP/merged.verdicts" | head -n 6 | sed 's/^/  /'
fi
sql "$TMP/whole.db" "$OQ" >"$TMP/whole.orgs"
sql "$TMP/merged.db" "$OQ" >"$TMP/merged.orgs"
if [[ -s $TMP/whole.orgs ]] && grep -q '^good\.example|Organisatie 2|' "$TMP/whole.orgs" &&
    cmp -s "$TMP/whole.orgs" "$TMP/merged.orgs"; then
    ok "merge: domain -> organisation attributions equal the unsharded run's"
else
    not_ok "merge: domain -> organisation attributions equal the unsharded run's" "they differ"
    diff "$TMP/whole.orgs" "$TMP/merged.orgs" | head -n 6 | sed 's/^/  /'
fi
TQ="SELECT o.name, t.key, t.value, t.line FROM run_org_tags t JOIN organisations o ON o.id = t.organisation_id
    WHERE t.run_id = (SELECT max(id) FROM runs) ORDER BY 1, 2"
sql "$TMP/whole.db" "$TQ" >"$TMP/whole.tags"
sql "$TMP/merged.db" "$TQ" >"$TMP/merged.tags"
check "merge: the organisations' tags equal the unsharded run's (6 tags)" \
    "$(wc -l <"$TMP/whole.tags") vs $(wc -l <"$TMP/merged.tags") rows" \
    eval '[[ $(wc -l <"$TMP/whole.tags") -eq 6 ]] && cmp -s "$TMP/whole.tags" "$TMP/merged.tags"'
# The probes' own evidence (probe_evidence): stored per domain and probe as
# valid JSON, copied by merge unchanged, shown by the reports.
EQ="SELECT d.name, e.probe, e.evidence FROM domains d JOIN probe_evidence e ON e.domain_id = d.id
    WHERE d.run_id = (SELECT max(id) FROM runs) ORDER BY 1, 2"
sql "$TMP/whole.db" "$EQ" >"$TMP/whole.evidence"
sql "$TMP/merged.db" "$EQ" >"$TMP/merged.evidence"
nev=$(sql "$TMP/whole.db" "SELECT count(*) FROM probe_evidence e JOIN domains d ON d.id = e.domain_id
    WHERE d.run_id = (SELECT max(id) FROM runs) AND json_valid(e.evidence)")
ndom=$(wc -l <"$TMP/whole.names")
check "evidence: dnssec, mta_sts, tlsrpt, spf, dmarc, dkim, rpki and ipv6 stored as JSON for every domain" \
    "$nev rows for $ndom domains" eval '[[ $nev -eq $((ndom * 8)) ]]'
if [[ -s $TMP/whole.evidence ]] && cmp -s "$TMP/whole.evidence" "$TMP/merged.evidence"; then
    ok "merge: the probes' evidence equals the unsharded run's"
else
    not_ok "merge: the probes' evidence equals the unsharded run's" \
        "$(diff "$TMP/whole.evidence" "$TMP/merged.evidence" | grep -c '^[<>]') lines differ"
    diff "$TMP/whole.evidence" "$TMP/merged.evidence" | head -n 4 | cut -c1-400 | sed 's/^/  /'
fi
check "evidence: the SPF tree names where the 11th lookup is" "$(grep -c '^lookups.spf.example|spf|' "$TMP/whole.evidence") rows" \
    eval '[[ $(sql "$TMP/whole.db" "SELECT json_extract(e.evidence, '"'"'$.where.term'"'"') FROM probe_evidence e
          JOIN domains d ON d.id = e.domain_id WHERE d.name = '"'"'lookups.spf.example'"'"' AND e.probe = '"'"'spf'"'"'") == a:h9.spf.example ]]'
ms evrep report --db "$TMP/whole.db" --format md --lang en
check "report: the md appendix shows each probe's evidence by its title" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && grep -qF -- "- SPF:" "$TMP/evrep.out" && grep -qF -- "  - where.term: a:h9.spf.example" "$TMP/evrep.out" &&
          grep -qF -- "  - org\\_domain: dmarc.example" "$TMP/evrep.out" && grep -qF -- "- DKIM:" "$TMP/evrep.out"'
ms evjson report --db "$TMP/whole.db" --format json
check "report: json carries the evidence under probes" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && jq -e ".domains[] | select(.name == \"reject.dmarc.example\") | .evidence.probes.dmarc.org_domain == \"dmarc.example\"" "$TMP/evjson.out" >/dev/null'
# The lookups behind an error verdict with a DNS reason (the evidence's
# dns_failures): bogus-ds.example's MX answer fails validation; a healthy
# domain lists none.
ms evhtml report --db "$TMP/whole.db" --format html --lang en
check "report: md, json and html list the failed lookups behind a DNS error" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && grep -qF -- "- Failed DNS lookups:" "$TMP/evrep.out" &&
          grep -qF -- "  - bogus-ds.example MX: bogus (bogus: validation failure" "$TMP/evrep.out" &&
          jq -e ".domains[] | select(.name == \"bogus-ds.example\") | .evidence.dns_failures |
                any(startswith(\"bogus-ds.example MX: bogus (bogus: \"))" "$TMP/evjson.out" >/dev/null &&
          jq -e ".domains[] | select(.name == \"good.example\") | .evidence | has(\"dns_failures\") | not" \
                "$TMP/evjson.out" >/dev/null &&
          grep -qF "Failed DNS lookups</th><td><pre class=\"txt\">" "$TMP/evhtml.out" &&
          grep -qF "bogus-ds.example MX: bogus (bogus: validation failure &lt;" "$TMP/evhtml.out"'
cw=$(counts "$TMP/whole.db")
cm=$(counts "$TMP/merged.db")
check "merge: runs --json counts equal the unsharded run's" "unsharded $cw, merged $cm (domains unique invalid pass warn fail n/a error)" \
    test -n "$cw" -a "$cw" = "$cm"
got=$("$BIN" runs --db "$TMP/merged.db" --json | jq -r '.status')
check "merge: the merged run is done" "status $got" test "$got" = "done"
# The list's entries, too (runs: "the list had N entries"): for the YAML
# list (nomx.example twice in one organisation) and for a text list (no
# organisations; good.example twice).
ew=$(runs_field "$TMP/whole.db" entries)
em=$(runs_field "$TMP/merged.db" entries)
printf '%s\n' "${DET[@]:0:8}" good.example >"$TMP/shard.txt"
ms wholet scan "$TMP/shard.txt" --db "$TMP/wholet.db" -q "${LABARGS[@]}"
ms shardt1 scan "$TMP/shard.txt" --shard 1/2 --db "$TMP/t1.db" -q "${LABARGS[@]}"
ms shardt2 scan "$TMP/shard.txt" --shard 2/2 --db "$TMP/t2.db" -q "${LABARGS[@]}"
ms merget merge --db "$TMP/mergedt.db" "$TMP/t1.db" "$TMP/t2.db"
ewt=$(runs_field "$TMP/wholet.db" entries)
emt=$(runs_field "$TMP/mergedt.db" entries)
if [[ -n $ew && $ew == "$em" && $ewt == 9 && $emt == 9 ]]; then
    ok "merge: the merged run's entries equal the unsharded run's (YAML $ew, text 9)"
else
    not_ok "merge: the merged run's entries equal the unsharded run's" \
        "YAML list: unsharded $ew, merged $em; text list: unsharded $ewt, merged $emt (expected 9)"
fi

cp "$TMP/merged.db" "$TMP/merged-before.db"
ms merge-again merge --db "$TMP/merged.db" "$TMP/s3.db" "$TMP/s1.db" "$TMP/s2.db"
got=$("$BIN" runs --db "$TMP/merged.db" --json | jq -s -c 'map(.run)')
c1=$(counts "$TMP/merged.db" 1)
c2=$(counts "$TMP/merged.db" 2)
check "merge into a database with a run: adds run 2, run 1 unchanged" \
    "exit $RC, runs $got, counts run 1 $c1, run 2 $c2, unsharded $cw" \
    test "$RC:$got:$c1:$c2" = "0:[1,2]:$cw:$cw"

refuse() { # NAME GREP ARGS...: merge must exit 2, say GREP and leave OUT without runs
    local name=$1 re=$2
    shift 2
    rm -f "$TMP/refused.db"*
    ms refuse merge --db "$TMP/refused.db" "$@"
    local runs
    runs=$(sql "$TMP/refused.db" "SELECT count(*) FROM runs" 2>/dev/null || echo 0)
    if [[ $RC -eq 2 && $runs -eq 0 ]] && grep -qE -- "$re" "$TMP/refuse.err"; then
        ok "merge refuses $name: exit 2, nothing merged"
    else
        not_ok "merge refuses $name: exit 2, nothing merged" "exit $RC, $runs runs in OUT" "$TMP/refuse.err"
    fi
}
ms merge-partial merge --db "$TMP/partial.db" "$TMP/s1.db" "$TMP/s3.db"
got=$("$BIN" runs --db "$TMP/partial.db" --json | jq -c '[.status, .domains]')
want=$(($(wc -l <"$TMP/s1.names") + $(wc -l <"$TMP/s3.names")))
if [[ $RC -eq 0 && $got == "[\"partial\",$want]" ]] && grep -q "partial" "$TMP/merge-partial.err"; then
    ok "merge with shard 2/3 missing: run partial, with a warning"
else
    not_ok "merge with shard 2/3 missing: run partial, with a warning" "exit $RC, status and domains $got (want $want)" "$TMP/merge-partial.err"
fi
refuse "the same shard twice" "given twice" "$TMP/s1.db" "$TMP/s2.db" "$TMP/s1.db"
ms shard22 scan "$m" --shard 2/2 --db "$TMP/n2.db" -q "${LABARGS[@]}"
refuse "shards of different N" "does not belong" "$TMP/s1.db" "$TMP/n2.db"
refuse "a run that is not a shard" "not a shard" "$TMP/s1.db" "$TMP/whole.db"

# ======================================================================
# 7. diff
# ======================================================================
dl=$TMP/diff.txt
printf '%s\n' good.example dane-mismatch.example nomx.example tls10.example sts-testing.example >"$dl"
ddb=$TMP/diff.db
ms diff-scan1 scan "$dl" --db "$ddb" -q "${LABARGS[@]}"
# one finished run: prev does not exist yet; say so and count the runs
ms diff-one diff --db "$ddb" prev last
if [[ $RC -eq 2 ]] && grep -q "diff needs two finished runs for 'prev'; $ddb has 1" "$TMP/diff-one.err" &&
    ! grep -q "no run" "$TMP/diff-one.err"; then
    ok "diff prev last after one run: exit 2, two finished runs needed, 1 there"
else
    not_ok "diff prev last after one run: exit 2, two finished runs needed, 1 there" "exit $RC" "$TMP/diff-one.err"
fi
ms diff-scan2 scan "$dl" --db "$ddb" -q "${LABARGS[@]}"
# runs: the domains column ("stored/unique") ends where its header ends
ms runs-table runs --db "$ddb"
hdr=$(awk 'NR == 1 { print index($0, " domains ") + 7 }' "$TMP/runs-table.out")
row=$(awk 'NR == 2 && match($0, / [0-9]+\/[0-9]+ /) { print RSTART + RLENGTH - 2 }' "$TMP/runs-table.out")
check "runs: the domains column lines up with its header" "header ends at $hdr, row at ${row:-?}" \
    eval '[[ $RC -eq 0 && $hdr -gt 7 && $hdr == "$row" ]]'
ms diff0 diff --db "$ddb" 1 2
if [[ $RC -eq 0 ]] && grep -qE '^run 1 -> 2: 0 regressed, 0 improved, 0 changed, 0 new, 0 gone, 55 unchanged' "$TMP/diff0.out"; then
    ok "diff of two scans of one list: exit 0, nothing regressed"
else
    not_ok "diff of two scans of one list: exit 0, nothing regressed" "exit $RC" "$TMP/diff0.out" "$TMP/diff0.err"
fi
# dane-mismatch.example dane is fail in both: make run 1 pass -> regressed in 2
setv() { sql "$ddb" "UPDATE verdicts SET verdict = '$4' WHERE standard = '$3' AND domain_id =
    (SELECT id FROM domains WHERE run_id = $1 AND name = '$2')"; }
setv 1 dane-mismatch.example dane pass
ms diff1 diff --db "$ddb" 1 2
if [[ $RC -eq 1 ]] && grep -qE '^regressed +dane-mismatch\.example +dane +pass -> fail' "$TMP/diff1.out" &&
    [[ $(grep -c '^regressed' "$TMP/diff1.out") -eq 1 ]]; then
    ok "diff: a regression exits 1 and names domain and standard"
else
    not_ok "diff: a regression exits 1 and names domain and standard" "exit $RC" "$TMP/diff1.out"
fi
ms diffpl diff --db "$ddb" prev last
check "diff prev last = diff 1 2" "exit $RC, output differs" \
    eval '[[ $RC -eq 1 ]] && cmp -s "$TMP/diff1.out" "$TMP/diffpl.out"'
ms diffj diff --db "$ddb" --json 1 2
got=$(jq -s -c 'map(select(.change == "regressed") | [.domain, .standard, .a, .b])' "$TMP/diffj.out" 2>&1)
if [[ $RC -eq 1 && $got == '[["dane-mismatch.example","dane","pass","fail"]]' ]] &&
    jq -e -s 'length > 0 and all(.[]; has("change") and has("domain") and has("standard"))' "$TMP/diffj.out" >/dev/null; then
    ok "diff --json: lines parse, carry change/domain/standard"
else
    not_ok "diff --json: lines parse, carry change/domain/standard" "exit $RC, regressed: $got" "$TMP/diffj.out"
fi
setv 1 dane-mismatch.example dane fail
setv 2 tls10.example starttls pass
ms diff2 diff --db "$ddb" 1 2
if [[ $RC -eq 0 ]] && grep -qE '^improved +tls10\.example +starttls +fail -> pass' "$TMP/diff2.out" &&
    grep -q ' 0 regressed, 1 improved' "$TMP/diff2.out"; then
    ok "diff: an improvement only exits 0"
else
    not_ok "diff: an improvement only exits 0" "exit $RC" "$TMP/diff2.out"
fi
ms diff-unknown diff --db "$ddb" 1 99
if [[ $RC -eq 2 ]] && grep -q "no run '99'" "$TMP/diff-unknown.err"; then
    ok "diff with an unknown run: exit 2"
else
    not_ok "diff with an unknown run: exit 2" "exit $RC" "$TMP/diff-unknown.err"
fi
ms diff-nodb diff --db "$TMP/no-such.db" 1 2
check "diff with a missing database: exit 2, no file created" "exit $RC" \
    eval '[[ $RC -eq 2 && ! -e $TMP/no-such.db ]]'

# ======================================================================
# 8. The one retry of a transient failure (421 from tempfail.example)
# ======================================================================
tdb=$TMP/tempfail.db
printf 'tempfail.example\n' >"$TMP/tempfail.txt"
tests/lab/lab.sh rearm
mark=$(conn_mark)
ms tempfail scan "$TMP/tempfail.txt" --db "$tdb" -q "${LABARGS[@]}"
got=$(sql "$tdb" "SELECT (json_extract(a.evidence, '\$.starttls.first_attempt') IS NOT NULL) || '|' ||
    json_extract(a.evidence, '\$.starttls.first_attempt.starttls') || ': ' ||
    json_extract(a.evidence, '\$.starttls.first_attempt.error') || '|' ||
    json_extract(a.evidence, '\$.starttls.starttls') FROM addresses a
    JOIN mx_hosts m ON m.id = a.mx_host_id WHERE m.host = 'mx.tempfail.example' AND a.ip = '127.25.0.29'")
if [[ $RC -eq 0 && $got == 1\|bad-greeting*\|ok ]]; then
    ok "421 then success: retried=1, first_attempt bad-greeting..., starttls ok"
else
    not_ok "421 then success: retried=1, first_attempt bad-greeting..., starttls ok" "exit $RC, got '$got'" "$TMP/tempfail.err"
fi
got=$(sql "$tdb" "SELECT v.verdict FROM verdicts v JOIN domains d ON d.id = v.domain_id WHERE d.name = 'tempfail.example' AND v.standard = 'starttls'")
check "421 then success: starttls verdict pass" "got '$got'" test "$got" = pass
got=$(conn_since "$mark" 127.25.0.29 | head -n 2 | tr '\n' ',')
n=$(conn_since "$mark" 127.25.0.29 | wc -l)
hs=$(sql "$tdb" "SELECT json_extract(evidence, '\$.mx[0].addresses[0].ncsc.handshakes') FROM domains
    WHERE name = 'tempfail.example'")
check "421 then success: two STARTTLS connections, the first refused, then the tls_ncsc ones" \
    "log: $got; $n in all, tls_ncsc handshakes '$hs'" \
    eval '[[ $got == "127.25.0.29 tempfail 421,127.25.0.29 tempfail," && $hs =~ ^[0-9]+$ && $n -eq $((2 + hs)) ]]'

got=$(runs_field "$tdb" retried)
check "421 then success: runs --json counts 1 retried" "got '$got'" test "$got" = 1
tests/lab/lab.sh rearm
ms tempfail-check check --json "${LABARGS[@]}" tempfail.example
got=$(jq -c '.mx[0].addresses[0] | [.starttls, .first_attempt.starttls, (.first_attempt.error // "" | test("421"))]' \
    "$TMP/tempfail-check.out" 2>&1)
# (exit 1: tempfail.example publishes no SPF or DMARC, required standards)
check "check --json: first_attempt in the address object" "exit $RC, got '$got'" \
    test "$RC:$got" = '1:["ok","bad-greeting",true]'

# ======================================================================
# 9. --rate: a lower bound on the time, connections spaced out
# ======================================================================
# Six domains, six different SMTP addresses: one STARTTLS probe each, plus
# the tls_ncsc handshakes of each address, all through the one bucket.
printf '%s\n' dane-ta.example dane-ta-wrongname.example dane-ee-expired.example tls12.example \
    shared3.example sts-wild2.example >"$TMP/rate.txt"
mark=$(conn_mark)
t0=$(date +%s.%N)
# (LeakSanitizer cannot work under ptrace: no leak check for this one run.)
ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" strace -f -qq -tt -e trace=connect -o "$TMP/rate.trace" \
    "$BIN" scan "$TMP/rate.txt" --db "$TMP/rate.db" --rate 10 -q "${LABARGS[@]}" >"$TMP/rate.out" 2>"$TMP/rate.err"
RC=$?
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
n=$(conn_since "$mark" | wc -l)
hs=$(sql "$TMP/rate.db" "SELECT sum(json_extract(evidence, '\$.mx[0].addresses[0].ncsc.handshakes')) FROM domains")
check "--rate 10: six STARTTLS probes and their tls_ncsc handshakes happen" \
    "exit $RC, $n connections logged, tls_ncsc handshakes '$hs'" \
    eval '[[ $RC -eq 0 && $hs =~ ^[0-9]+$ && $n -eq $((6 + hs)) ]]'
check "--rate 10: $n connections take at least ($n - 1) / 10 s" "took $secs s" \
    awk -v s="$secs" -v n="$n" 'BEGIN { exit !(n > 6 && s >= (n - 1) / 10.0 - 0.05) }'
# connect() calls to port 25, by time: any k + 1 of them in a row span at
# least k / 10 s, less 0.03 s: the time between the token and the connect()
# that strace -f stamps, which grew to 15 ms on a slow machine (two
# connections 0.085 s apart at k = 1). Twice the rate fails at k = 10 by
# 0.5 s, a burst at k = 1.
gaps=$(grep 'htons(25)' "$TMP/rate.trace" | awk '{ split($2, t, ":"); c[n++] = t[1] * 3600 + t[2] * 60 + t[3] }
    END { worst = 1; for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) {
              d = c[j] - c[i] - (j - i) / 10.0; if (d < worst) { worst = d; k = j - i } }
          printf "%d %.3f %d", n, worst, k }')
check "--rate 10: any k + 1 connect() to port 25 in a row span at least k / 10 s, less 0.03 s" \
    "connections, worst span less k / 10 s, at k: $gaps" \
    awk -v g="$gaps" -v n="$n" 'BEGIN { split(g, x, " "); exit !(x[1] == n && x[2] >= -0.03) }'

# ======================================================================
# 10. Progress on a terminal only
# ======================================================================
printf '%s\n' good.example nomx.example nx00001.example >"$TMP/progress.txt"
script -qec "$(printf '%q ' "$BIN" scan "$TMP/progress.txt" --db "$TMP/progress.db" "${LABARGS[@]}")" \
    /dev/null </dev/null >"$TMP/progress.tty" 2>&1
st=$?
check "progress on a terminal: done/total domains, /s, ETA" "exit $st" \
    eval '[[ $st -eq 0 ]] && grep -qaE "[0-9]+/[0-9]+ domains +[0-9.]+/s +ETA" "$TMP/progress.tty"'
ms noprogress scan "$TMP/progress.txt" --db "$TMP/progress.db" "${LABARGS[@]}"
check "no progress line without a terminal" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && ! grep -qaE "ETA|/s" "$TMP/noprogress.err"'

# ======================================================================
# 11. runs, and usage errors
# ======================================================================
got=$("$BIN" runs --db "$TMP/merged.db" --json | jq -e -s -c 'map(.run)' 2>&1)
check "runs --json: every line parses" "got $got" test "$got" = "[1,2]"
ms runs-missing runs --db "$TMP/no-such.db"
check "runs on a missing file: exit 2" "exit $RC" eval '[[ $RC -eq 2 && ! -e $TMP/no-such.db ]]'
ms usage-nodb scan "$TMP/provider.txt" "${LABARGS[@]}"
check "scan without --db: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -q -- "--db FILE is required" "$TMP/usage-nodb.err"'
ms usage-two scan "$TMP/provider.txt" "$TMP/rate.txt" --db "$TMP/usage.db" "${LABARGS[@]}"
check "scan with two lists: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -q "exactly one target list" "$TMP/usage-two.err"'
for bad in 0/3 4/3 x; do
    ms usage-shard scan "$TMP/provider.txt" --shard "$bad" --db "$TMP/usage.db" "${LABARGS[@]}"
    check "--shard $bad: exit 2 naming --shard" "exit $RC" \
        eval '[[ $RC -eq 2 ]] && grep -q -- "--shard" "$TMP/usage-shard.err"'
done
check "usage errors create no run" "runs in usage.db" \
    eval '[[ ! -e $TMP/usage.db || $(sql "$TMP/usage.db" "SELECT count(*) FROM runs" 2>/dev/null || echo 0) -eq 0 ]]'

# ======================================================================
# scan --metrics: the run's figures in the Prometheus text format (golden
# file, the time-dependent values masked), replaced atomically; a file that
# cannot be written fails the command (exit 3) but not the stored run
# ======================================================================
mdb=$TMP/metrics.db
ms metrics1 scan tests/data/metrics/targets.yaml --db "$mdb" -q "${LABARGS[@]}" --metrics "$TMP/m.prom"
mask() { sed -e 's/^\(mailscan_run_duration_seconds\) .*/\1 X/' \
    -e 's/^\(mailscan_run_finished_timestamp_seconds\) .*/\1 X/' -e 's/version="[^"]*"/version="X"/' "$1"; }
if [[ $RC -eq 0 ]] && diff <(mask "$TMP/m.prom") tests/data/metrics/golden.prom >"$TMP/m.diff"; then
    ok "--metrics: the figures equal tests/data/metrics/golden.prom"
else
    not_ok "--metrics: the figures equal tests/data/metrics/golden.prom" "exit $RC" "$TMP/m.diff" "$TMP/metrics1.err"
fi
check "--metrics: time values are numbers" "$(grep -E '^mailscan_run_(duration|finished)' "$TMP/m.prom" | tr '\n' ' ')" \
    eval '[[ $(grep -cE "^mailscan_run_duration_seconds [0-9]+\.[0-9]{3}$|^mailscan_run_finished_timestamp_seconds [0-9]{10}$" "$TMP/m.prom") -eq 2 ]]'
ino1=$(stat -c %i "$TMP/m.prom")
ms metrics2 scan tests/data/metrics/targets.yaml --db "$mdb" -q "${LABARGS[@]}" --metrics "$TMP/m.prom"
check "--metrics: a second run replaces the file by rename (a new inode), no temporary file left" \
    "exit $RC, inode $ino1 -> $(stat -c %i "$TMP/m.prom")" \
    eval '[[ $RC -eq 0 && $(stat -c %i "$TMP/m.prom") != "$ino1" && $(find "$TMP" -maxdepth 1 -name "m.prom.*" | wc -l) -eq 0 ]] &&
          grep -q "^mailscan_run_info{run=\"2\",status=\"done\"" "$TMP/m.prom"'
ms metrics3 scan tests/data/metrics/targets.yaml --db "$mdb" -q "${LABARGS[@]}" --metrics "$TMP/no-such-dir/m.prom"
check "--metrics into a missing directory: exit 3, the run itself done" "exit $RC" \
    eval '[[ $RC -eq 3 ]] && grep -q -- "--metrics: .*no-such-dir" "$TMP/metrics3.err" &&
          [[ $(sql "$mdb" "SELECT status FROM runs WHERE id = 3") == done ]]'

# ======================================================================
# Sanitizers (ASan builds): no report from any run above
# ======================================================================
reports=$(find "$TMP" -maxdepth 1 -name 'sanitizer*' | sort)
if [[ -z $reports ]]; then
    ok "no sanitizer report"
else
    # shellcheck disable=SC2086
    not_ok "no sanitizer report" "$(wc -l <<<"$reports") report file(s)" $reports
    # shellcheck disable=SC2086
    grep -hE 'ERROR: |SUMMARY|runtime error' $reports | head -n 10 | sed 's/^/  /'
fi

echo "scan-tests: $((SECONDS - T0)) s"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
