#!/usr/bin/env bash
# Command-line behaviour of mailscan: help and version, usage errors (exit 2
# with a message naming the problem), exit status 0/1 of check against the lab,
# JSON Lines order, human output. Needs the lab running (tests/lab/lab.sh up).
#
#   tests/cli-tests.sh MAILSCAN_BINARY
set -uo pipefail

BIN=$1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# ASan builds: the one deliberate leak at exit (see tests/lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}
LAB="--root-hints $ROOT/build/lab/root.hints --trust-anchor $ROOT/build/lab/root.key --ca-file $ROOT/build/lab/ca.pem --timeout 3"
pass=0
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect NAME EXIT_STATUS STDOUT_REGEX STDERR_REGEX -- COMMAND...
expect() {
    local name=$1 want=$2 ore=$3 ere=$4 rc
    shift 5
    "$@" >"$out" 2>"$err"
    rc=$?
    if [[ $rc -ne $want ]]; then
        echo "FAIL $name: exit status $rc, expected $want"; sed 's/^/  stderr: /' "$err" | head -5
        fail=$((fail + 1)); return
    fi
    if [[ -n $ore ]] && ! grep -Eq -- "$ore" "$out"; then
        echo "FAIL $name: stdout does not match /$ore/"; head -5 "$out" | sed 's/^/  stdout: /'
        fail=$((fail + 1)); return
    fi
    if [[ -n $ere ]] && ! grep -Eq -- "$ere" "$err"; then
        echo "FAIL $name: stderr does not match /$ere/"; head -5 "$err" | sed 's/^/  stderr: /'
        fail=$((fail + 1)); return
    fi
    echo "ok $name"
    pass=$((pass + 1))
}

