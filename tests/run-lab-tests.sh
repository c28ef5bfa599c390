#!/usr/bin/env bash
# Run mailscan once over every lab scenario and compare with tests/lab/scenarios.tsv.
#
#   tests/run-lab-tests.sh MAILSCAN_BINARY [--resolver]
#
# With --resolver, mailscan runs in stub mode through the lab's validating
# unbound (tests/lab/resolver.sh, 127.53.0.53), which it starts and stops:
# the same scenarios, the same expected verdicts as in recursive mode.
#
# The RPKI source is the lab's stayrtr (--rpki-cache, tests/lab/rpki.tsv); after the
# scenarios, the rpki-* domains are checked again with --rpki-vrps and --bgp-table
# (the same verdicts), and one without any RPKI source (error, rpki-no-source).
#
# Starts the lab (tests/lab/lab.sh up) when it is not running, and stops it again
# afterwards in that case. Per scenario prints "ok DOMAIN" or
# "FAIL DOMAIN: expected ..., got ..."; ends with "N passed, N failed".
# Exit status 0 only when every scenario and every global check passes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/build/lab
TSV=$ROOT/tests/lab/scenarios.tsv
# ASan builds: the one deliberate leak at exit (see tests/lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}

[[ $# -eq 1 || ( $# -eq 2 && $2 == --resolver ) ]] ||
    { echo "usage: $0 MAILSCAN_BINARY [--resolver]" >&2; exit 2; }
STUB=${2:-}
BIN=$1
[[ -x $BIN ]] || { echo "run-lab-tests: $BIN is not executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
command -v jq >/dev/null || { echo "run-lab-tests: jq is missing (tests/setup.sh)" >&2; exit 2; }

cd "$ROOT"
started=
status=$(tests/lab/lab.sh status)
if [[ $(grep -c ': running' <<<"$status") -ne 4 ]]; then
    tests/lab/lab.sh up
    started=1
fi
cleanup() {
    [[ -z $STUB ]] || tests/lab/resolver.sh down >/dev/null 2>&1 || true
    [[ -z $started ]] || tests/lab/lab.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
DNSARGS=(--root-hints build/lab/root.hints --trust-anchor build/lab/root.key)
RPKIARGS=(--rpki-cache 127.61.0.1:323)
if [[ -n $STUB ]]; then
    tests/lab/resolver.sh up || { echo "run-lab-tests: the lab resolver did not start"; echo "0 passed, 1 failed"; exit 1; }
    DNSARGS=(--resolver 127.53.0.53)
fi

# scenarios: the header line names the columns: domain, one per standard
# (probe names, as in check --json), reasons
header=$(grep -m1 '^domain'$'\t' "$TSV") || { echo "run-lab-tests: no header line in $TSV" >&2; exit 2; }
IFS=$'\t' read -r -a cols <<<"$header"
[[ ${cols[0]} == domain && ${cols[${#cols[@]} - 1]} == reasons && ${#cols[@]} -ge 3 ]] ||
    { echo "run-lab-tests: $TSV: header must be domain, standards..., reasons" >&2; exit 2; }
nstd=$((${#cols[@]} - 2))
STANDARDS=$(printf '%s\n' "${cols[@]:1:$nstd}" | jq -Rsc 'split("\n") | map(select(. != ""))')
domains=()
expected=()
lineno=0
while IFS=$'\t' read -r -a f; do
    lineno=$((lineno + 1))
    domain=${f[0]:-}
    [[ -z $domain || $domain == \#* || $domain == domain ]] && continue
    [[ ${#f[@]} -eq $((nstd + 2)) ]] ||
        { echo "run-lab-tests: $TSV:$lineno: $domain: expected $((nstd + 2)) columns, got ${#f[@]}" >&2; exit 2; }
    domains+=("$domain")
    # expected object: {"verdicts":{...},"reasons":{std:[sorted codes]}}
    expected+=("$(jq -cn --arg v "${f[*]:1:$nstd}" --arg r "${f[$((nstd + 1))]}" --argjson std "$STANDARDS" '
        ($v | split(" ")) as $vs
        | { verdicts: ([range(0; $std | length)] | map({key: $std[.], value: $vs[.]}) | from_entries),
            reasons: ([range(0; $std | length)] | map({key: $std[.], value: []}) | from_entries) }
        | reduce ($r | split(" ") | map(select(. != "" and . != "-")))[] as $p (.;
            ($p | split(":")) as $kv | .reasons[$kv[0]] += [$kv[1]])
        | .reasons |= map_values(sort | unique)')")
done <"$TSV"
n=${#domains[@]}
[[ $n -gt 0 ]] || { echo "run-lab-tests: no scenarios in $TSV" >&2; exit 2; }

OUT=$LAB/lab-tests.out
ERR=$LAB/lab-tests.err
: >"$LAB/smtpd-conn.log"
# tempfail.example's listener refuses its first connection with 421: make the
# next one (ours) the first, so the retry is exercised every run.
tests/lab/lab.sh rearm
echo "run-lab-tests: $BIN check --json ... ($n domains)"
t0=$SECONDS
set +e
timeout 900 "$BIN" check --json "${DNSARGS[@]}" --ca-file build/lab/ca.pem --timeout 3 \
    --dkim-selectors tests/lab/dkim-selectors.txt "${RPKIARGS[@]}" \
    "${domains[@]}" >"$OUT" 2>"$ERR"
rc=$?
set -e
echo "run-lab-tests: exit status $rc after $((SECONDS - t0)) s (stdout $OUT, stderr $ERR)"

global_fail=0
if [[ $rc -ne 1 ]]; then
    echo "FAIL exit status: expected 1 (some domain fails), got $rc"
    [[ -s $ERR ]] && sed -n '1,20p' "$ERR" | sed 's/^/  stderr: /'
    global_fail=1
fi
# A sanitizer report exits 1 too: look for one explicitly.
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$ERR"; then
    echo "FAIL sanitizer report in stderr:"
    grep -m 5 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY' "$ERR" | sed 's/^/  stderr: /'
    global_fail=1
fi
lines=$(grep -c '' "$OUT" || true)
if [[ $lines -ne $n ]]; then
    echo "FAIL output: expected $n JSON lines, got $lines"
    global_fail=1
fi

passed=0
failed=0
for ((i = 0; i < n; i++)); do
    d=${domains[$i]}
    line=$(sed -n "$((i + 1))p" "$OUT")
    if [[ -z $line ]]; then
        echo "FAIL $d: expected a JSON line ($((i + 1))), got nothing"
        failed=$((failed + 1)); continue
    fi
    if ! got=$(printf '%s\n' "$line" | jq -ce --argjson std "$STANDARDS" '
            . as $d
            | { domain: .domain,
                verdicts: ($std | map({key: ., value: $d.verdicts[.]}) | from_entries),
                reasons: ($std | map({key: ., value: (($d.reasons[.] // []) | sort | unique)})
                          | from_entries) }' 2>/dev/null); then
        echo "FAIL $d: expected a JSON object on line $((i + 1)), got: ${line:0:200}"
        failed=$((failed + 1)); continue
    fi
    gotdomain=$(jq -r '.domain' <<<"$got")
    if [[ $gotdomain != "$d" ]]; then
        echo "FAIL $d: expected line $((i + 1)) to be for $d, got domain \"$gotdomain\""
        failed=$((failed + 1)); continue
    fi
    diff=$(jq -rn --argjson e "${expected[$i]}" --argjson g "$got" --argjson std "$STANDARDS" '
        [ $std[] as $s
          | select($e.verdicts[$s] != $g.verdicts[$s] or $e.reasons[$s] != $g.reasons[$s])
          | "\($s) \($e.verdicts[$s])\($e.reasons[$s] | if length > 0 then " [" + join(",") + "]" else "" end)"
            + " | \($g.verdicts[$s] // "null")\($g.reasons[$s] | if length > 0 then " [" + join(",") + "]" else "" end)" ]
        | join("; ")')
    if [[ -z $diff ]]; then
        echo "ok $d"
        passed=$((passed + 1))
    else
        # diff items are "std expected | got"
        exp_s=$(sed 's/ | [^;]*//g' <<<"$diff")
        got_s=$(sed -e 's/\(^\|; \)\([a-z_]*\) [^|]* | /\1\2 /g' <<<"$diff")
        echo "FAIL $d: expected $exp_s, got $got_s"
        failed=$((failed + 1))
    fi
done

# tls_ncsc client-initiated renegotiation on every lab address the probe
# finished: allowed only on 127.25.0.46 (mode clientreneg), not-applicable
# where no version below TLS 1.3 is accepted, refused on every other one
# (OpenSSL 3's default: the no_renegotiation alert; GnuTLS closes; the
# renegignore listener never answers); never not-tested
reneg=$(jq -sc '
    [.[] | .mx[]?.addresses[]? | select(.ncsc.state? == "done")
     | {ip, r: .ncsc.client_renegotiation,
        low: ([.ncsc.versions | to_entries[] | select(.key != "TLSv1.3" and .value == "accepted")] | length)}]
    | unique_by(.ip) as $a
    | [$a[] | select((.ip == "127.25.0.46") != (.r == "allowed")
                     or (.low == 0) != (.r == "not-applicable")
                     or (.r | IN("allowed", "refused", "not-applicable") | not))
            | "\(.ip) \(.r)"]
      + (if any($a[]; .ip == "127.25.0.46") then [] else ["127.25.0.46 not probed"] end)
      + (if any($a[]; .r == "refused") then [] else ["no address refused"] end)' "$OUT" 2>&1)
if [[ $reneg == "[]" ]]; then
    echo "ok tls_ncsc client-initiated renegotiation: allowed on 127.25.0.46 only, not-applicable at TLS 1.3 only, refused elsewhere"
    passed=$((passed + 1))
else
    echo "FAIL tls_ncsc client-initiated renegotiation: unexpected $reneg"
    failed=$((failed + 1))
fi

# RFC 5746 secure renegotiation on every lab address the probe finished:
# missing only on 127.25.0.48 (mode nori, GnuTLS without renegotiation_info),
# which the handshake still completes (SSL_OP_LEGACY_SERVER_CONNECT: without
# it OpenSSL 3 refuses, "unsafe legacy renegotiation disabled", and STARTTLS
# failed there); no address anywhere fails its handshake for that reason
sr=$(jq -sc '
    [.[] | .mx[]?.addresses[]?] as $all
    | [$all[] | select(.ncsc.state? == "done") | {ip, s: .ncsc.secure_renegotiation}]
    | unique_by(.ip) as $a
    | [$a[] | select((.ip == "127.25.0.48") != (.s == false)) | "\(.ip) \(.s)"]
      + (if any($a[]; .ip == "127.25.0.48") then [] else ["127.25.0.48 not probed"] end)
      + [$all[] | select((.error? // "") | test("legacy renegotiation")) | "\(.ip) \(.error)"]' "$OUT" 2>&1)
if [[ $sr == "[]" ]]; then
    echo "ok tls_ncsc secure renegotiation (RFC 5746): missing on 127.25.0.48 only, which still completes its handshakes"
    passed=$((passed + 1))
else
    echo "FAIL tls_ncsc secure renegotiation: unexpected $sr"
    failed=$((failed + 1))
fi

# traceability: every error verdict given for a DNS failure (a DNS timeout
# or error, a bogus answer, an SPF temperror, an indeterminate state) rests on
# lookups listed in the domain's dns_failures, each with its name, type,
# status and error text; the MX lookup of sub.dnserr.example timed out, the
# MX answer of bogus-ds.example is bogus
tr=$(jq -sc '
    [.[] | select(. as $x | [$x.reasons | to_entries[] | select($x.verdicts[.key] == "error") | .value[]]
                  | any(test("dns-|bogus|temperror|indeterminate")))
         | select((.dns_failures // []) | length == 0) | "\(.domain): no dns_failures"]
    + [.[] | .domain as $d | (.dns_failures // [])[]
         | select((.name | length) == 0 or (.type | length) == 0 or (.error | length) == 0
                  or (.status | IN("timeout", "servfail", "failure", "bad-reply", "bogus") | not))
         | "\($d): incomplete \(.)"]
    + (if any(.[]; .domain == "sub.dnserr.example" and any(.dns_failures[]?;
              .name == "sub.dnserr.example" and .type == "MX" and .status == "timeout"))
       then [] else ["sub.dnserr.example: no MX timeout listed"] end)
    + (if any(.[]; .domain == "bogus-ds.example" and any(.dns_failures[]?;
              .name == "bogus-ds.example" and .type == "MX" and .status == "bogus"))
       then [] else ["bogus-ds.example: no bogus MX listed"] end)' "$OUT" 2>&1)
if [[ $tr == "[]" ]]; then
    echo "ok every DNS-failure verdict is traced to the failed lookups in dns_failures"
    passed=$((passed + 1))
else
    echo "FAIL dns_failures: $tr"
    failed=$((failed + 1))
fi

# informational: connections per listener (MX dedup shows here)
if [[ -s $LAB/smtpd-conn.log ]]; then
    echo "run-lab-tests: SMTP connections per listener: $(awk '{ c[$1]++ } END { for (k in c) printf "%s=%d ", k, c[k] }' "$LAB/smtpd-conn.log")"
fi

# rpki: the file sources (--rpki-vrps, --bgp-table) judge as the RTR cache and the
# lab's Cymru zones did; no source at all is error rpki-no-source, never a pass
rpki_domains=()
for ((i = 0; i < n; i++)); do
    [[ ${domains[$i]} == rpki-* ]] && rpki_domains+=("${domains[$i]}")
done
if [[ ${#rpki_domains[@]} -gt 0 ]]; then
    want=$(jq -c 'select(.domain | startswith("rpki-")) | [.domain, .verdicts.rpki, (.reasons.rpki // [] | sort)]' "$OUT")
    set +e
    got=$("$BIN" check --json "${DNSARGS[@]}" --timeout 3 --skip-tls-ncsc \
        --rpki-vrps build/lab/rpki/vrps.json --bgp-table build/lab/rpki/bgp.txt \
        "${rpki_domains[@]}" 2>>"$ERR" |
        jq -c '[.domain, .verdicts.rpki, (.reasons.rpki // [] | sort)]')
    set -e
    if [[ $got == "$want" ]]; then
        echo "ok rpki from --rpki-vrps and --bgp-table: the same ${#rpki_domains[@]} verdicts"
        passed=$((passed + 1))
    else
        echo "FAIL rpki from --rpki-vrps and --bgp-table: expected $(tr '\n' ' ' <<<"$want"), got $(tr '\n' ' ' <<<"$got")"
        failed=$((failed + 1))
    fi
    set +e
    got=$("$BIN" check --json "${DNSARGS[@]}" --timeout 3 --skip-tls-ncsc "${rpki_domains[0]}" 2>>"$ERR" |
        jq -c '[.verdicts.rpki, .reasons.rpki]')
    set -e
    if [[ $got == '["error",["rpki-no-source"]]' ]]; then
        echo "ok ${rpki_domains[0]} without an RPKI source: error rpki-no-source"
        passed=$((passed + 1))
    else
        echo "FAIL ${rpki_domains[0]} without an RPKI source: expected [\"error\",[\"rpki-no-source\"]], got $got"
        failed=$((failed + 1))
    fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $global_fail -eq 0 ]]
