#!/usr/bin/env bash
# Hostile input and a hostile environment (issue 15), one check per finding
# of the red-team pass: `report -o` onto devices and symbolic links, YAML
# nested 100,000 levels deep in every YAML reader, /dev/zero and endless
# streams as target lists, an explanations file of a million entries,
# aliases and 10 MB values with ESC bytes in --config, stdout on /dev/full,
# a database on a read-only mount, a full disk while a list loads, ESC bytes
# in stored text, and the run lock of `scan --resume`. Every check prints
# "ok NAME" or "not ok NAME: why"; the last line is "N passed, N failed".
#
#   tests/hardening-tests.sh MAILSCAN_BINARY
#
# Needs the lab running (tests/lab/lab.sh up) for the scans, sqlite3, jq,
# python3, and root with unshare(1) for the read-only and full-disk mounts
# (each made in a private mount namespace, so nothing outside sees them).
# Works in a temporary directory it removes again.

# check NAME WHY eval '[[ ... ]]' evaluates its condition inside check, on purpose:
# shellcheck disable=SC2016
set -uo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 MAILSCAN_BINARY" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$1
[[ -x $BIN ]] || { echo "hardening-tests: $BIN is not executable" >&2; exit 2; }
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
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}

LABARGS=(--root-hints "$ROOT/build/lab/root.hints" --trust-anchor "$ROOT/build/lab/root.key"
         --ca-file "$ROOT/build/lab/ca.pem" --timeout 3)
pass=0
fail=0
RC=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
# not_ok NAME WHY [FILE...]: the first lines of each FILE are shown too.
not_ok() {
    local name=$1 why=$2 f
    shift 2
    echo "not ok $name: $why"
    for f in "$@"; do [[ -s $f ]] && head -c 600 "$f" | head -n 8 | sed "s|^|  $(basename "$f"): |"; done
    fail=$((fail + 1))
}
# check NAME WHY COMMAND...: ok when COMMAND succeeds.
check() {
    local name=$1 why=$2
    shift 2
    if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}
# ms TAG ARGS...: mailscan ARGS, stdout in $TMP/TAG.out, stderr in $TMP/TAG.err,
# exit status in RC, wall seconds in SECS. A hang ends after 60 s (status 124).
ms() {
    local tag=$1 t0
    shift
    t0=$(date +%s.%N)
    timeout 60 "$BIN" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"
    RC=$?
    SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}
# fast SECONDS: the last ms took less than SECONDS.
fast() { awk -v s="$SECS" -v m="$1" 'BEGIN { exit !(s < m) }'; }
# errline TAG TEXT: TAG's stderr has TEXT (fixed string).
errhas() { grep -qF -- "$2" "$TMP/$1.err"; }
sql() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }

for tool in sqlite3 jq python3 unshare timeout; do
    command -v "$tool" >/dev/null || not_ok "tool $tool" "not installed (tests/setup.sh)"
done

# The report fixture, in WAL mode as mailscan leaves its files.
DB=$TMP/fixture.db
sqlite3 "$DB" <tests/data/report/fixture.sql && sqlite3 "$DB" 'PRAGMA journal_mode = WAL' >/dev/null ||
    not_ok "fixture database" "sqlite3 failed"

# ======================================================================
# 1. report -o: never replace a device node or a symbolic link
# ======================================================================
mknod "$TMP/null" c 1 3 2>/dev/null || not_ok "mknod" "cannot make a device node"
ms o-dev report --db "$DB" --format md -o "$TMP/null"
check "report -o onto a device node: refused, exit 2, the node stays" "exit $RC" \
    eval '[[ $RC -eq 2 && -c $TMP/null ]] && errhas o-dev "a character device" &&
          errhas o-dev "regular files only"'