expect "--version" 0 '^mailscan [0-9]+\.[0-9]+\.[0-9]+$' '' -- "$BIN" --version
expect "--help lists check" 0 'check \[OPTIONS\] DOMAIN' '' -- "$BIN" --help
expect "check --help lists every option" 0 '--per-ip N' '' -- "$BIN" check --help
# The manual page is readable on a fresh machine: tests/setup.sh installs
# man-db, and the README's `man -l ./mailscan.1` renders it.
expect "tests/setup.sh installs man-db" 0 'man-db' '' -- grep -wE '^ +.*man-db' "$ROOT/tests/setup.sh"
expect "README: man -l ./mailscan.1" 0 'man -l \./mailscan\.1' '' -- grep -F 'man -l ./mailscan.1' "$ROOT/README.md"
expect "man -l mailscan.1 renders the page" 0 '^NAME' '' -- env MANWIDTH=80 man -l "$ROOT/mailscan.1"
# The one table of reason codes: every row is given by some code (no dead
# rows) and the README's "Reason codes" names exactly its codes.
expect "reason table: no dead rows, README names every code" 0 'rows, 0 problems$' '' -- "$ROOT/tests/reasons-check.sh"
expect "no command" 2 '' 'usage: mailscan' -- "$BIN"
expect "unknown command" 2 '' "unknown command 'frobnicate'" -- "$BIN" frobnicate
expect "check without domains" 2 '' 'no domains given' -- "$BIN" check
expect "unknown option" 2 '' 'usage: mailscan check' -- "$BIN" check --no-such-option x.example
expect "bad --timeout" 2 '' "--timeout: 'abc' is not a number" -- "$BIN" check --timeout abc x.example
expect "bad domain names the argument" 2 '' "domain argument 2: 'bad_domain!.example': character not allowed" -- "$BIN" check good.example 'bad_domain!.example'
expect "one-label name" 2 '' "not a domain name" -- "$BIN" check localhost
expect "missing trust anchor file" 2 '' "/nonexistent/root.key: cannot open" -- "$BIN" check --trust-anchor /nonexistent/root.key x.example
expect "missing CA file" 2 '' "/nonexistent/ca.pem: cannot load CA" -- "$BIN" check --ca-file /nonexistent/ca.pem x.example
expect "trust anchor file without DS or DNSKEY" 2 '' "build/lab/root.hints: not a zone file with DS or DNSKEY records" -- "$BIN" check --trust-anchor build/lab/root.hints x.example
badta=$(mktemp --suffix=-bad-ta.key)
printf '. IN DS 1 2 3 zz\n' >"$badta"
expect "trust anchor file libunbound cannot parse" 2 '' "bad-ta.key:.*(parse error|hex)" -- "$BIN" check --root-hints build/lab/root.hints --trust-anchor "$badta" x.example
rm -f "$badta"
expect "--resolver with --root-hints" 2 '' "does not go with --root-hints" -- "$BIN" check --resolver 127.0.0.1 --root-hints build/lab/root.hints x.example
expect "--skip an unknown probe names the probes" 2 '' "--skip: unknown probe 'frob' \\(one of: dnssec starttls" -- "$BIN" check --skip dane,frob x.example
expect "--skip with an empty name" 2 '' "--skip: 'dane,': a probe name after the comma" -- "$BIN" check --skip dane, x.example
badsel=$(mktemp)
printf 'good.example sel1\nbad line with spaces here\n' >"$badsel"
expect "--dkim-selectors: a bad line is named FILE:LINE" 2 '' "--dkim-selectors: $badsel:2: bad domain" -- "$BIN" check --dkim-selectors "$badsel" x.example
expect "--dkim-selectors: a missing file" 2 '' "--dkim-selectors: /nonexistent/sel.txt: No such file" -- "$BIN" check --dkim-selectors /nonexistent/sel.txt x.example
rm -f "$badsel"
badrpki=$(mktemp)
printf '{"roas":[{"asn":"AS64496","prefix":"192.0.2.0/24","maxLength":24},{"asn":"AS1","prefix":"192.0.2.1/24"}]}' >"$badrpki"
expect "--rpki-vrps: a bad ROA is named FILE: roa N" 2 '' "--rpki-vrps: $badrpki: roa 1: prefix: host bits set" -- "$BIN" check --rpki-vrps "$badrpki" x.example
printf '{"roas":[' >"$badrpki"
expect "--rpki-vrps: a file that is not JSON" 2 '' "--rpki-vrps: $badrpki: not JSON" -- "$BIN" check --rpki-vrps "$badrpki" x.example
printf '192.0.2.0/24 AS64496\n192.0.2.0/24 AS-SET\n' >"$badrpki"
expect "--bgp-table: a bad line is named FILE:LINE" 2 '' "--bgp-table: $badrpki:2: 'AS-SET': not an AS number" -- "$BIN" check --bgp-table "$badrpki" x.example
expect "--rpki-vrps: a missing file" 2 '' "--rpki-vrps: /nonexistent/vrps.json: No such file" -- "$BIN" check --rpki-vrps /nonexistent/vrps.json x.example
rm -f "$badrpki"
expect "--rpki-cache not HOST:PORT" 2 '' "--rpki-cache: 'rtr.example' is not HOST:PORT" -- "$BIN" check --rpki-cache rtr.example x.example
expect "--rpki-cache with --rpki-vrps" 2 '' "give one" -- "$BIN" check --rpki-cache 127.61.0.1:323 --rpki-vrps build/lab/rpki/vrps.json x.example
# an RTR cache that does not answer: rpki error rpki-cache-unreachable, not a run failure
# (exit 1 for the domain's DANE fail, never 3)
# shellcheck disable=SC2086
expect "--rpki-cache that does not answer: error rpki-cache-unreachable" 1 '"rpki":\["rpki-cache-unreachable"\]' "no complete set of VRPs" -- "$BIN" check --json $LAB --timeout 1 --rpki-cache 127.61.0.1:9 rpki-valid.example
expect "--resolver-trusted alone" 2 '' "needs --resolver" -- "$BIN" check --resolver-trusted x.example
expect "--resolver not an address" 2 '' "resolver 'resolver.example': .*not an IPv4 or IPv6 address" -- "$BIN" check --resolver resolver.example x.example
expect "--resolver that does not answer" 2 '' "no resolver answers .*127.0.0.1@9" -- "$BIN" check --resolver 127.0.0.1@9 x.example
expect "bad --dns-rate" 2 '' "--dns-rate: 'x' is not a number" -- "$BIN" check --dns-rate x x.example
# shellcheck disable=SC2086
expect "all-pass domain exits 0" 0 '"dnssec":"pass","starttls":"pass","tls_ncsc":"pass","dane":"pass","mta_sts":"pass","tlsrpt":"pass"' '' -- "$BIN" check --json $LAB good.example
# shellcheck disable=SC2086
expect "a required failure exits 1" 1 '"dane":"fail"' '' -- "$BIN" check --json $LAB good.example dane-mismatch.example
# shellcheck disable=SC2086
expect "readable output: SPF says where the 11th lookup is" 1 'SPF: DNS-querying term 11 exceeds the limit of 10 at l2\.spf\.example' '' -- "$BIN" check $LAB lookups.spf.example
# shellcheck disable=SC2086
expect "readable output: DMARC names the tag of a syntax error" 1 'DMARC: p: not none, quarantine or reject' '' -- "$BIN" check $LAB syntax.dmarc.example
# shellcheck disable=SC2086
expect "recommended-only failure exits 0" 0 '"mta_sts":"fail"' '' -- "$BIN" check --json $LAB dane-ta.example
# shellcheck disable=SC2086
expect "upper case and trailing dot are normalised" 0 '"domain":"good.example"' '' -- "$BIN" check --json $LAB GOOD.Example.
# shellcheck disable=SC2086
expect "IDN is converted to A-labels" 0 '"domain":"xn--bcher-kva.example"' '' -- "$BIN" check --json $LAB 'bücher.example'
# shellcheck disable=SC2086
expect "bad name is quoted as given" 2 '' "domain argument 1: 'b\?\?cher\.\.example': empty label" -- "$BIN" check 'bücher..example'
# shellcheck disable=SC2086
expect "human output shows verdicts and MX" 0 'mta_sts +pass' '' -- "$BIN" check $LAB good.example
# shellcheck disable=SC2086
expect "human output names the MX address" 0 '127\.25\.0\.10 +ok TLSv1\.3' '' -- "$BIN" check $LAB good.example

