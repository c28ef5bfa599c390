#!/usr/bin/env bash
# crosscheck-lab.sh - the lab's expected SPF and DMARC verdicts
# (tests/lab/scenarios.tsv) against tools nobody here wrote, through DNS.
#
#   resolver  Debian's unbound on 127.53.0.61:53, validating, recursing from
#             the lab's root (build/lab/root.hints, build/lab/root.key); our
#             own, in a temporary directory, stopped at exit (the lab's
#             resolver.sh address 127.53.0.53 is left alone).
#   SPF       Debian's Mail::SPF (libmail-spf-perl), tests/crosscheck/lab-spf.pl:
#             client 203.0.113.9 (in no lab record), so the result is the
#             record's final say: fail/softfail -> pass; neutral, pass (+all),
#             none, permerror -> fail; temperror -> error. For mailscan's
#             spf:* reason the peer's result must say the same thing (which
#             limit a permerror names, ?all, +all, no all, multiple, syntax).
#   DMARC     Debian's Mail::DMARC (libmail-dmarc-perl), tests/crosscheck/lab-dmarc.pl:
#             exists_in_dns, then discover_policy (own record, else the
#             organisational domain's, RFC 7489 §6.6.3), p/sp/pct and the
#             §7.1 authorisation of every rua destination -> pass/warn/fail
#             (error when the domain is not in the DNS). Mail::DMARC takes its
#             organisational domains and even its idea of a valid From domain
#             from the public suffix list, which has no rule for the reserved
#             TLD .example (RFC 2606, RFC 6761): with Debian's list as it is it
#             refuses every lab domain ("invalid header_from"). The list's own
#             algorithm says an unlisted TLD is a public suffix (the implicit
#             "*" rule, which libpsl applies for mailscan), so the peer gets a
#             copy of the list with the line "example" added.
#   second    opendmarc-check (Debian's opendmarc) when it can be had: from
#   opinion   PATH, else the .debs of opendmarc, libopendmarc2 and libspf2-2
#             fetched with apt-get download and unpacked in the temporary
#             directory (nothing installed, no daemon). It prints the record
#             at the name it is given, in a mount namespace whose resolv.conf
#             names our unbound (unshare -m, as tests/bench.sh does). It does
#             no organisational-domain fallback and no rua check; its count is
#             printed on a line of its own.
#
# Informative, not a test gate: exits 0 whatever it finds; a missing lab,
# peer or privilege is said and skipped. Last line:
#   crosscheck: SPF N/M agree, DMARC N/M agree
# Environment: CROSSCHECK_FETCH=0 to not apt-get anything (install of
# unbound/libmail-spf-perl/libmail-dmarc-perl when missing, download of
# opendmarc), CROSSCHECK_TIMEOUT (seconds per DNS query, default 5).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 0
IP=127.53.0.61
SCEN=tests/lab/scenarios.tsv
TMO=${CROSSCHECK_TIMEOUT:-5}
FETCH=${CROSSCHECK_FETCH:-1}
spf_ok=0 spf_n=0 dm_ok=0 dm_n=0

say() { printf 'crosscheck: %s\n' "$*"; }
final() {
    echo "crosscheck: SPF $spf_ok/$spf_n agree, DMARC $dm_ok/$dm_n agree"
    exit 0
}

# ---- the lab and the peers
# (another engineer's lab tests may be restarting it: wait a minute for it)
lab_up() { [[ $(tests/lab/lab.sh status 2>/dev/null | grep -c ': running') -eq 4 && -r build/lab/root.key ]]; }
for _ in $(seq 30); do lab_up && break; sleep 2; done
if ! lab_up; then
    say "the lab is not running (tests/lab/lab.sh up): nothing to compare"
    final
fi
for f in build/lab/root.hints build/lab/root.key "$SCEN"; do
    [[ -r $f ]] || { say "$f missing: nothing to compare"; final; }
done
key_sum=$(sha256sum build/lab/root.key | cut -d' ' -f1)