echo precious >"$TMP/target.txt"
ln -s "$TMP/target.txt" "$TMP/link.md"
ms o-link report --db "$DB" --format md -o "$TMP/link.md"
check "report -o onto a symbolic link: refused, the link and its target untouched" "exit $RC" \
    eval '[[ $RC -eq 2 && -L $TMP/link.md && $(cat "$TMP/target.txt") == precious ]] &&
          errhas o-link "a symbolic link"'
mkfifo "$TMP/fifo"
ms o-fifo report --db "$DB" --format md -o "$TMP/fifo"
check "report -o onto a named pipe: refused" "exit $RC" \
    eval '[[ $RC -eq 2 && -p $TMP/fifo ]] && errhas o-fifo "a named pipe"'
echo old >"$TMP/report.md"
chmod 640 "$TMP/report.md"
ln -s /nonexistent/elsewhere "$TMP/report.md.tmp"
ms o-reg report --db "$DB" --format md -o "$TMP/report.md"
check "report -o onto a regular file: replaced whole (rename), a planted .tmp link not followed" \
    "exit $RC" \
    eval '[[ $RC -eq 0 && -f $TMP/report.md && ! -L $TMP/report.md && -L $TMP/report.md.tmp ]] &&
          grep -q "^# " "$TMP/report.md" && [[ -z $(find "$TMP" -name "report.md.??????") ]]'
ms o-new report --db "$DB" --format csv -o "$TMP/new.csv"
check "report -o onto a new file: written, mode from the umask" "exit $RC" \
    eval '[[ $RC -eq 0 && -s $TMP/new.csv && $(stat -c %a "$TMP/new.csv") == $(printf "%o" $((0666 & ~0$(umask)))) ]]'

# ======================================================================
# 2. YAML nested 100,000 levels deep: every reader stops at 64, fast
# ======================================================================
python3 - "$TMP" <<'EOF'
import sys
d = sys.argv[1]
n = 100000
deep = "{a: " * n + "1" + "}" * n
open(d + "/deep.yaml", "w").write(
    "organisations:\n  - name: A\n    category: b\n    domains: [good.example]\n    extra: " + deep + "\n")
open(d + "/deep-top.yaml", "w").write("extra: " + "[" * n + "]" * n + "\norganisations: []\n")
open(d + "/deep-expl.yaml", "w").write(
    "explanations:\n  - domain: a.example\n    standard: dnssec\n    reason: x\n"
    "    valid_until: 2030-01-01\n    extra: " + deep + "\n")
open(d + "/deep-conf.yaml", "w").write("timeout: 5\nextra: " + deep + "\n")
EOF
ms deep-targets scan "$TMP/deep.yaml" --db "$TMP/deep.db" "${LABARGS[@]}"
check "targets: YAML nested 100,000 deep under a skipped key: file:line:column, exit 2, < 5 s" \
    "exit $RC in $SECS s: $(head -c 200 "$TMP/deep-targets.err")" \
    eval '[[ $RC -eq 2 ]] && fast 5 && errhas deep-targets "deep.yaml:5:" &&
          errhas deep-targets "YAML nested deeper than 64 levels"'
ms deep-top scan "$TMP/deep-top.yaml" --db "$TMP/deep.db" "${LABARGS[@]}"
check "targets: deep sequences under a skipped top-level key: exit 2, < 5 s" \
    "exit $RC in $SECS s: $(head -c 200 "$TMP/deep-top.err")" \
    eval '[[ $RC -eq 2 ]] && fast 5 && errhas deep-top "deep-top.yaml:1:" &&
          errhas deep-top "nested deeper than 64"'
ms deep-expl report --db "$DB" --format json --explanations "$TMP/deep-expl.yaml"
check "explanations: YAML nested 100,000 deep: file:line:column, exit 2, < 5 s" \
    "exit $RC in $SECS s: $(head -c 200 "$TMP/deep-expl.err")" \
    eval '[[ $RC -eq 2 ]] && fast 5 && errhas deep-expl "deep-expl.yaml:6:12: "'