# Offline: a network namespace of its own with only lo up (no lab in it) and
# the real root hints; no name server answers anything. The readable output
# says why for the MX lookup, and a run where every domain is error for that
# run-level cause exits 3 (check and scan; scan keeps the run, marked failed).
offline() { unshare -n bash -c 'ip link set lo up && exec "$@"' offline "$@"; }
expect "offline check: MX lookup says there is no DNS answer at all, exit 3" 3 \
    '^  MX lookup: [a-z]+: no DNS answer in this run, not even from the root servers - is there a network\?$' \
    'no DNS answer at all in this run, not even from the root servers - is there a network\? \(every domain is error\)' \
    -- offline "$BIN" check --timeout 2 example.nl
expect "offline check --json: mx_error says why, exit 3" 3 '"mx_error":"MX lookup: [a-z]+: no DNS answer in this run' \
    'is there a network' -- offline "$BIN" check --json --timeout 2 example.nl example.com
offdir=$(mktemp -d)
printf 'example.nl\nexample.com\n' >"$offdir/list.txt"
expect "offline scan: exit 3, the run kept and marked failed" 3 '' 'Run 1 is marked failed \(2 domains stored, all error\)' \
    -- offline "$BIN" scan "$offdir/list.txt" --db "$offdir/off.db" --timeout 2
expect "offline scan: runs shows the failed run with its domains" 0 '^ +1  [0-9TZ:-]+  failed +2/2 ' '' -- "$BIN" runs --db "$offdir/off.db"
rm -rf "$offdir"
# A lame domain (its own name servers never answer; the lab's root and TLD
# servers do) is a finding about that domain, not a run-level cause: exit 0
# as before, and no word of a missing network.
# shellcheck disable=SC2086
"$BIN" check $LAB sub.dnserr.example >"$out" 2>"$err"
rc=$?
if [[ $rc -eq 0 ]] && grep -q 'dns-timeout' "$out" && ! grep -qi 'network' "$out" "$err"; then
    echo "ok a lame domain's dns-timeout is no run-level cause: exit 0, no network hint"; pass=$((pass + 1))
else
    echo "FAIL a lame domain's dns-timeout is no run-level cause: exit $rc"; head -12 "$out" "$err" | sed 's/^/  /'; fail=$((fail + 1))
fi

# --config: the lab options from a YAML file; the command line overrides it.
cfg=$(mktemp)
printf 'root-hints: %s\ntrust-anchor: %s\nca-file: %s\ntimeout: 3\njson: true\n' \
    "$ROOT/build/lab/root.hints" "$ROOT/build/lab/root.key" "$ROOT/build/lab/ca.pem" >"$cfg"
expect "--config supplies the options" 0 '"dane":"pass"' '' -- "$BIN" check --config "$cfg" good.example
expect "--config with command-line override" 2 '' "--timeout: '0' is not a number" -- "$BIN" check --config "$cfg" --timeout 0 good.example
printf 'timeout: 3\nper-ip: [1, 2]\n' >"$cfg"
expect "--config error names file:line:column" 2 '' "$cfg:2:9: lists are not options" -- "$BIN" check --config "$cfg" good.example
printf 'colour: true\n' >"$cfg"
expect "--config unknown key" 2 '' "unknown option 'colour' in the config file" -- "$BIN" check --config "$cfg" good.example
expect "--config missing file" 2 '' "/nonexistent.yaml: cannot open" -- "$BIN" check --config /nonexistent.yaml good.example
rm -f "$cfg"

# JSON Lines: one valid object per domain, in input order, even when later
# domains finish first (slow.example takes the longest).
# shellcheck disable=SC2086
"$BIN" check --json $LAB slow.example good.example nomx.example >"$out" 2>"$err"
order=$(jq -r .domain "$out" | tr '\n' ' ')
if [[ $order == "slow.example good.example nomx.example " ]]; then
    echo "ok JSON Lines in input order"; pass=$((pass + 1))
else
    echo "FAIL JSON Lines in input order: got '$order'"; fail=$((fail + 1))
fi

# jq_expect NAME JQ_FILTER ARGS...: the filter must print true for the JSON output.
jq_expect() {
    local name=$1 filter=$2 got
    shift 2
    "$BIN" check --json "$@" >"$out" 2>"$err"
    got=$(jq -s -c "$filter" "$out" 2>&1)
    if [[ $got == true ]]; then
        echo "ok $name"; pass=$((pass + 1))
    else
        echo "FAIL $name: $filter gave $got"; fail=$((fail + 1))
    fi
}
# shellcheck disable=SC2086
jq_expect "MX cap: ten of twelve tested, noted" \
    '.[0] | (.mx | length) == 10 and (.notes | index("mx-cap-reached")) != null and .mx[0].host == "mx01.manymx.example" and .mx[9].preference == 100' $LAB manymx.example
# shellcheck disable=SC2086
jq_expect "--max-mx 12 tests all twelve" \
    '.[0] | (.mx | length) == 12 and (.notes | length) == 0' $LAB --max-mx 12 manymx.example