want_pkg() { # PACKAGE TEST-COMMAND...: run the test, else try to install it
    local pkg=$1
    shift
    "$@" >/dev/null 2>&1 && return 0
    if [[ $FETCH != 0 && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing $pkg"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" >/dev/null 2>&1
        "$@" >/dev/null 2>&1 && return 0
    fi
    say "$pkg not available: its part is skipped"
    return 1
}
have_unbound=0 have_spf=0 have_dmarc=0
want_pkg unbound command -v unbound && have_unbound=1
want_pkg libnet-dns-perl perl -MNet::DNS -e 1 || { say "no Net::DNS: no peer can run"; final; }
want_pkg libmail-spf-perl perl -MMail::SPF -e 1 && have_spf=1
want_pkg libmail-dmarc-perl perl -MMail::DMARC::PurePerl -e 1 && have_dmarc=1
((have_unbound)) || { say "no unbound: no validating resolver for the peers"; final; }

# ---- our validating resolver
if ss -Hlun 2>/dev/null | awk '{ print $4 }' | grep -qx "$IP:53"; then
    say "$IP:53 is taken by another process: not starting a resolver there"
    final
fi
work=$(mktemp -d)
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local pid
    pid=$(cat "$work/unbound.pid" 2>/dev/null) || pid=
    [[ -n $pid ]] && kill "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM
cat >"$work/unbound.conf" <<EOF
server:
    interface: $IP
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
EOF
if ! unbound -c "$work/unbound.conf" 2>"$work/unbound.err"; then
    say "unbound did not start: $(head -c 300 "$work/unbound.err")"
    final
fi
for _ in $(seq 50); do [[ -s $work/unbound.pid ]] && break; sleep 0.1; done
ready=0
for _ in $(seq 20); do
    if perl -MNet::DNS -e '
        my $r = Net::DNS::Resolver->new(nameservers => [$ARGV[0]], udp_timeout => 2, retry => 1);
        my $p = $r->send(".", "SOA") or exit 1;
        exit($p->header->rcode eq "NOERROR" ? 0 : 1);' "$IP"; then
        ready=1
        break
    fi
    sleep 0.5
done
((ready)) || { say "unbound on $IP does not answer for the lab's root"; final; }
if ! perl -MNet::DNS -e '
    my $r = Net::DNS::Resolver->new(nameservers => [$ARGV[0]], udp_timeout => 3, retry => 1);
    $r->adflag(1);
    my $p = $r->send("example", "SOA") or exit 1;
    exit($p->header->ad ? 0 : 1);' "$IP"; then
    say "warning: unbound does not validate the lab's example. (no AD bit): a stale trust anchor?"
fi
say "validating resolver: unbound $(unbound -V 2>/dev/null | awk 'NR == 1 { print $2 }') on $IP:53 (pid $(cat "$work/unbound.pid"))"

# ---- the scenarios: domain, spf, dmarc, spf reason, dmarc reason
awk -F'\t' '!/^#/ && $1 != "domain" && NF >= 11 {
        s = "-"; d = "-"; n = split($11, r, " ")
        for (i = 1; i <= n; i++) {
            if (r[i] ~ /^spf:/) { s = (s == "-" ? "" : s ",") substr(r[i], 5) }
            if (r[i] ~ /^dmarc:/) { d = (d == "-" ? "" : d ",") substr(r[i], 7) }
        }
        print $1 "\t" $8 "\t" $9 "\t" s "\t" d
    }' "$SCEN" >"$work/ours.tsv"
cut -f1 "$work/ours.tsv" >"$work/domains.txt"
say "$(wc -l <"$work/domains.txt") scenario domains from $SCEN"

# ---- the peers, side by side (the lame delegation costs them timeouts)
pids=()
if ((have_spf)); then
    perl tests/crosscheck/lab-spf.pl "$IP" "$TMO" <"$work/domains.txt" >"$work/spf.tsv" 2>"$work/spf.err" &
    pids+=($!)
fi
if ((have_dmarc)); then
    psl=/usr/share/publicsuffix/public_suffix_list.dat
    { [[ -r $psl ]] && cat "$psl"; echo; echo "// crosscheck-lab.sh: the implicit \"*\" rule for the lab's TLD"; echo example; } >"$work/psl.dat"
    printf '[dns]\ntimeout = %s\npublic_suffix_list = %s\n' "$TMO" "$work/psl.dat" >"$work/mail-dmarc.ini"
    MAIL_DMARC_CONFIG_FILE=$work/mail-dmarc.ini perl tests/crosscheck/lab-dmarc.pl "$IP" "$TMO" \
        <"$work/domains.txt" >"$work/dmarc.tsv" 2>"$work/dmarc.err" &
    pids+=($!)
fi

# opendmarc-check, the second opinion
odc=
if command -v opendmarc-check >/dev/null 2>&1; then
    odc=$(command -v opendmarc-check)
elif [[ -x /usr/sbin/opendmarc-check ]]; then
    odc=/usr/sbin/opendmarc-check
elif [[ $FETCH != 0 ]] && command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
    mkdir -p "$work/deb" "$work/od"
    if (cd "$work/deb" && apt-get download opendmarc libopendmarc2 libspf2-2) >/dev/null 2>&1; then
        for f in "$work"/deb/*.deb; do dpkg-deb -x "$f" "$work/od"; done
        for l in "$work"/od/usr/lib/x86_64-linux-gnu/libopendmarc.so.* "$work"/od/usr/lib/*/libopendmarc.so.*; do
            [[ -e $l ]] || continue
            ln -sf "$(basename "$l")" "$(dirname "$l")/libopendmarc.so.2" 2>/dev/null
        done
        [[ -x $work/od/usr/sbin/opendmarc-check ]] && odc=$work/od/usr/sbin/opendmarc-check
    fi
fi
od_ok=0 od_n=0
if [[ -z $odc ]]; then
    say "opendmarc-check not available (package opendmarc): second opinion skipped"
elif [[ $(id -u) -ne 0 ]] || ! command -v unshare >/dev/null; then
    say "opendmarc-check needs root and unshare (a private resolv.conf): second opinion skipped"
    odc=
else
    printf 'nameserver %s\noptions timeout:%s attempts:1\n' "$IP" "$TMO" >"$work/resolv.conf"
    libs=$(find "$work/od" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | paste -sd:)
    # one line per domain: domain <tab> exit status <tab> output on one line
    # shellcheck disable=SC2016 # for the inner shell
    LD_LIBRARY_PATH=${libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} unshare -m sh -c '
        mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 1
        while read -r d; do
            out=$(timeout 60 "$2" "$d" 2>&1); rc=$?
            printf "%s\t%s\t%s\n" "$d" "$rc" "$(printf "%s" "$out" | tr "\t\n" "  ")"
        done <"$1/domains.txt"' _ "$work" "$odc" >"$work/odc.tsv" 2>"$work/odc.err" ||
        say "opendmarc-check could not run: $(head -c 300 "$work/odc.err")"
fi
for p in "${pids[@]}"; do wait "$p"; done
# tests/lab/lab.sh up makes fresh keys: a restart during the run leaves our
# resolver with a stale trust anchor (everything SERVFAIL): once more
if [[ $(sha256sum build/lab/root.key 2>/dev/null | cut -d' ' -f1) != "$key_sum" ]]; then
    if [[ ${CROSSCHECK_AGAIN:-0} -lt 2 ]]; then
        say "the lab was restarted during the run (root.key changed): starting again"
        cleanup
        trap - EXIT
        CROSSCHECK_AGAIN=$((${CROSSCHECK_AGAIN:-0} + 1)) exec "$ROOT/tests/crosscheck-lab.sh" "$@"
    fi
    say "warning: the lab keeps being restarted (root.key changed): the figures below are not to be trusted"
fi

# ---- compare
# SPF: the verdict, and for mailscan's reason what Mail::SPF must say
spf_reason_ok() { # OURS-REASON PEER-CODE PEER-TEXT
    case $1 in
    -) [[ $2 == fail || $2 == softfail ]] ;;
    spf-none) [[ $2 == none ]] ;;
    spf-all-neutral) [[ $2 == neutral && $3 == *"'?all'"* ]] ;;
    spf-all-pass) [[ $2 == pass && $3 == *"all' matched"* ]] ;;
    spf-all-missing) [[ $2 == neutral && $3 == *"no mechanism matches"* ]] ;;
    spf-multiple-records) [[ $2 == permerror && $3 == *Redundant* ]] ;;
    spf-syntax) [[ $2 == permerror && $3 =~ Junk|[Ss]yntax|[Ii]nvalid|[Uu]nknown ]] ;;
    spf-too-many-lookups) [[ $2 == permerror && $3 == *"DNS-interactive terms limit"* ]] ;;
    spf-too-many-void-lookups) [[ $2 == permerror && $3 == *"void DNS look-ups limit"* ]] ;;
    # Mail::SPF has no loop detection: the loop runs into the 10-term limit
    spf-loop) [[ $2 == permerror && $3 == *"DNS-interactive terms limit"* ]] ;;
    *) true ;;
    esac
}
dmarc_reason_ok() { # OURS-REASONS PEER-FOUND PEER-DETAIL
    local r ok=0
    [[ $1 == - ]] && return 0
    for r in ${1//,/ }; do
        case $r in
        dmarc-none) [[ $2 == none ]] || ok=1 ;;
        dmarc-multiple-records) [[ $2 == multiple ]] || ok=1 ;;
        dmarc-syntax) [[ $2 == invalid ]] || ok=1 ;;
        dmarc-from-org-domain) [[ $2 == *"(from "* ]] || ok=1 ;;
        dmarc-policy-none) [[ $2 =~ p=none|sp=none ]] || ok=1 ;;
        dmarc-pct-partial) [[ $2 =~ pct=([0-9]+) && ${BASH_REMATCH[1]} -lt 100 ]] || ok=1 ;;
        dmarc-external-unauthorised) [[ $3 =~ rua\ ([0-9]+)/([0-9]+) && ${BASH_REMATCH[1]} -lt ${BASH_REMATCH[2]} ]] || ok=1 ;;
        esac
    done
    return $ok
}

