#!/usr/bin/env bash
# make bench: figures, not assertions. Checks the lab's scenario domains that
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
mapfile -t fast < <(awk -F'\t' '!/^#/ && $1 != "domain" && $1 !~ /^(silent|slow|slowok|endless|unreachable|sts-unreach|doesnotexist)\./ && $1 != "sub.dnserr.example" { print $1 }' tests/lab/scenarios.tsv)
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