# shellcheck disable=SC2086
jq_expect "CNAME MX host: TLSA from the target" \
    '.[0] | .mx[0].cname == "mx1.good.example" and .mx[0].tlsa.name == "_25._tcp.mx1.good.example" and .verdicts.dane == "pass"' $LAB cname-mx.example
# shellcheck disable=SC2086
jq_expect "evidence: per-address TLS facts and certificate" \
    '.[0] | .mx[0].addresses[0] | .starttls == "ok" and .tls_version == "TLSv1.3" and .cert.pkix_valid and .cert.name_match and (.cert.san | index("mx1.good.example")) != null and .dane == "match" and (.banner | startswith("220"))' $LAB good.example
# shellcheck disable=SC2086
jq_expect "evidence: expired self-signed cert is not PKIX-valid, DANE-EE still matches" \
    '.[0] | .mx[0].addresses[0] | .cert.pkix_valid == false and .cert.pkix_error == "self-signed certificate" and .cert.not_after == "2021-01-01T00:00:00Z" and .cert.key_type == "EC" and .dane == "match"' $LAB dane-ee-expired.example
# shellcheck disable=SC2086
jq_expect "evidence: MTA-STS policy and TXT" \
    '.[0] | .mta_sts.txt == "v=STSv1; id=20261123a" and .mta_sts.policy.mode == "enforce" and .mta_sts.policy.mx == ["mx1.good.example"]' $LAB good.example
# shellcheck disable=SC2086
jq_expect "evidence: per-name DNSSEC status" \
    '.[0] | .dnssec.domain == "secure" and .dnssec.mx["mx.unsigned-zone.example"] == "insecure"' $LAB unsigned-mx.example
# shellcheck disable=SC2086
jq_expect "hostile peers end in a per-address reason" \
    '[.[] | .mx[0].addresses[0].starttls] == ["timeout", "protocol-error", "timeout", "bad-greeting"]' $LAB silent.example endless.example slow.example garbage.example

# The most SMTP sessions open at once to one address, from the debug trace of
# state changes ("-> CONNECT" opens, "-> DONE" closes).
max_per_ip_of() {
    awk '/: CONNECT -> CONNECT$/ { ip = $0; sub(/.*\[/, "", ip); sub(/\].*/, "", ip); n[ip]++; if (n[ip] > m) m = n[ip] }
         / -> DONE$/ { ip = $0; sub(/.*\[/, "", ip); sub(/\].*/, "", ip); n[ip]-- }
         END { print m + 0 }' "$1"
}

# tls_ncsc (NCSC TLS guidelines 2025): the verdict and the findings that name
# what is wrong, per lab listener (tests/lab/listeners.tsv 127.25.0.30-34).
# shellcheck disable=SC2086
jq_expect "tls_ncsc good: TLS 1.3 only, pass, no findings" \
    '.[0] | .verdicts.tls_ncsc == "pass" and (.mx[0].addresses[0].ncsc | .state == "done" and .versions["TLSv1.3"] == "accepted" and .versions["TLSv1.2"] == "refused" and .versions["TLSv1.0"] == "refused" and (.findings | length) == 0)' $LAB ncsc-good.example
# shellcheck disable=SC2086
jq_expect "tls_ncsc sufficient: TLS 1.2 with ECDHE-AESGCM, pass, EMS and secure renegotiation seen" \
    '.[0] | .verdicts.tls_ncsc == "pass" and (.mx[0].addresses[0].ncsc | .versions["TLSv1.2"] == "accepted" and .versions["TLSv1.3"] == "refused" and .extended_master_secret and .secure_renegotiation and ([.seen[] | select(.aspect == "cipher") | .class] | unique) == ["sufficient"] and (.findings | length) == 0)' $LAB ncsc-sufficient.example
# shellcheck disable=SC2086
jq_expect "tls_ncsc phase-out: warn; findings name a CBC suite, DHE, ffdhe3072 and RSA-2048" \
    '.[0] | .verdicts.tls_ncsc == "warn" and (.mx[0].addresses[0].ncsc.findings | (map(.class) | unique) == ["phase-out"] and any(.aspect == "cipher" and (.item | test("_CBC_SHA(256|384)$"))) and any(.aspect == "cipher" and (.item | startswith("TLS_DHE_RSA_"))) and any(.aspect == "key-exchange" and .item == "ffdhe3072") and any(.aspect == "cert-key" and .item == "RSA-2048"))' $LAB ncsc-phaseout.example
# shellcheck disable=SC2086
jq_expect "tls_ncsc insufficient: fail; findings name TLS 1.0 and 1.1, RSA-1024, SHA-1, DH-1024, RSA key exchange" \
    '.[0] | .verdicts.tls_ncsc == "fail" and .verdicts.starttls == "pass" and (.mx[0].addresses[0].ncsc | .versions["TLSv1.0"] == "accepted" and (.findings | any(.aspect == "version" and .item == "TLSv1.0" and .class == "insufficient") and any(.aspect == "version" and .item == "TLSv1.1") and any(.aspect == "cert-key" and .item == "RSA-1024" and .class == "insufficient") and any(.aspect == "cert-signature" and .item == "ecdsa-with-SHA1" and .class == "insufficient") and any(.aspect == "key-exchange" and .item == "DH-1024" and .class == "insufficient") and any(.aspect == "cipher" and (.item | startswith("TLS_RSA_WITH_")) and .class == "insufficient")))' $LAB ncsc-insufficient.example
