#!/usr/bin/env bash
# make bench: figures, not assertions. First checks the lab's scenario domains that
# answer promptly (the hostile slow/silent ones, and the listener that never
# answers a renegotiation, measure our timeouts, not our speed), REPEAT times
# in one invocation, and prints wall time, domains per second, peak RSS and the
# per-run cache figures (DNS queries, unique MX hosts, SMTP probes). Starts the
# lab if it is not running.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
REPEAT=${REPEAT:-20}
status=$(tests/lab/lab.sh status)
[[ $(grep -c ': running' <<<"$status") -eq 4 ]] || tests/lab/lab.sh up >/dev/null
mapfile -t fast < <(awk -F'\t' '!/^#/ && $1 != "domain" && $1 !~ /^(silent|slow|slowok|endless|unreachable|sts-unreach|doesnotexist|tempfail)\./ && $1 != "sub.dnserr.example" && $1 != "ncsc-reneg-ignored.example" { print $1 }' tests/lab/scenarios.tsv)
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

# ---- side by side: mailscan and a peer pipeline over a realistic list ----
# tests/lab/lab.sh synth N builds a list shaped like a national one (every
# domain its own zone, 60 % signed, 2 % lame delegations to a name server
# that never answers, mail on ~40 providers with Zipf popularity, a silent
# one; NSD's response rate limiting at its default): tests/lab/README.md.
# The same list goes through
#   mailscan: scan, --concurrency 500, --timeout 5, every probe (tls_ncsc on;
#             rpki with the lab's RTR cache, stayrtr, and its origin zones);
#   the peer: Debian's unbound (one thread, validating, the lab's anchor) and
#             Postfix's posttls-finger -l dane per domain, 64 at a time
#             (xargs), in a mount namespace whose resolv.conf points at it.
#   and mailscan once more in stub mode (--resolver) through the lab's
#             validating unbound (tests/lab/resolver.sh: two threads, cold).
# Per side: wall time, domains/s, CPU per domain (user + sys of every
# client-side process: mailscan, plus the resolver's unbound in stub mode;
# xargs and its children plus the peer's unbound), peak RSS, verdicts; the
# agreement on DANE (mailscan pass <=> posttls-finger "Verified": it checks
# the first MX host that answers, mailscan every one), and whether stub mode
# gives the verdicts of recursive mode. BENCH_N=100000 for the big one.
N=${BENCH_N:-10000}
LAME=${BENCH_LAME:-2}
PEER_IP=127.53.0.54
export DEBIAN_FRONTEND=noninteractive
if ! command -v posttls-finger >/dev/null 2>&1 || ! command -v unbound >/dev/null 2>&1; then
    echo "bench: installing the peer (postfix for posttls-finger, unbound)"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get install -y -q --no-install-recommends postfix unbound >/dev/null
fi
have=0
[[ -f build/lab/synth.txt ]] && have=$(wc -l <build/lab/synth.txt)
if [[ $have -ne $N || ! -f build/lab/synth-lame.txt ]]; then
    tests/lab/lab.sh synth "$N" "$LAME" >/dev/null
fi
list=build/lab/synth.txt
nlame=$(grep -c . build/lab/synth-lame.txt || true)
work=$(mktemp -d)
trap 'kill "$(cat "$work/unbound.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

