#!/usr/bin/env bash
# Check the running lab with standard tools only (delv, dig, openssl s_client,
# curl), without mailscan: DNSSEC states, SMTP listener behaviour, DANE matches
# and the MTA-STS policy answers. Prints "ok ..." / "FAIL ..." and a summary.
#
#   tests/lab/lab.sh up && tests/lab/selfcheck.sh
#
# ok and bad always succeed, so "test && ok ... || bad ..." is an if-then-else:
# shellcheck disable=SC2015
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$ROOT/build/lab
DNS=127.53.0.1
WEB=127.80.0.1
pass=0
failn=0
ok()  { echo "ok $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failn=$((failn + 1)); }

[[ -s $LAB/delv-anchors.conf ]] || { echo "selfcheck: lab not set up (tests/lab/lab.sh up)" >&2; exit 2; }

# ---------------------------------------------------------------- DNSSEC
dnsstate() { # NAME TYPE -> secure|insecure|bogus|nxdomain|nodata|error
    local out
    out=$(delv @"$DNS" -a "$LAB/delv-anchors.conf" +root=. "$1" "$2" 2>&1)
    if grep -q 'negative response, fully validated' <<<"$out"; then
        grep -q 'NXDOMAIN' <<<"$out" && echo nxdomain || echo nodata
    elif grep -q '^; fully validated' <<<"$out"; then echo secure
    elif grep -q '^; unsigned answer' <<<"$out"; then echo insecure
    elif grep -q 'negative response, unsigned' <<<"$out"; then echo insecure
    elif grep -Eq 'RRSIG failed|broken trust chain|no valid signature|insecurity proof failed|bogus' <<<"$out"; then echo bogus
    else echo error; fi
}

while read -r name type want; do
    [[ -z $name || $name == \#* ]] && continue
    got=$(dnsstate "$name" "$type")
    if [[ $got == "$want" ]]; then ok "dns $name $type $got"; else bad "dns $name $type: expected $want, got $got"; fi
done <<'EOF'
good.example                       SOA   secure
good.example                       MX    secure
mx1.good.example                   A     secure
mx1.good.example                   AAAA  secure
_25._tcp.mx1.good.example          TLSA  secure
_mta-sts.good.example              TXT   secure
_smtp._tls.good.example            TXT   secure
mx1.provider.example               A     secure
a.b.provider.example               A     secure
_25._tcp.mx1.provider.example      TLSA  nxdomain
_25._tcp.mx.dane-ta.example        TLSA  secure
_25._tcp.mx.dane-bogus.example     TLSA  bogus
mx.dane-bogus.example              A     secure
dane-bogus.example                 SOA   secure
unsigned-mx.example                MX    secure
mx.unsigned-zone.example           A     insecure
unsigned.example                   SOA   insecure
mx.unsigned.example                A     insecure
bogus-ds.example                   SOA   bogus
mx.bogus-ds.example                A     bogus
nullmx.example                     MX    secure
nomx.example                       MX    nodata
nomx.example                       A     secure
doesnotexist.example               SOA   nxdomain
doesnotexist.example               MX    nxdomain
mx.stale.example                   A     secure
_mta-sts.sts-twotxt.example        TXT   secure
_mta-sts.sts-multistring.example   TXT   secure
mta-sts.sts-crlf.example           A     secure
mta-sts.sts-nohost.example         A     nxdomain
_smtp._tls.tlsrpt-multi.example    TXT   secure
tempfail.example                   MX    secure
_25._tcp.mx.tempfail.example       TLSA  secure
EOF

# ---------------------------------------------------------------- SMTP
# TLS outcome with openssl: prints the protocol or "none"
tlsproto() { # IP [s_client args]
    local ip=$1; shift
    timeout 8 openssl s_client -starttls smtp -connect "$ip:25" -brief "$@" </dev/null 2>&1 |
        sed -n 's/^Protocol version: //p' | head -1
}
expect_tls() { # LABEL WANT IP ARGS...
    local label=$1 want=$2 ip=$3; shift 3
    local got
    got=$(tlsproto "$ip" "$@")
    got=${got:-none}
    if [[ $got == "$want" ]]; then ok "smtp $label $got"; else bad "smtp $label: expected $want, got $got"; fi
}
expect_tls "127.25.0.10 starttls" TLSv1.3 127.25.0.10
expect_tls "[::1] starttls" TLSv1.3 '[::1]'
expect_tls "127.25.0.15 tls10 (default client)" none 127.25.0.15
expect_tls "127.25.0.15 tls10 (TLS 1.0 client)" TLSv1 127.25.0.15 -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
expect_tls "127.25.0.16 tls12" TLSv1.2 127.25.0.16
expect_tls "127.25.0.16 tls12 (TLS 1.3 only client)" none 127.25.0.16 -tls1_3
expect_tls "127.25.0.21 brokentls" none 127.25.0.21
expect_tls "127.25.0.22 starttlsreject" none 127.25.0.22
expect_tls "127.25.0.14 nostarttls" none 127.25.0.14
# nori: no RFC 5746 renegotiation_info; OpenSSL 3 refuses such a server
# ("unsafe legacy renegotiation disabled") unless told to connect anyway
expect_tls "127.25.0.48 nori (default client)" none 127.25.0.48
expect_tls "127.25.0.48 nori (-legacy_server_connect)" TLSv1.2 127.25.0.48 -legacy_server_connect
if timeout 8 openssl s_client -starttls smtp -connect 127.25.0.48:25 -legacy_server_connect </dev/null 2>&1 |
    grep -q '^Secure Renegotiation IS NOT supported'; then
    ok "smtp 127.25.0.48 nori: Secure Renegotiation IS NOT supported"
else
    bad "smtp 127.25.0.48 nori: s_client does not say Secure Renegotiation IS NOT supported"
fi
if timeout 8 openssl s_client -starttls smtp -connect 127.25.0.31:25 </dev/null 2>&1 |
    grep -q '^Secure Renegotiation IS supported'; then
    ok "smtp 127.25.0.31 tls12gcm: Secure Renegotiation IS supported"
else
    bad "smtp 127.25.0.31 tls12gcm: s_client does not say Secure Renegotiation IS supported"
fi

# client-initiated renegotiation, with s_client's R command at TLS 1.2: what
# follows its "RENEGOTIATING" is a second handshake (allowed), an error such
# as the no_renegotiation alert or a close (refused), or nothing (no answer)
reneg() { # IP -> allowed|refused|no-answer
    (sleep 1; echo R; sleep 3; echo QUIT; sleep 1) |
        timeout 8 openssl s_client -starttls smtp -connect "$1:25" -tls1_2 -CAfile "$LAB/ca.pem" 2>&1 |
        awk '/^RENEGOTIATING/ { r = 1; next }
             r && /error/ { print "refused"; done = 1; exit }
             r && /verify return/ { print "allowed"; done = 1; exit }
             END { if (!done) print "no-answer" }'
}
expect_reneg() { # LABEL WANT IP
    local got
    got=$(reneg "$3")
    if [[ $got == "$2" ]]; then ok "smtp $1 client renegotiation $got"; else bad "smtp $1 client renegotiation: expected $2, got $got"; fi
}
expect_reneg "127.25.0.46 clientreneg" allowed 127.25.0.46
expect_reneg "127.25.0.31 tls12gcm (OpenSSL's default)" refused 127.25.0.31
expect_reneg "127.25.0.35 weakgnutls (closes)" refused 127.25.0.35
expect_reneg "127.25.0.47 renegignore" no-answer 127.25.0.47

# plain dialogue: SEND is written at once; output is collected for SECS seconds
dialog() { # IP SECS SEND
    # shellcheck disable=SC2016 # the script is for the inner bash
    timeout "$2" bash -c 'exec 3<>/dev/tcp/$0/25 || exit 7; printf "$1" >&3; cat <&3' "$1" "$3" 2>/dev/null |
        head -c 2000 | tr -d '\000'
}
expect_re() { # LABEL REGEX TEXT
    if printf '%s' "$3" | LC_ALL=C grep -aPzq -- "$2"; then ok "smtp $1"; else bad "smtp $1: no match for /$2/ in: $(head -c 200 <<<"$3" | tr '\r\n' '~~')"; fi
}
out=$(dialog 127.25.0.10 3 'EHLO x\r\nQUIT\r\n')
expect_re "127.25.0.10 banner+EHLO" '220-lab ESMTP\r\n220 ready\r\n250-lab Hello\r\n250-PIPELINING\r\n250-SIZE \d+\r\n250-STARTTLS\r\n250 8BITMIME\r\n221 ' "$out"
out=$(dialog 127.25.0.14 3 'EHLO x\r\nSTARTTLS\r\nQUIT\r\n')
expect_re "127.25.0.14 nostarttls (no STARTTLS, 502)" '250 8BITMIME\r\n502 ' "$out"
grep -q STARTTLS <<<"$out" && bad "smtp 127.25.0.14 advertises STARTTLS"
out=$(dialog 127.25.0.22 3 'EHLO x\r\nSTARTTLS\r\nQUIT\r\n')
expect_re "127.25.0.22 starttlsreject" '250-STARTTLS\r\n250 8BITMIME\r\n454 4\.7\.0 TLS not available\r\n' "$out"
out=$(dialog 127.25.0.21 3 'EHLO x\r\nSTARTTLS\r\n')
expect_re "127.25.0.21 brokentls (220 then junk)" '220 2\.0\.0 Ready to start TLS\r\n(?s).*garbage' "$out"
out=$(dialog 127.25.0.24 3 '')
expect_re "127.25.0.24 garbage" '^HTTP/1\.1 400 Bad Request\r\n\r' "$out"
out=$(dialog 127.25.0.17 1 '')
expect_re "127.25.0.17 endless" '^(220-x{100}\r\n){10}' "$out"
out=$(dialog 127.25.0.18 2 '')
[[ -z $out ]] && ok "smtp 127.25.0.18 silent" || bad "smtp 127.25.0.18 silent: got output"
out=$(dialog 127.25.0.19 3 '')
[[ ${#out} -ge 3 && ${#out} -le 8 && $out == 220-* ]] && ok "smtp 127.25.0.19 slow (${#out} bytes in 3 s)" ||
    bad "smtp 127.25.0.19 slow: got ${#out} bytes '$out'"
t0=$(date +%s%N)
out=$(dialog 127.25.0.20 6 'EHLO x\r\nQUIT\r\n')
t=$(( ($(date +%s%N) - t0) / 1000000 ))
[[ $out == *"221 "* && $t -ge 2900 ]] && ok "smtp 127.25.0.20 slowok (${t} ms for 3 replies)" ||
    bad "smtp 127.25.0.20 slowok: ${t} ms, '$(tr '\r\n' '~~' <<<"$out")'"
# tempfail: re-armed, the first connection gets 421 and is closed, the next is served
"$ROOT/tests/lab/lab.sh" rearm
out=$(dialog 127.25.0.29 3 'EHLO x\r\nQUIT\r\n')
expect_re "127.25.0.29 tempfail (first: 421, closed)" '^421 4\.3\.2 lab: try again later\r\n?\z' "$out"
out=$(dialog 127.25.0.29 3 'EHLO x\r\nQUIT\r\n')
expect_re "127.25.0.29 tempfail (then: served)" '^220-lab ESMTP\r\n220 ready\r\n250-lab Hello\r\n(?s).*250-STARTTLS\r\n(?s).*221 ' "$out"
if timeout 3 bash -c 'exec 3<>/dev/tcp/127.25.0.250/25' 2>/dev/null; then
    bad "smtp 127.25.0.250 accepted a connection"
else ok "smtp 127.25.0.250 refused"; fi

# ---------------------------------------------------------------- DANE (OpenSSL's check)
dane() { # MXHOST IP -> match|mismatch|none
    local host=$1 ip=$2 args=() rd out
    while read -r rd; do
        [[ -n $rd ]] && args+=(-dane_tlsa_rrdata "$rd")
    done < <(dig +short @"$DNS" "_25._tcp.$host" TLSA | awk '{ d = ""; for (i = 4; i <= NF; i++) d = d $i; print $1, $2, $3, d }')
    [[ ${#args[@]} -gt 0 ]] || { echo none; return; }
    [[ $ip == *:* ]] && ip="[$ip]"
    out=$(timeout 8 openssl s_client -starttls smtp -connect "$ip:25" -servername "$host" \
        -dane_tlsa_domain "$host" -dane_ee_no_namechecks "${args[@]}" -brief </dev/null 2>&1)
    if grep -q '^Verification: OK' <<<"$out"; then echo match; else echo mismatch; fi
}
while read -r host ip want; do
    [[ -z $host || $host == \#* ]] && continue
    got=$(dane "$host" "$ip")
    if [[ $got == "$want" ]]; then ok "dane $host@$ip $got"; else bad "dane $host@$ip: expected $want, got $got"; fi
done <<'EOF'
mx1.good.example               127.25.0.10   match
mx1.good.example               ::1           match
mx.dane-ta.example             127.25.0.11   match
mx.dane-ta-wrongname.example   127.25.0.12   mismatch
mx.dane-ee-expired.example     127.25.0.13   match
mx.dane-mismatch.example       127.25.0.10   mismatch
mx.stale.example               127.25.0.10   match
mx.stale.example               127.25.0.25   mismatch
mx1.dane-partial.example       127.25.0.10   match
mx2.dane-partial.example       127.25.0.10   none
mx.tempfail.example            127.25.0.29   match
EOF
# (dane-usage1: OpenSSL would accept PKIX-EE(1); for SMTP it is unusable, RFC 7672 3.1.3)

# PKIX with the lab CA (MTA-STS needs it for the MX hosts)
pkix() { # HOST IP
    timeout 8 openssl s_client -starttls smtp -connect "$2:25" -servername "$1" -verify_hostname "$1" \
        -CAfile "$LAB/ca.pem" -brief </dev/null 2>&1 | grep -q '^Verification: OK' && echo valid || echo invalid
}
while read -r host ip want; do
    got=$(pkix "$host" "$ip")
    if [[ $got == "$want" ]]; then ok "pkix $host@$ip $got"; else bad "pkix $host@$ip: expected $want, got $got"; fi
done <<'EOF'
mx1.provider.example      127.25.0.26  valid
mx2.provider.example      127.25.0.27  valid
a.b.provider.example      127.25.0.28  valid
mx1.good.example          127.25.0.10  valid
mx.sts-certfail.example   127.25.0.23  invalid
mx.dane-ee-expired.example 127.25.0.13 invalid
mx.dane-ta-wrongname.example 127.25.0.12 invalid
EOF

# ---------------------------------------------------------------- MTA-STS policies
policy() { # DOMAIN -> "code ctype size crlf"
    local d=$1 body
    body=$(mktemp)
    local w
    w=$(curl -s --max-time 3 --cacert "$LAB/ca.pem" --resolve "mta-sts.$d:443:$WEB" \
        -o "$body" -w '%{http_code} %{content_type} %{size_download}' \
        "https://mta-sts.$d/.well-known/mta-sts.txt")
    local rc=$?
    [[ $rc -eq 0 ]] || w="curl-exit-$rc"
    if grep -q $'\r' "$body"; then w+=" crlf"; else w+=" lf"; fi
    rm -f "$body"
    echo "$w"
}
while read -r d want; do
    [[ -z $d || $d == \#* ]] && continue
    got=$(policy "$d")
    # want is a regex
    if [[ $got =~ ^$want$ ]]; then ok "https $d $got"; else bad "https $d: expected /$want/, got '$got'"; fi
done <<'EOF'
good.example          200 text/plain 6[0-9] lf
sts-crlf.example      200 text/plain [0-9]+ crlf
sts-testing.example   200 text/plain [0-9]+ lf
sts-none.example      200 text/plain [0-9]+ lf
sts-redirect.example  301 text/html [0-9]+ crlf
sts-ctype.example     200 text/html [0-9]+ lf
sts-big.example       200 text/plain (6[6-9]|[7-9][0-9])[0-9]{3} lf
sts-badcert.example   curl-exit-60 lf
sts-wild1.example     200 text/plain [0-9]+ lf
sts-wild2.example     200 text/plain [0-9]+ lf
sts-404.example       404 text/html [0-9]+ crlf
sts-syntax.example    200 text/plain [0-9]+ lf
sts-certfail.example  200 text/plain [0-9]+ lf
sts-multistring.example 200 text/plain [0-9]+ lf
EOF
size=$(curl -s --cacert "$LAB/ca.pem" --resolve "mta-sts.sts-big.example:443:$WEB" \
    https://mta-sts.sts-big.example/.well-known/mta-sts.txt | wc -c)
[[ $size -gt 65536 ]] && ok "https sts-big.example body $size > 65536" || bad "https sts-big.example body only $size bytes"
loc=$(curl -s --cacert "$LAB/ca.pem" --resolve "mta-sts.sts-redirect.example:443:$WEB" -o /dev/null \
    -w '%{redirect_url}' https://mta-sts.sts-redirect.example/.well-known/mta-sts.txt)
[[ $loc == https://mta-sts.sts-crlf.example/.well-known/mta-sts.txt ]] && ok "https sts-redirect.example Location $loc" ||
    bad "https sts-redirect.example Location '$loc'"

# ---------------------------------------------------------------- synthetic domains
# only after `lab.sh synth N [LAME]`: a domain of each kind (as far as the list has
# one; build/lab/synth/domains.tsv tells the kinds), the provider zones, DANE of
# two provider hosts, a policy, and that a lame domain's name server swallows
# queries (UDP and TCP) without an answer
SYNDIR=$LAB/synth
if [[ -s $LAB/synth.txt && -s $SYNDIR/domains.tsv ]]; then
    # first domain of ZONE MX [PROVIDER-REGEX [STS [TLSRPT]]] in domains.tsv
    pick() {
        awk -F'\t' -v z="$1" -v m="$2" -v p="${3:-.*}" -v s="${4:-.*}" -v r="${5:-.*}" \
            '$2 == z && $3 ~ ("^" m "$") && $4 ~ ("^" p "$") && $5 ~ ("^" s "$") && $6 ~ ("^" r "$") { print $1; exit }' \
            "$SYNDIR/domains.tsv"
    }
    # The synthetic domains are on the hoster's NSD (127.53.0.3), reached by
    # a referral from synth.example like real ones: delv and dig ask the
    # lab's validating resolver (tests/lab/resolver.sh), which recurses.
    resolver_started=
    if ! "$ROOT/tests/lab/resolver.sh" status 2>/dev/null | grep -q running; then
        "$ROOT/tests/lab/resolver.sh" up >/dev/null 2>&1 && resolver_started=1
    fi
    DNS=127.53.0.53
    checks=()
    add() { [[ -n $1 ]] && checks+=("$1 $2 $3"); }
    d=$(pick signed provider); add "$d" SOA secure; add "$d" MX secure; add "$d" DNSKEY secure; add "$d" DS secure
    d=$(pick unsigned provider); add "$d" SOA insecure; add "$d" MX insecure; add "$d" DS nodata
    d=$(pick signed nullmx); add "$d" MX secure
    d=$(pick unsigned nullmx); add "$d" MX insecure
    d=$(pick signed nomx); add "$d" MX nodata; add "$d" A secure
    # own MX host mail.D: with a TLSA when the provider's first host has one (p02)
    d=$(pick signed own p02); add "$d" MX secure; [[ -n $d ]] && { add "mail.$d" A secure; add "_25._tcp.mail.$d" TLSA secure; }
    d=$(pick unsigned own); [[ -n $d ]] && add "mail.$d" A insecure
    d=$(pick signed provider '.*' sts); [[ -n $d ]] && { add "_mta-sts.$d" TXT secure; add "mta-sts.$d" A secure; }
    d=$(pick signed '.*' '.*' '.*' tlsrpt); [[ -n $d ]] && add "_smtp._tls.$d" TXT secure
    add synth.example DNSKEY secure
    add p01.synth.example SOA secure
    add mx1.p02.synth.example A secure
    add _25._tcp.mx1.p02.synth.example TLSA secure
    add _25._tcp.mx1.p04.synth.example TLSA nxdomain
    add mx1.p40.synth.example A secure
    # SPF (with the provider's _spf record it includes), DMARC, DKIM
    d=$(awk -F'\t' '$2 == "signed" && $4 != "-" && $8 == "fail" && $9 == "reject" && $10 == "sel1" { print $1, $4; exit }' "$SYNDIR/domains.tsv")
    if [[ -n $d ]]; then
        read -r d prov <<<"$d"
        add "$d" TXT secure; add "_dmarc.$d" TXT secure; add "sel1._domainkey.$d" TXT secure
        add "_spf.$prov.synth.example" TXT secure
    fi
    for c in "${checks[@]}"; do
        read -r name type want <<<"$c"
        got=$(dnsstate "$name" "$type")
        if [[ $got == "$want" ]]; then ok "synth $name $type $got"; else bad "synth $name $type: expected $want, got $got"; fi
    done
    [[ $(dig +short @"$DNS" mx1.p40.synth.example A) == 127.25.0.18 ]] && ok "synth mx1.p40.synth.example is the silent listener" ||
        bad "synth mx1.p40.synth.example A is not 127.25.0.18"
    # DANE with OpenSSL: a provider TLSA that matches its listener, one that does not
    while read -r host ip want; do
        got=$(dane "$host" "$ip")
        if [[ $got == "$want" ]]; then ok "synth dane $host@$ip $got"; else bad "synth dane $host@$ip: expected $want, got $got"; fi
    done <<'EOF'
mx1.p02.synth.example   127.25.0.10   match
mx2.p02.synth.example   127.25.0.26   match
mx1.p10.synth.example   127.25.0.28   mismatch
mx1.p04.synth.example   127.25.0.27   none
EOF
    d=$(head -1 "$SYNDIR/sts.names" 2>/dev/null || true)
    if [[ -n $d ]]; then
        got=$(policy "$d")
        if [[ $got =~ ^200\ text/plain\ [0-9]+\ lf$ ]]; then ok "synth https $d $got"
        else bad "synth https $d: got '$got'"; fi
    fi
    # lame: the parent refers to ns.D (glue 127.54.x.y), which swallows queries
    lame=$(awk -F'\t' '$2 == "lame" { print $1, $7; exit }' "$SYNDIR/domains.tsv")
    if [[ -n $lame ]]; then
        read -r d ip <<<"$lame"
        glue=$(dig +norec @127.53.0.1 "$d" SOA | awk -v n="ns.$d." '$1 == n && $4 == "A" { print $5 }')
        [[ $glue == "$ip" ]] && ok "synth lame $d: referral to ns.$d ($glue)" ||
            bad "synth lame $d: no referral with glue $ip (got '$glue')"
        bh=$LAB/blackhole.pid
        if [[ -s $bh ]] && kill -0 "$(cat "$bh")" 2>/dev/null; then
            bhstat() { kill -USR1 "$(cat "$bh")"; sleep 0.3; awk -v k="$1" '$1 == k { print $2 }' "$LAB/blackhole.stats"; }
            q0=$(bhstat queries); c0=$(bhstat tcp-connections)
            out=$(dig +time=1 +tries=1 @"$ip" "$d" SOA 2>&1); rc=$?
            [[ $rc -eq 9 && $out == *"timed out"* ]] && ok "synth lame $d: udp query to $ip timed out" ||
                bad "synth lame $d: udp query to $ip: exit $rc, $(tr '\n' '~' <<<"$out" | head -c 200)"
            out=$(dig +tcp +time=1 +tries=1 @"$ip" "$d" SOA 2>&1); rc=$?
            [[ $rc -eq 9 ]] && ok "synth lame $d: tcp query to $ip got no answer" ||
                bad "synth lame $d: tcp query to $ip: exit $rc, $(tr '\n' '~' <<<"$out" | head -c 200)"
            q1=$(bhstat queries); c1=$(bhstat tcp-connections)
            [[ $q1 -ge $((q0 + 2)) && $c1 -ge $((c0 + 1)) ]] &&
                ok "synth blackhole counted the queries (queries $q0 -> $q1, tcp connections $c0 -> $c1)" ||
                bad "synth blackhole did not count the queries (queries $q0 -> $q1, tcp connections $c0 -> $c1)"
            grep -q "^$ip " "$LAB/blackhole.stats" && ok "synth blackhole lists $ip as asked" ||
                bad "synth blackhole does not list $ip"
        else
            bad "synth lame domains, but lab-blackhole does not run"
        fi
    fi
    DNS=127.53.0.1
    [[ -z $resolver_started ]] || "$ROOT/tests/lab/resolver.sh" down >/dev/null 2>&1
fi

# leave the tempfail listener armed for the next client
"$ROOT/tests/lab/lab.sh" rearm

echo "$pass passed, $failn failed"
[[ $failn -eq 0 ]]