# shellcheck disable=SC2086
jq_expect "tls_ncsc 3DES and RC4 (GnuTLS listener, suites this OpenSSL lacks): fail, named by raw ClientHellos; SSL 3.0 refused, compression tested" \
    '.[0] | .verdicts.tls_ncsc == "fail" and .verdicts.starttls == "pass" and (.mx[0].addresses[0].ncsc | .state == "done" and .versions.SSLv3 == "refused" and .compression == false and (.findings | any(.aspect == "cipher" and (.item | test("^TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA$")) and .class == "insufficient" and (.detail | test("3DES; chosen in a raw ClientHello"))) and any(.aspect == "cipher" and .item == "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA" and .class == "insufficient")))' $LAB ncsc-3des.example
# shellcheck disable=SC2086
jq_expect "tls_ncsc: the OpenSSL listeners refuse raw SSL 3.0 and 3DES/RC4 hellos; no finding from them" \
    '.[0] | .verdicts.tls_ncsc == "pass" and (.mx[0].addresses[0].ncsc | .versions.SSLv3 == "refused" and .compression == false and ([.seen[] | select(.item | test("3DES|RC4"))] | length) == 0)' $LAB ncsc-sufficient.example
# shellcheck disable=SC2086
jq_expect "tls_ncsc order: a phase-out suite preferred over a sufficient one fails, naming both" \
    '.[0] | .verdicts.tls_ncsc == "fail" and (.reasons.tls_ncsc | index("ncsc-cipher-order")) != null and (.mx[0].addresses[0].ncsc | .cipher_order == "violation" and (.cipher_order_detail | test("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256.*TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")))' $LAB ncsc-order.example
# shellcheck disable=SC2086
expect "human output lists the tls_ncsc findings" 1 'ncsc \([0-9]+ handshakes\):.* TLSv1\.0 insufficient in TLSv1\.0,.*RSA-1024 insufficient' '' -- "$BIN" check $LAB ncsc-insufficient.example

# issue 13: what the cross-check found missing, each named in the evidence
jq_expect "tls_ncsc TLS 1.3 groups: ffdhe2048 accepted when offered alone, insufficient" \
    '.[0] | .verdicts.tls_ncsc == "fail" and (.mx[0].addresses[0].ncsc.findings | any(.aspect == "key-exchange" and .item == "ffdhe2048" and .class == "insufficient" and .version == "TLSv1.3"))' $LAB ncsc-ffdhe.example
jq_expect "tls_ncsc key-exchange signature: SHA-1 when asked, insufficient" \
    '.[0] | .verdicts.tls_ncsc == "fail" and (.mx[0].addresses[0].ncsc.findings | any(.aspect == "key-exchange-signature" and .item == "EC+SHA1" and .class == "insufficient"))' $LAB ncsc-sha1sig.example
jq_expect "tls_ncsc weak curves with the certificate's own: P-224 preferred behind a P-256 key" \
    '.[0] | .verdicts.tls_ncsc == "warn" and (.mx[0].addresses[0].ncsc.findings | any(.aspect == "key-exchange" and .item == "secp224r1" and .class == "phase-out"))' $LAB ncsc-weakcurve.example
jq_expect "tls_ncsc order per suite: AES128-GCM behind AES128-CBC-SHA256 fails, naming both" \
    '.[0] | .verdicts.tls_ncsc == "fail" and (.mx[0].addresses[0].ncsc | .cipher_order == "violation" and (.cipher_order_detail | test("AES_128_CBC_SHA256.*AES_128_GCM_SHA256")))' $LAB ncsc-order3.example
jq_expect "tls_ncsc private root beyond the leaf: its SHA-1 self-signature is judged, the untrusted chain said for information" \
    '.[0] | .verdicts.tls_ncsc == "fail" and (.reasons.tls_ncsc | sort) == ["ncsc-cert-signature-insufficient", "ncsc-cert-untrusted"]' $LAB ncsc-privroot.example
# CAA on the MX host name (RFC 8659 tree climbing, internet.nl: a notice):
# mx1.good.example has none, its registrable domain good.example has one;
# ncsc-caa-none.example has none up to itself, a notice beside the pass
jq_expect "tls_ncsc CAA: found one level up, at the registrable domain" \
    '.[0] | .reasons.tls_ncsc == [] and .mx[0].caa == {"state": "found", "owner": "good.example", "records": ["0 issue \"ca.lab.example\""]}' $LAB good.example
jq_expect "tls_ncsc CAA: none up to the registrable domain is a notice, still a pass" \
    '.[0] | .verdicts.tls_ncsc == "pass" and (.reasons.tls_ncsc | index("ncsc-caa-missing")) != null and .mx[0].caa == {"state": "none", "searched_up_to": "ncsc-caa-none.example"}' $LAB ncsc-caa-none.example