ms deep-conf check --config "$TMP/deep-conf.yaml" good.example
check "config: YAML nested 100,000 deep: file:line:column, exit 2, < 5 s" \
    "exit $RC in $SECS s: $(head -c 200 "$TMP/deep-conf.err")" \
    eval '[[ $RC -eq 2 ]] && fast 5 && errhas deep-conf "deep-conf.yaml:2:"'

# ======================================================================
# 3. /dev/zero and endless streams as a target list stop at the line cap
# ======================================================================
for fmt in text csv yaml; do
    ms "zero-$fmt" scan /dev/zero --format "$fmt" --db "$TMP/zero.db" "${LABARGS[@]}"
    check "/dev/zero as a $fmt list: an error, exit 2, < 10 s" \
        "exit $RC in $SECS s: $(head -c 200 "$TMP/zero-$fmt.err")" \
        eval '[[ $RC -eq 2 ]] && fast 10 && errhas "zero-$fmt" "/dev/zero:1"'
done
check "/dev/zero: the message says binary data" "$(head -c 200 "$TMP/zero-text.err")" \
    errhas zero-text "binary data: NUL bytes in a line longer than 65536 bytes"
# an endless stream of text without a line end, through a named pipe
mkfifo "$TMP/endless"
for fmt in text csv; do
    (yes abcdefghij | tr -d '\n' >"$TMP/endless") 2>/dev/null &
    BGPIDS+=("$!")
    ms "endless-$fmt" scan "$TMP/endless" --format "$fmt" --db "$TMP/zero.db" "${LABARGS[@]}"
    check "an endless $fmt stream without line ends (a pipe): stops at the cap, exit 2" \
        "exit $RC in $SECS s: $(head -c 200 "$TMP/endless-$fmt.err")" \
        eval '[[ $RC -eq 2 ]] && fast 10 && errhas "endless-$fmt" "not a regular file"'
done
check "nothing was stored from the broken lists" "runs: $(sql "$TMP/zero.db" 'SELECT count(*) FROM runs' 2>&1)" \
    eval '[[ $(sql "$TMP/zero.db" "SELECT count(*) FROM runs") == 0 ]]'

# ======================================================================
# 4. an explanations file of a million entries fails fast and small
# ======================================================================
python3 - "$TMP/expl-1m.yaml" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("explanations:\n")
    for i in range(1000000):
        f.write("  - domain: d%d.example\n    standard: dnssec\n    reason: r\n"
                "    valid_until: 2030-01-01\n" % i)
EOF
/usr/bin/time -f '%M' -o "$TMP/expl-1m.rss" timeout 60 "$BIN" report --db "$DB" --format json \
    --explanations "$TMP/expl-1m.yaml" >"$TMP/expl-1m.out" 2>"$TMP/expl-1m.err"