cpu_of() { # PID: user+sys clock ticks so far
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
secs_of() { # /usr/bin/time -v log: wall seconds
    sed -nE 's/.*Elapsed \(wall clock\) time.*: ([0-9:.]+)$/\1/p' "$1" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}
field_of() { # LOG PATTERN
    sed -nE "s/.*$2: ([0-9.]+)$/\1/p" "$1"
}

# -- mailscan
mlog=$work/mailscan.time
/usr/bin/time -v build/mailscan scan "$list" --db "$work/bench.db" --concurrency 500 --timeout 5 \
    --root-hints build/lab/root.hints --trust-anchor build/lab/root.key \
    --ca-file build/lab/ca.pem --rpki-cache 127.61.0.1:323 -v >"$work/mailscan.out" 2>"$mlog" ||
    echo "bench: mailscan scan exited $?" >&2
m_wall=$(secs_of "$mlog")
m_cpu=$(awk -v u="$(field_of "$mlog" 'User time \(seconds\)')" -v s="$(field_of "$mlog" 'System time \(seconds\)')" 'BEGIN { print u + s }')
m_rss=$(field_of "$mlog" 'Maximum resident set size \(kbytes\)')
q() { sqlite3 -separator ' ' "$work/bench.db" "$1"; }
m_stored=$(q 'SELECT count(*) FROM domains')
m_verdicts=$(q "SELECT standard, verdict, count(*) FROM verdicts GROUP BY standard, verdict ORDER BY standard, verdict" |
    awk '{ v[$1] = v[$1] sprintf(" %s=%s", $2, $3) } END { for (k in v) printf "    %-9s%s\n", k, v[k] }' | sort)
m_errors=$(q "SELECT reasons, count(*) FROM verdicts WHERE verdict = 'error' AND standard = 'dnssec' GROUP BY reasons ORDER BY 2 DESC" |
    awk '{ printf " %s=%s", $1, $2 }')
m_stats=$(grep -oE 'DNS: .*' "$mlog" | head -1)
# DNS lookups per domain: sent to the resolver, and answered from the memo
m_queries=$(sed -nE 's/.* ([0-9]+) DNS queries, .*/\1/p' "$mlog" | head -1)
m_memo=$(sed -nE 's/.* ([0-9]+) repeated questions answered from the memo.*/\1/p' "$mlog" | head -1)
m_joined=$(sed -nE 's/.* ([0-9]+) joined the same question under way.*/\1/p' "$mlog" | head -1)
# DNSSEC signature checks (libunbound built with tests/libunbound.patch counts
# them), per domain and per signed domain zone of the list: what sets the
# floor of the CPU per domain
m_sigs=$(sed -nE 's/.*DNSSEC: ([0-9]+) signature checks by libunbound, ([0-9]+) of them.*/\1 \2/p' "$mlog" | head -1)
nsigned=$(awk -F'\t' '$2 == "signed"' build/lab/synth/domains.tsv | wc -l)

# -- the peer: unbound (one thread) + posttls-finger -l dane, 64 at a time
mkdir -p "$work/postfix" "$work/out"
: >"$work/postfix/main.cf"
cat >"$work/unbound.conf" <<UNBOUNDEOF
server:
    interface: $PEER_IP
    port: 53
    username: ""
    chroot: ""
    directory: "$work"
    pidfile: "$work/unbound.pid"
    logfile: "$work/unbound.log"
    use-syslog: no
    num-threads: 1
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    root-hints: "$ROOT/build/lab/root.hints"
    trust-anchor-file: "$ROOT/build/lab/root.key"
UNBOUNDEOF
unbound -c "$work/unbound.conf" || { echo "bench: the peer's unbound did not start" >&2; exit 1; }
for _ in $(seq 50); do [[ -s $work/unbound.pid ]] && break; sleep 0.1; done
upid=$(cat "$work/unbound.pid")
printf 'nameserver %s\noptions trust-ad timeout:5 attempts:1\n' "$PEER_IP" >"$work/resolv.conf"
u0=$(cpu_of "$upid")
plog=$work/peer.time
# shellcheck disable=SC2016 # for the inner shells
/usr/bin/time -v unshare -m sh -c '
    mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 1
    export MAIL_CONFIG=$1/postfix
    xargs -P 64 -n 1 sh -c "posttls-finger -c -t 5 -T 10 -l dane \"\$1\" >\"$1/out/\$1\" 2>&1" _ <"$2"
' _ "$work" "$list" 2>"$plog" || true
u1=$(cpu_of "$upid")
p_wall=$(secs_of "$plog")
tick=$(getconf CLK_TCK)
p_cpu=$(awk -v u="$(field_of "$plog" 'User time \(seconds\)')" -v s="$(field_of "$plog" 'System time \(seconds\)')" \
    -v a="$u0" -v b="$u1" -v t="$tick" 'BEGIN { print u + s + (b - a) / t }')
u_rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$upid/status")
p_rss=$(field_of "$plog" 'Maximum resident set size \(kbytes\)')
# classify each domain's posttls-finger run (one awk pass over the files;
# a glob of 100,000 names is too long for one command line)
: >"$work/p.verified"
p_counts=$(find "$work/out" -type f -print0 | xargs -0 awk -v V="$work/p.verified" '
    function flush() { if (f != "") { n[c]++; if (c == "verified") print base >>V } }
    FNR == 1 { flush(); f = FILENAME; base = f; sub(/.*\//, "", base); c = "other"; r = 0 }
    /Verified TLS connection/ && r < 4 { c = "verified"; r = 4 }
    /Trusted TLS connection/ && r < 3 { c = "trusted"; r = 3 }
    /Untrusted TLS connection/ && r < 2 { c = "untrusted"; r = 2 }
    /lookup failed|Name service error/ && r < 1 { c = "dns-failed"; r = 1 }
    END { flush(); for (k in n) print k, n[k] }' |
    awk '{ n[$1] += $2 } END { for (k in n) printf " %s=%s", k, n[k] }')
sort -o "$work/p.verified" "$work/p.verified"
q "SELECT d.name FROM verdicts v JOIN domains d ON d.id = v.domain_id WHERE v.standard = 'dane' AND v.verdict = 'pass'" |
    sort >"$work/m.pass" || true
both=$(comm -12 "$work/m.pass" "$work/p.verified" | wc -l)
only_m=$(comm -23 "$work/m.pass" "$work/p.verified" | wc -l)
only_p=$(comm -13 "$work/m.pass" "$work/p.verified" | wc -l)
comm -3 "$work/m.pass" "$work/p.verified" >build/bench-dane-disagree.txt || true

# -- mailscan in stub mode: the same list through the lab's validating unbound
# (tests/lab/resolver.sh: two threads, OpenSSL, cold cache); CPU and memory
# include that unbound's
tests/lab/resolver.sh down >/dev/null 2>&1 || true
tests/lab/resolver.sh up >/dev/null
rpid=$(cat build/lab/unbound/unbound.pid)
r0=$(cpu_of "$rpid")
slog=$work/stub.time
/usr/bin/time -v build/mailscan scan "$list" --db "$work/stub.db" --concurrency 500 --timeout 5 \
    --resolver 127.53.0.53 --ca-file build/lab/ca.pem --rpki-cache 127.61.0.1:323 -v \
    >"$work/stub.out" 2>"$slog" ||
    echo "bench: mailscan --resolver scan exited $?" >&2
r1=$(cpu_of "$rpid")
s_wall=$(secs_of "$slog")
s_cpu=$(awk -v u="$(field_of "$slog" 'User time \(seconds\)')" -v s="$(field_of "$slog" 'System time \(seconds\)')" \
    -v a="$r0" -v b="$r1" -v t="$tick" 'BEGIN { print u + s + (b - a) / t }')
s_rss=$(( $(field_of "$slog" 'Maximum resident set size \(kbytes\)') + $(awk '/^VmHWM/ { print $2 }' "/proc/$rpid/status") ))
tests/lab/resolver.sh down >/dev/null 2>&1 || true
# the same verdicts as in recursive mode?
sqlite3 -separator ' ' "$work/stub.db" "SELECT d.name, v.standard, v.verdict, v.reasons FROM verdicts v JOIN domains d ON d.id = v.domain_id" | sort >"$work/stub.v"
q "SELECT d.name, v.standard, v.verdict, v.reasons FROM verdicts v JOIN domains d ON d.id = v.domain_id" | sort >"$work/rec.v"
s_diff=$(comm -3 "$work/rec.v" "$work/stub.v" | wc -l)

# (mawk reads "printf x, a > 0 ? ..." as a redirection: parentheses)
per() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.0f", (n > 0 ? c * 1e6 / n : 0) }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
row() { printf 'bench:   %-34s %9s %10s %14s %12s\n' "$@"; }
echo "bench: side by side over $N realistic lab domains ($nlame lame), one run:"
row "" "wall s" "domains/s" "CPU us/domain" "peak RSS MiB"
row "mailscan scan (all probes)" "$m_wall" "$(rate "$N" "$m_wall")" "$(per "$m_cpu" "$N")" "$((m_rss / 1024))"
row "mailscan --resolver (unbound, 2 thr.)" "$s_wall" "$(rate "$N" "$s_wall")" "$(per "$s_cpu" "$N")" "$((s_rss / 1024))"
row "unbound + posttls-finger -l dane" "$p_wall" "$(rate "$N" "$p_wall")" "$(per "$p_cpu" "$N")" "$(((u_rss + p_rss) / 1024))"
echo "bench:   mailscan/peer: $(awk -v a="$m_wall" -v b="$p_wall" 'BEGIN { printf "%.1fx the domains/s", (a > 0 ? b / a : 0) }')," \
    "$(awk -v a="$m_cpu" -v b="$p_cpu" 'BEGIN { printf "%.2fx the CPU per domain", (b > 0 ? a / b : 0) }')"
echo "bench:   mailscan stored $m_stored domains; $m_stats"
awk -v q="${m_queries:-0}" -v m="${m_memo:-0}" -v j="${m_joined:-0}" -v n="$N" 'BEGIN { if (n > 0)
    printf "bench:   mailscan DNS lookups per domain: %.2f sent to the resolver, %.2f answered from the memo, %.2f joined the same question under way\n", q / n, m / n, j / n }'
if [[ -n $m_sigs ]]; then
    read -r sig_checks sig_memo <<<"$m_sigs"
    awk -v c="$sig_checks" -v m="$sig_memo" -v n="$N" -v s="$nsigned" 'BEGIN { if (n > 0 && s > 0)
        printf "bench:   mailscan DNSSEC signature checks: %d by OpenSSL (%.2f per domain, %.2f per signed domain, %d signed), %d more answered from the memo\n", c - m, (c - m) / n, (c - m) / s, s, m }'
else
    echo "bench:   mailscan DNSSEC signature checks: not counted (libunbound without tests/libunbound.patch)"
fi
echo "bench:   stub mode: $s_diff verdict lines differ from recursive mode; $(grep -oE 'DNS: .*' "$slog" | head -1)"
echo "bench:   mailscan verdicts:"
printf '%s\n' "$m_verdicts" | sed 's/^/bench: /'
echo "bench:   mailscan dnssec errors by reason:${m_errors:- none}"
echo "bench:   posttls-finger per domain:$p_counts"
echo "bench:   DANE: $both domains pass in mailscan and are Verified by posttls-finger;" \
    "$only_m pass only in mailscan, $only_p Verified only by posttls-finger"