# Certificate trust and host name without DANE-TA (internet.nl: information):
# an info code beside the verdict, which stays a pass
jq_expect "tls_ncsc without DANE-TA: a certificate that does not name the MX host is info, still a pass" \
    '.[0] | .verdicts.tls_ncsc == "pass" and .reasons.tls_ncsc == ["ncsc-cert-name-mismatch"]' $LAB dane-mismatch.example

# Once per address: two MX host names on 127.25.0.32 share one tls_ncsc probe
# (SNI: the name whose STARTTLS probe finished first); the lab's connection log
# counts the sessions.
CONNLOG=$ROOT/build/lab/smtpd-conn.log
mark=$(wc -l <"$CONNLOG")
# shellcheck disable=SC2086
jq_expect "tls_ncsc runs once per address, shared by its host names" \
    '.[0] | .verdicts.tls_ncsc == "warn" and ([.mx[].addresses[0].ncsc] | length == 2 and .[0] == .[1] and (.[0].sni | test("^mx[12]\\.ncsc-shared\\.example$")) and .[0].handshakes >= 4)' $LAB ncsc-shared.example
n=$(tail -n +$((mark + 1)) "$CONNLOG" | grep -c '^127\.25\.0\.32 ')
hs=$(jq '.mx[0].addresses[0].ncsc.handshakes' "$out")
if [[ $n -eq $((2 + hs)) ]]; then
    echo "ok tls_ncsc connections: two STARTTLS probes + $hs handshakes = $n"; pass=$((pass + 1))
else
    echo "FAIL tls_ncsc connections: $n to 127.25.0.32, expected 2 + $hs"; fail=$((fail + 1))
fi

# Client-initiated renegotiation (internet.nl: information for mail): asked
# for inside one of the probe's TLS 1.2 sessions, after its handshake, never
# in a session of its own (the connection log: one STARTTLS probe + the
# handshakes, as for every address). The lab's clientreneg listener
# (127.25.0.46) allows it; OpenSSL 3 refuses by default with a
# no_renegotiation alert, the GnuTLS listener closes, the renegignore one
# (127.25.0.47) never answers: refused after --timeout, not a hang.
mark=$(wc -l <"$CONNLOG")
# shellcheck disable=SC2086
jq_expect "tls_ncsc client-initiated renegotiation allowed: info ncsc-client-renegotiation beside the pass" \
    '.[0] | .verdicts.tls_ncsc == "pass" and .reasons.tls_ncsc == ["ncsc-client-renegotiation"] and (.mx[0].addresses[0].ncsc | .state == "done" and .client_renegotiation == "allowed" and .client_renegotiation_detail == "at TLSv1.2: a second handshake completed")' $LAB ncsc-reneg.example
n=$(tail -n +$((mark + 1)) "$CONNLOG" | grep -c '^127\.25\.0\.46 ')
hs=$(jq '.mx[0].addresses[0].ncsc.handshakes' "$out")
if [[ $n -eq $((1 + hs)) && $hs -ge 5 ]]; then
    echo "ok tls_ncsc renegotiation in a session of the probe: one STARTTLS probe + $hs handshakes = $n"; pass=$((pass + 1))
else
    echo "FAIL tls_ncsc renegotiation sessions: $n to 127.25.0.46, expected 1 + $hs"; fail=$((fail + 1))
fi
mark=$(wc -l <"$CONNLOG")
# shellcheck disable=SC2086
jq_expect "tls_ncsc client-initiated renegotiation refused (OpenSSL alert, GnuTLS close, no answer) or not applicable (TLS 1.3 only): no finding" \
    '(.[0] | .reasons.tls_ncsc == [] and (.mx[0].addresses[0].ncsc | .client_renegotiation == "refused" and (.client_renegotiation_detail | test("^at TLSv1\\.2: .*no renegotiation$")))) and (.[1] | (.reasons.tls_ncsc | index("ncsc-client-renegotiation")) == null and (.mx[0].addresses[0].ncsc | .client_renegotiation == "refused" and (.client_renegotiation_detail | test("^at TLSv1\\.2: .*(eof|closed)")))) and (.[2] | .verdicts.tls_ncsc == "pass" and .reasons.tls_ncsc == [] and (.mx[0].addresses[0].ncsc | .state == "done" and .client_renegotiation == "refused" and .client_renegotiation_detail == "at TLSv1.2: no answer within 3000 ms")) and (.[3] | .mx[0].addresses[0].ncsc | .client_renegotiation == "not-applicable" and .client_renegotiation_detail == null)' \
    $LAB ncsc-sufficient.example ncsc-3des.example ncsc-reneg-ignored.example ncsc-good.example
n=$(tail -n +$((mark + 1)) "$CONNLOG" | grep -c '^127\.25\.0\.47 ')
hs=$(jq -s '.[2].mx[0].addresses[0].ncsc.handshakes' "$out")
if [[ $n -eq $((1 + hs)) && $hs -ge 5 ]]; then
    echo "ok tls_ncsc renegotiation that is never answered: one STARTTLS probe + $hs handshakes = $n"; pass=$((pass + 1))
else
    echo "FAIL tls_ncsc unanswered renegotiation sessions: $n to 127.25.0.47, expected 1 + $hs"; fail=$((fail + 1))
fi