disagree=()
if ((have_spf)) && [[ -s $work/spf.tsv ]]; then
    echo
    echo "SPF: mailscan (scenarios.tsv) vs Mail::SPF $(perl -MMail::SPF -e 'print $Mail::SPF::VERSION')"
    printf '%-28s %-30s %-32s %s\n' domain ours "peer -> verdict" ""
    while IFS=$'\t' read -r d ov _ osr _; do
        line=$(awk -F'\t' -v d="$d" '$1 == d' "$work/spf.tsv")
        IFS=$'\t' read -r _ pc pv pt <<<"$line"
        pc=${pc:-missing} pv=${pv:-error}
        spf_n=$((spf_n + 1))
        if [[ $ov == "$pv" ]] && spf_reason_ok "$osr" "$pc" "${pt:-}"; then
            spf_ok=$((spf_ok + 1)) a=agree
        else
            a=DISAGREE
            disagree+=("SPF $d: ours $ov ($osr); Mail::SPF $pc: ${pt:-}")
        fi
        printf '%-28s %-30s %-32s %s\n' "$d" "$ov ($osr)" "$pc -> $pv" "$a"
    done <"$work/ours.tsv"
else
    say "SPF: no peer result"
fi
if ((have_dmarc)) && [[ -s $work/dmarc.tsv ]]; then
    echo
    echo "DMARC: mailscan (scenarios.tsv) vs Mail::DMARC $(perl -MMail::DMARC -e 'print $Mail::DMARC::VERSION')"
    printf '%-28s %-40s %-50s %s\n' domain ours "peer -> verdict" ""
    while IFS=$'\t' read -r d _ ov _ odr; do
        line=$(awk -F'\t' -v d="$d" '$1 == d' "$work/dmarc.tsv")
        IFS=$'\t' read -r _ pf pv pt <<<"$line"
        pf=${pf:-missing} pv=${pv:-error}
        dm_n=$((dm_n + 1))
        if [[ $ov == "$pv" ]] && dmarc_reason_ok "$odr" "$pf" "${pt:-}"; then
            dm_ok=$((dm_ok + 1)) a=agree
        else
            a=DISAGREE
            disagree+=("DMARC $d: ours $ov ($odr); Mail::DMARC $pf -> $pv (${pt:-})")
        fi
        printf '%-28s %-40s %-50s %s\n' "$d" "$ov ($odr)" "$pf -> $pv" "$a"
    done <"$work/ours.tsv"
