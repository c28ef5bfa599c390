#!/usr/bin/env bash
# make bench: figures, not assertions. First checks the lab's scenario domains that
# answer promptly (the hostile slow/silent ones measure our timeouts, not our
# speed), REPEAT times in one invocation, and prints wall time, domains per
# second, peak RSS and the per-run cache figures (DNS queries, unique MX hosts,
# SMTP probes). Starts the lab if it is not running.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
REPEAT=${REPEAT:-20}
status=$(tests/lab/lab.sh status)
[[ $(grep -c ': running' <<<"$status") -eq 3 ]] || tests/lab/lab.sh up >/dev/null
mapfile -t fast < <(awk -F'\t' '!/^#/ && $1 != "domain" && $1 !~ /^(silent|slow|slowok|endless|unreachable|sts-unreach|doesnotexist|tempfail)\./ && $1 != "sub.dnserr.example" { print $1 }' tests/lab/scenarios.tsv)
domains=()
for ((i = 0; i < REPEAT; i++)); do domains+=("${fast[@]}"); done
log=$(mktemp)
/usr/bin/time -v build/mailscan check --json -v --concurrency 200 \
    --root-hints build/lab/root.hints --trust-anchor build/lab/root.key \
    --ca-file build/lab/ca.pem --timeout 5 "${domains[@]}" >/dev/null 2>"$log" || true
wall=$(sed -nE 's/.*Elapsed \(wall clock\) time.*: ([0-9:.]+)$/\1/p' "$log")
rss=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$log")
secs=$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$wall")
stats=$(grep -oE '[0-9]+ domains, [0-9]+ DNS queries, [0-9]+ unique MX hosts, [0-9]+ SMTP probes' "$log" || true)
rm -f "$log"
echo "bench: ${#domains[@]} domain checks (${#fast[@]} lab domains x $REPEAT) in ${secs} s:" \
     "$(awk -v n="${#domains[@]}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }') domains/s," \
     "peak RSS $((rss / 1024)) MiB"
echo "bench: $stats"

# ---- the batch scanner over a synthetic 10,000-domain list (SPEC §9) ----
# tests/lab/lab.sh synth N adds N domains dNNNNN.synth.example spread over the
# lab's MX hosts (shared providers, DANE and not, no STARTTLS, null MX, ...);
# see tests/lab/README.md. The scan goes into a fresh database; figures from
# /usr/bin/time -v. A second run at --concurrency 50 shows that memory follows
# the window, not the list.
SYNTH=${SYNTH:-10000}
have=0
[[ -f build/lab/synth.txt ]] && have=$(wc -l <build/lab/synth.txt)
if [[ $have -ne $SYNTH ]]; then
    tests/lab/lab.sh synth "$SYNTH" >/dev/null
fi
db=$(mktemp -d)
for conc in 500 50; do
    log=$(mktemp)
    /usr/bin/time -v build/mailscan scan build/lab/synth.txt --db "$db/bench-$conc.db" \
        --concurrency "$conc" --root-hints build/lab/root.hints \
        --trust-anchor build/lab/root.key --ca-file build/lab/ca.pem --timeout 5 -v \
        >"$log.out" 2>"$log" || echo "bench: scan exited $?" >&2
    wall=$(sed -nE 's/.*Elapsed \(wall clock\) time.*: ([0-9:.]+)$/\1/p' "$log")
    rss=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$log")
    secs=$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$wall")
    stats=$(grep -oE '[0-9]+ domains probed, .*retries\)' "$log" || true)
    stored=$(sqlite3 "$db/bench-$conc.db" 'SELECT count(*) FROM domains')
    size=$(du -k "$db/bench-$conc.db" | cut -f1)
    echo "bench: scan of $SYNTH synthetic domains, --concurrency $conc: $stored stored in ${secs} s," \
         "$(awk -v n="$stored" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }') domains/s," \
         "peak RSS $((rss / 1024)) MiB, database $((size / 1024)) MiB"
    echo "bench:   $stats"
    rm -f "$log" "$log.out"
done
rm -rf "$db"