# A server without RFC 5746 secure renegotiation (no renegotiation_info; the
# lab's nori listener, 127.25.0.48, GnuTLS): OpenSSL 3 clients refuse it by
# default, a sending MTA that allows legacy servers gets TLS. mailscan sets
# SSL_OP_LEGACY_SERVER_CONNECT: STARTTLS passes on its merits and tls_ncsc
# fails it with ncsc-renegotiation-insecure alone (TLS 1.2, ECDHE, AES-GCM).
# shellcheck disable=SC2086
jq_expect "no RFC 5746 secure renegotiation: starttls pass, tls_ncsc fail ncsc-renegotiation-insecure" \
    '.[0] | .verdicts.starttls == "pass" and .reasons.starttls == [] and .verdicts.tls_ncsc == "fail" and .reasons.tls_ncsc == ["ncsc-renegotiation-insecure"] and (.mx[0].addresses[0] | .starttls == "ok" and .tls_version == "TLSv1.2" and .error == null and .ncsc.state == "done" and .ncsc.secure_renegotiation == false and .ncsc.extended_master_secret == true)' \
    $LAB ncsc-nori.example

# Its handshakes go through --per-ip and --rate like every SMTP session:
# at most one session at a time with --per-ip 1, and at --rate 20 the ~24
# connections to the legacy listener take at least 1.1 s.
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$BIN" check --json -v -v --per-ip 1 --rate 20 $LAB ncsc-insufficient.example >"$out" 2>"$err"
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
got=$(max_per_ip_of "$err")
hs=$(jq '.mx[0].addresses[0].ncsc.handshakes' "$out")
if [[ $got -eq 1 && $hs -ge 10 ]] && awk -v s="$secs" -v n="$hs" 'BEGIN { exit !(s >= (n - 1) / 20.0) }'; then
    echo "ok tls_ncsc obeys --per-ip 1 and --rate 20 ($hs handshakes, $secs s, at most $got session at once)"; pass=$((pass + 1))
else
    echo "FAIL tls_ncsc with --per-ip 1 --rate 20: $hs handshakes in $secs s, $got sessions at once"; fail=$((fail + 1))
fi

# The time cap (4 x --timeout): the slow-but-working listener needs ~3 s per
# session, so the probe is cut short; what it found stands, no pass is claimed.
# shellcheck disable=SC2086
jq_expect "tls_ncsc time cap: slowok is cut short, error ncsc-incomplete" \
    '.[0] | .verdicts.tls_ncsc == "error" and .reasons.tls_ncsc == ["ncsc-incomplete"] and (.mx[0].addresses[0].ncsc | .state == "incomplete" and (.note | test("time cap of 8000 ms")) and .ms >= 7900 and .ms < 9500)' \
    --root-hints "$ROOT/build/lab/root.hints" --trust-anchor "$ROOT/build/lab/root.key" --ca-file "$ROOT/build/lab/ca.pem" --timeout 2 slowok.example

# --skip-tls-ncsc: one STARTTLS session per address and nothing more; no pass
# is claimed, but what the certificate chain and missing TLS show still counts.
mark=$(wc -l <"$CONNLOG")
# shellcheck disable=SC2086
jq_expect "--skip-tls-ncsc: error ncsc-skipped; the chain's phase-out key and a missing STARTTLS still count" \
    '(.[0] | .verdicts.tls_ncsc == "error" and .reasons.tls_ncsc == ["ncsc-skipped"] and .verdicts.starttls == "pass" and (.mx[0].addresses[0].ncsc | .state == "not-run" and .findings == [])) and (.[1] | .verdicts.tls_ncsc == "warn" and .reasons.tls_ncsc == ["ncsc-cert-key-phase-out", "ncsc-skipped"] and (.mx[0].addresses[0].ncsc.findings | length == 1 and .[0].item == "RSA-2048")) and (.[2] | .verdicts.tls_ncsc == "fail" and .reasons.tls_ncsc == ["ncsc-no-tls"])' \
    --skip-tls-ncsc $LAB ncsc-sufficient.example ncsc-phaseout.example nostarttls.example
n=$(tail -n +$((mark + 1)) "$CONNLOG" | grep -cE '^127\.25\.0\.(31|32|14) ')
if [[ $n -eq 3 ]]; then
    echo "ok --skip-tls-ncsc: one SMTP session per address, no tls_ncsc handshakes"; pass=$((pass + 1))
else
    echo "FAIL --skip-tls-ncsc: $n sessions to 127.25.0.31/.32/.14, expected 3"; fail=$((fail + 1))
fi
# --skip PROBE: no lookups of its own (no MTA-STS policy fetched), its verdict
# error with "skipped", the others judged as always
# shellcheck disable=SC2086
jq_expect "--skip mta_sts,dane: error skipped for those two, the rest judged" \
    '.[0] | .verdicts.mta_sts == "error" and .reasons.mta_sts == ["skipped"] and .verdicts.dane == "error" and .reasons.dane == ["skipped"] and .verdicts.starttls == "pass" and .verdicts.tlsrpt == "pass" and .mta_sts.txt == null' \
    --skip mta_sts,dane $LAB good.example