RC=$?
rss=$(tail -n 1 "$TMP/expl-1m.rss")
case $BIN in */asan/*) cap=400000 ;; *) cap=100000 ;; esac
check "explanations: 1M entries: 'too many explanations', exit 2, peak RSS ${rss} KB < ${cap} KB" \
    "exit $RC: $(head -c 200 "$TMP/expl-1m.err")" \
    eval '[[ $RC -eq 2 && $rss -lt $cap ]] && errhas expl-1m "expl-1m.yaml:2:3: too many explanations"'
printf 'explanations:\n  - &e {domain: a.example, standard: dnssec, reason: r, valid_until: 2030-01-01}\n  - *e\n' \
    >"$TMP/expl-alias.yaml"
ms expl-alias report --db "$DB" --format json --explanations "$TMP/expl-alias.yaml"
check "explanations: an alias is refused" "exit $RC: $(cat "$TMP/expl-alias.err")" \
    eval '[[ $RC -eq 2 ]] && errhas expl-alias "expl-alias.yaml:3:5: YAML aliases"'

# ======================================================================
# 6. --config: aliases refused; bad values cut and escaped
# ======================================================================
printf 'json: &t true\nehlo: *t\ntimeout: 5\n' >"$TMP/alias.yaml"
ms conf-alias check --config "$TMP/alias.yaml" good.example
check "config: an alias is refused with file:line:column, exit 2" "exit $RC: $(cat "$TMP/conf-alias.err")" \
    eval '[[ $RC -eq 2 ]] && errhas conf-alias "alias.yaml:2:7: YAML aliases" &&
          ! errhas conf-alias "not a domain name"'
python3 - "$TMP/bigval.yaml" <<'EOF'
import sys
open(sys.argv[1], "w").write('ehlo: "\\e[31mred' + "x" * (10 * 1024 * 1024) + '"\n')
EOF
ms conf-big check --config "$TMP/bigval.yaml" good.example
check "config: a 10 MB value with ESC: exit 2, shown cut and without ESC" \
    "exit $RC, $(wc -c <"$TMP/conf-big.err") bytes on stderr" \
    eval '[[ $RC -eq 2 && $(wc -c <"$TMP/conf-big.err") -lt 1000 ]] &&
          ! grep -q $'"'"'\x1b'"'"' "$TMP/conf-big.err" && errhas conf-big "--ehlo: '"'"'?[31mredxxx" &&
          errhas conf-big "...'"'"'" && errhas conf-big "bigval.yaml:1:7: bad value for '"'"'ehlo'"'"'"'
printf 'timeout: "\\e]0;pwned\\a 5"\n' >"$TMP/esc.yaml"
ms conf-esc check --config "$TMP/esc.yaml" good.example
check "config: a bad number with ESC and BEL is shown escaped" "exit $RC: $(cat -v "$TMP/conf-esc.err")" \
    eval '[[ $RC -eq 2 ]] && ! grep -q "[[:cntrl:]]" <(tr -d "\n" <"$TMP/conf-esc.err") &&
          errhas conf-esc "--timeout: '"'"'?]0;pwned? 5'"'"' is not a number"'

# ======================================================================
# 7. stdout that cannot be written: exit 3 from every command
# ======================================================================
for cmd in "runs --db DB" "runs --db DB --json" "diff --db DB 1 2" "report --db DB --format csv" "--help"; do
    # shellcheck disable=SC2086
    timeout 60 "$BIN" ${cmd/DB/$DB} >/dev/full 2>"$TMP/full.err"
    RC=$?
    check "$cmd > /dev/full: exit 3" "exit $RC: $(cat "$TMP/full.err")" \
        eval '[[ $RC -eq 3 ]] && grep -q "cannot write" "$TMP/full.err"'
done
printf 'good.example\n' >"$TMP/one.txt"
timeout 60 "$BIN" scan "$TMP/one.txt" --db "$TMP/full.db" "${LABARGS[@]}" >/dev/full 2>"$TMP/full.err"
RC=$?
check "scan > /dev/full: exit 3 (the run itself is stored)" "exit $RC: $(cat "$TMP/full.err")" \
    eval '[[ $RC -eq 3 ]] && grep -q "cannot write to standard output" "$TMP/full.err" &&
          [[ $(sql "$TMP/full.db" "SELECT status FROM runs") == done ]]'
timeout 60 "$BIN" check "${LABARGS[@]}" good.example >/dev/full 2>"$TMP/full.err"
RC=$?
check "check > /dev/full: exit 3" "exit $RC: $(cat "$TMP/full.err")" eval '[[ $RC -eq 3 ]]'

# ======================================================================
# 8. a database on a read-only mount can be read
# ======================================================================
mkdir "$TMP/ro"
cp "$DB" "$TMP/ro/x.db"
rm -f "$TMP/ro/x.db-shm" "$TMP/ro/x.db-wal"
# ro_run TAG ARGS...: mailscan ARGS with $TMP/ro bound read-only over itself.
ro_run() {
    local tag=$1
    shift
    unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && exec timeout 60 "$@"' sh \
        "$TMP/ro" "$BIN" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"
    RC=$?
}
ro_run ro-runs runs --db "$TMP/ro/x.db"
check "read-only mount: runs" "exit $RC: $(head -c 200 "$TMP/ro-runs.err")" \
    eval '[[ $RC -eq 0 ]] && grep -q "februari" "$TMP/ro-runs.out"'
ro_run ro-report report --db "$TMP/ro/x.db" --format json
check "read-only mount: report" "exit $RC: $(head -c 200 "$TMP/ro-report.err")" \
    eval '[[ $RC -eq 0 ]] && jq -e ".report.run == 3" "$TMP/ro-report.out" >/dev/null'
ro_run ro-diff diff --db "$TMP/ro/x.db" 1 2
check "read-only mount: diff" "exit $RC: $(head -c 200 "$TMP/ro-diff.err")" \
    eval '[[ $RC -eq 0 ]] && grep -q "^run 1 -> 2: " "$TMP/ro-diff.out"'
ro_run ro-scan scan "$TMP/one.txt" --db "$TMP/ro/x.db" "${LABARGS[@]}"
check "read-only mount: scan still fails (exit 3), nothing half-written" "exit $RC" \
    eval '[[ $RC -eq 3 ]]'
# with a WAL and its index: a writer's connection open, the file read-only
# for this reader (query_only), and what is in the WAL is seen
sqlite3 "$TMP/wal.db" <tests/data/report/fixture.sql
sqlite3 "$TMP/wal.db" 'PRAGMA journal_mode = WAL' >/dev/null
python3 - "$TMP/wal.db" "$BIN" >"$TMP/wal.out" 2>&1 <<'EOF'
import sqlite3, subprocess, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint = 0")
db.execute("UPDATE runs SET label = 'in-the-wal' WHERE id = 2")
out = subprocess.run([sys.argv[2], "runs", "--db", sys.argv[1]], capture_output=True, text=True)
print(out.returncode, "in-the-wal" in out.stdout)
EOF
check "read-only open sees what is in the WAL beside a live writer" "$(cat "$TMP/wal.out")" \
    eval '[[ $(cat "$TMP/wal.out") == "0 True" ]]'

# ======================================================================
# 9. a full disk while the list loads; ESC bytes in stored text
# ======================================================================
python3 -c '
for i in range(20000): print("domain-number-%d.example" % i)' >"$TMP/big.txt"
mkdir "$TMP/full"
unshare -m sh -c 'mount -t tmpfs -o size=512k tmpfs "$1" && shift && exec timeout 60 "$@"' sh \
    "$TMP/full" "$BIN" scan "$TMP/big.txt" --db "$TMP/full/x.db" "${LABARGS[@]}" \
    >"$TMP/disk.out" 2>"$TMP/disk.err"
RC=$?
check "full disk while the list loads: exit 3, no 'domains not stored'" \
    "exit $RC: $(head -c 300 "$TMP/disk.err")" \
    eval '[[ $RC -eq 3 ]] && errhas disk "disk is full" && ! errhas disk "domains not stored" &&
          errhas disk "entries of the target list not stored; nothing was probed"'

# Stored as received (README, "What is stored"): a run label and an
# organisation name with ESC reach the database raw; every output cleans them.
printf 'organisations:\n  - name: "Gemeente \\e[2J\\e]0;x\\aEsc"\n    category: gemeente\n    domains: [good.example]\n' \
    >"$TMP/esc-list.yaml"
ms esc-scan scan "$TMP/esc-list.yaml" --db "$TMP/esc.db" --label $'nacht\e[31m rood' "${LABARGS[@]}"
check "ESC in a label and an organisation: stored as received" "exit $RC: $(head -c 200 "$TMP/esc-scan.err")" \
    eval '[[ $RC -eq 0 && $(sql "$TMP/esc.db" "SELECT hex(label) FROM runs") == *1B5B3331* &&
             $(sql "$TMP/esc.db" "SELECT hex(name) FROM organisations") == *1B5B324A* ]]'
sql "$TMP/esc.db" "UPDATE domains SET mta_sts_policy = 'version: STSv1' || char(10) ||
    'mode: enforce' || char(27) || '[31m' || char(10) || 'mx: ' || char(27) || ']0;x' || char(7)" >/dev/null
ms esc-runs runs --db "$TMP/esc.db"
ms esc-runs-json runs --db "$TMP/esc.db" --json
for fmt in html md csv json; do
    ms "esc-$fmt" report --db "$TMP/esc.db" --format "$fmt"
done
noesc=1
for f in esc-runs esc-runs-json esc-html esc-md esc-csv esc-json; do
    if [[ ! -s $TMP/$f.out ]] || LC_ALL=C grep -q $'[\x1b\x07]' "$TMP/$f.out"; then
        noesc=0
        echo "  $f: empty or a raw ESC/BEL"
    fi
done
check "ESC in stored text: runs, runs --json and every report format show none raw" "see above" \
    eval '[[ $noesc -eq 1 ]] && grep -qF "\\u001b[31m" "$TMP/esc-json.out"'

# ======================================================================
# 5. the run lock of scan --resume
# ======================================================================
# Slow lab domains (each waits out --timeout 3, and is retried once) keep a
# scan busy for several seconds.
printf 'silent.example\nslow.example\nendless.example\ngood.example\n' >"$TMP/slow.txt"
LOCKDB=$TMP/lock.db
loaded() { [[ $(sql "$LOCKDB" "SELECT loaded FROM runs WHERE id = 1" 2>/dev/null) == 1 ]]; }
wait_for() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [[ $SECONDS -lt $end ]] || return 1
        sleep 0.05
    done
}
"$BIN" scan "$TMP/slow.txt" --db "$LOCKDB" "${LABARGS[@]}" >"$TMP/lock-a.out" 2>"$TMP/lock-a.err" &
A=$!
BGPIDS+=("$A")
wait_for 20 loaded || not_ok "lock: the first scan loads its list" "not loaded" "$TMP/lock-a.err"
ms lock-b scan "$TMP/slow.txt" --db "$LOCKDB" --resume "${LABARGS[@]}"
check "scan --resume beside the scan of that run: refused, names the holder, exit 2" \
    "exit $RC in $SECS s: $(head -c 300 "$TMP/lock-b.err")" \
    eval '[[ $RC -eq 2 ]] && fast 5 && errhas lock-b "run 1 is being scanned by process $A" &&
          errhas lock-b "$LOCKDB.lock"'
kill -9 "$A" 2>/dev/null
wait "$A" 2>/dev/null
# two resumes at once: the first takes the lock, the second is refused
"$BIN" scan "$TMP/slow.txt" --db "$LOCKDB" --resume "${LABARGS[@]}" >"$TMP/lock-c.out" 2>"$TMP/lock-c.err" &
C=$!
BGPIDS+=("$C")
holds() { grep -q " $C " /proc/locks; }
wait_for 10 holds || not_ok "lock: the first resume takes the lock" "no lock of $C in /proc/locks"
ms lock-d scan "$TMP/slow.txt" --db "$LOCKDB" --resume "${LABARGS[@]}"
check "two scan --resume of one run: the second refused, exit 2" \
    "exit $RC in $SECS s: $(head -c 300 "$TMP/lock-d.err")" \
    eval '[[ $RC -eq 2 ]] && fast 5 && errhas lock-d "run 1 is being scanned by process $C"'
kill -9 "$C" 2>/dev/null
wait "$C" 2>/dev/null
# the holder died: its lock is gone, the next resume finishes the run
ms lock-e scan "$TMP/slow.txt" --db "$LOCKDB" --resume "${LABARGS[@]}"
check "a dead holder's lock is taken over: the resume finishes the run" \
    "exit $RC: $(head -c 300 "$TMP/lock-e.err")" \
    eval '[[ $RC -eq 0 && $(sql "$LOCKDB" "SELECT status || \" \" || (SELECT count(*) FROM domains) FROM runs") == "done 4" ]]'

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