else
    say "DMARC: no peer result"
fi
if [[ -n $odc && -s $work/odc.tsv ]]; then
    echo
    echo "DMARC second opinion: opendmarc-check (the record at the name itself; no fallback, no rua check)"
    while IFS=$'\t' read -r d _ ov _ odr; do
        line=$(awk -F'\t' -v d="$d" '$1 == d' "$work/odc.tsv")
        IFS=$'\t' read -r _ rc out <<<"$line"
        out=${out:-}
        if [[ ${rc:-1} == 0 ]]; then
            p=$(sed -nE 's/.*Domain policy: ([a-z]+).*/\1/p' <<<"$out")
            pct=$(sed -nE 's/.*Sample percentage: ([0-9]+).*/\1/p' <<<"$out")
            found="p=$p pct=$pct"
            if [[ $p == none || ${pct:-100} -lt 100 ]]; then pv=warn
            elif [[ $p == reject || $p == quarantine ]]; then pv=pass
            else pv=fail; fi
        elif [[ $out == *"lacked a DMARC record"* ]]; then found=none pv=fail
        elif [[ $out == *"bad token"* || $out == *"parse"* || $out == *"syntax"* ]]; then found=invalid pv=fail
        else found="error: ${out:0:60}" pv=error
        fi
        od_n=$((od_n + 1))
        if [[ $ov == "$pv" ]]; then od_ok=$((od_ok + 1)) a=agree; else a=DISAGREE; fi
        printf '%-28s %-40s %-50s %s\n' "$d" "$ov ($odr)" "$found -> $pv" "$a"
    done <"$work/ours.tsv"
    echo "crosscheck: opendmarc-check $od_ok/$od_n agree (second opinion, not in the count below)"
fi

echo
if ((${#disagree[@]})); then
    echo "disagreements (SPF/DMARC main peers):"
    printf '  %s\n' "${disagree[@]}"
else
    echo "disagreements (SPF/DMARC main peers): none"
fi
if [[ $(sha256sum build/lab/root.key 2>/dev/null | cut -d' ' -f1) != "$key_sum" ]]; then
    say "warning: the lab was restarted during the comparison (root.key changed)"
fi
final