skipconf=$(mktemp --suffix=.yaml)
printf 'skip-tls-ncsc: true\n' >"$skipconf"
# shellcheck disable=SC2086
jq_expect "--config with skip-tls-ncsc: true" \
    '.[0] | .reasons.tls_ncsc == ["ncsc-skipped"]' --config "$skipconf" $LAB ncsc-sufficient.example
rm -f "$skipconf"

# The total deadline per domain (8 x --timeout): twelve MX hosts on the slow
# listener, one connection at a time, cannot finish in 16 s; the domain is
# reported at its deadline, and no pass is claimed for what was not tested.
t0=$(date +%s)
# shellcheck disable=SC2086
jq_expect "total deadline per domain: reported as error with domain-timeout" \
    '.[0] | .verdicts.starttls == "error" and (.reasons.starttls | index("domain-timeout")) != null and (.notes | index("domain-timeout")) != null and ([.mx[].addresses[0].starttls] | index("ok")) != null' \
    --root-hints "$ROOT/build/lab/root.hints" --trust-anchor "$ROOT/build/lab/root.key" --ca-file "$ROOT/build/lab/ca.pem" \
    --timeout 2 --per-ip 1 --max-mx 12 slowmany.example
echo "   (took $(($(date +%s) - t0)) s; without the deadline it would take about 50 s)"

# --per-ip: the most SMTP sessions open at once to one address, from the
# debug trace of state changes ("-> CONNECT" opens, "-> DONE" closes). Eight
# lab domains have distinct MX host names on 127.25.0.10.
max_per_ip() {
    awk '/: CONNECT -> CONNECT$/ { ip = $0; sub(/.*\[/, "", ip); sub(/\].*/, "", ip); n[ip]++; if (n[ip] > m) m = n[ip] }
         / -> DONE$/ { ip = $0; sub(/.*\[/, "", ip); sub(/\].*/, "", ip); n[ip]-- }
         END { print m + 0 }' "$1"
}
same_ip="good.example dane-mismatch.example dane-usage1.example dane-bogus.example dane-partial.example unsigned-mx.example unsigned.example bogus-ds.example"
for limit in 1 2; do
    # shellcheck disable=SC2086
    "$BIN" check --json -v -v --per-ip $limit --concurrency 20 $LAB $same_ip >"$out" 2>"$err"
    got=$(max_per_ip "$err")
    if [[ $got -ge 1 && $got -le $limit && $(wc -l <"$out") -eq 8 ]]; then
        echo "ok --per-ip $limit (at most $got sessions at once per address)"; pass=$((pass + 1))
    else
        echo "FAIL --per-ip $limit: $got sessions at once to one address"; fail=$((fail + 1))
    fi
done
# Domains run concurrently: silent, slow and endless each take a 3 s deadline;
# checked together they overlap, so more than one session is open at once.
# shellcheck disable=SC2086
"$BIN" check --json -v -v $LAB silent.example slow.example endless.example good.example >"$out" 2>"$err"
open_max=$(awk '/: CONNECT -> CONNECT$/ { n++; if (n > m) m = n } / -> DONE$/ { n-- } END { print m + 0 }' "$err")
if [[ $open_max -ge 3 ]]; then
    echo "ok domains are probed concurrently ($open_max sessions open at once)"; pass=$((pass + 1))
else
    echo "FAIL domains are probed concurrently: at most $open_max session(s) open at once"; fail=$((fail + 1))
fi
# --concurrency 1 runs one domain at a time.
# shellcheck disable=SC2086
"$BIN" check --json -v -v --concurrency 1 $LAB silent.example slow.example tls12.example >"$out" 2>"$err"
open_max=$(awk '/: CONNECT -> CONNECT$/ { n++; if (n > m) m = n } / -> DONE$/ { n-- } END { print m + 0 }' "$err")
if [[ $open_max -eq 1 && $(wc -l <"$out") -eq 3 ]]; then
    echo "ok --concurrency 1 probes one domain at a time"; pass=$((pass + 1))
else
    echo "FAIL --concurrency 1: $open_max sessions open at once"; fail=$((fail + 1))
fi

# Tests never reach the internet: every address the scanner sends to or
# connects to during a lab run (DNS, SMTP, HTTPS) is a loopback address.
trace=$(mktemp)
# shellcheck disable=SC2086
strace -f -qq -e trace=connect,sendto,sendmsg -o "$trace" "$BIN" check --json $LAB \
    good.example sts-crlf.example unsigned.example cname-mx.example >/dev/null 2>&1
dests=$(grep -oE 'inet_addr\("[0-9.]+"\)|inet_pton\(AF_INET6, "[^"]+"' "$trace" | grep -oE '"[^"]+"' | tr -d '"' | sort -u)
outside=$(grep -vE '^(127\.|::1$)' <<<"$dests" || true)
if [[ -n $dests && -z $outside ]]; then
    echo "ok only loopback addresses contacted ($(wc -l <<<"$dests") distinct)"; pass=$((pass + 1))
else
    echo "FAIL addresses outside the lab contacted: ${outside:-none traced}"; fail=$((fail + 1))
fi
rm -f "$trace"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
