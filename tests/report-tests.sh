#!/usr/bin/env bash
# `mailscan report` on a fixed database (tests/data/report/fixture.sql, with
# tests/data/report/explanations.yaml): golden files of the md, csv and json
# formats in Dutch and English; explanations (valid, expired, no longer
# needed, unused, organisation level, renewed, judged on the run's date);
# escaping of the hostile names, banners and texts of the fixture in every
# format (md rendered with cmark-gfm, csv parsed back with Python's csv
# module, json with jq and Python); the tls_ncsc findings of an address in
# the appendix of html, md and json, a hostile one escaped; a schema-3
# database migrated when the report opens it; usage errors; -o writing
# atomically.
# Every check prints "ok NAME" or "not ok NAME: why"; the last line is
# "N passed, N failed". Needs no lab and no network.
#
#   tests/report-tests.sh MAILSCAN_BINARY
#   UPDATE_GOLDEN=1 tests/report-tests.sh build/mailscan
#
# UPDATE_GOLDEN=1 rewrites tests/data/report/golden/report.LANG.FORMAT from
# the binary instead of comparing (json is stored pretty-printed by jq, and
# compared that way). Read `git diff tests/data/report/golden` before
# committing: the goldens must be right, not merely current. The html format
# has its own tests; adding it to GOLDEN_FORMATS gives it golden files too.
#
# Needs sqlite3, jq, python3 and cmark-gfm (tests/setup.sh). ASan builds:
# sanitizer reports go to files (log_path) that the last check looks for, so
# a report fails the suite even from a run whose exit status is not looked at.

# check NAME WHY eval '[[ ... ]]' evaluates its condition inside check, on purpose:
# shellcheck disable=SC2016
set -uo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 MAILSCAN_BINARY" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$1
[[ -x $BIN ]] || { echo "report-tests: $BIN is not executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$ROOT" || exit 2

DATA=tests/data/report
GOLDEN=$DATA/golden
GOLDEN_FORMATS=(md csv json)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ASan builds: the one deliberate leak at exit (see tests/lsan.supp); every
# report into $TMP/sanitizer.PID.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/sanitizer:print_stacktrace=1"

pass=0
fail=0
RC=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
# not_ok NAME WHY [FILE...]: the first lines of each FILE are shown too.
not_ok() {
    local name=$1 why=$2 f
    shift 2
    echo "not ok $name: $why"
    for f in "$@"; do [[ -s $f ]] && head -n 12 "$f" | sed "s|^|  $(basename "$f"): |"; done
    fail=$((fail + 1))
}
# check NAME WHY COMMAND...: ok when COMMAND succeeds.
check() {
    local name=$1 why=$2
    shift 2
    if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}
# ms TAG ARGS...: mailscan ARGS, stdout in $TMP/TAG.out, stderr in $TMP/TAG.err,
# exit status in RC.
ms() {
    local tag=$1
    shift
    timeout 60 "$BIN" "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"
    RC=$?
}
# rep TAG ARGS...: the report of the fixture database with ARGS.
rep() {
    local tag=$1
    shift
    ms "$tag" report --db "$DB" "$@"
}
# jqt FILE FILTER: FILE is not empty (jq -e is happy with no input) and the
# filter holds for it.
jqt() { [[ -s $1 ]] && jq -e "$2" "$1" >/dev/null 2>&1; }

for tool in sqlite3 jq python3 cmark-gfm timeout; do
    command -v "$tool" >/dev/null || not_ok "tool $tool" "not installed (tests/setup.sh)"
done

# The fixture database, made fresh (the report opens it read-write: WAL).
DB=$TMP/fixture.db
if ! sqlite3 "$DB" <"$DATA/fixture.sql" 2>"$TMP/fixture.err"; then
    not_ok "fixture database" "sqlite3 failed" "$TMP/fixture.err"
    echo "$pass passed, $fail failed"
    exit 1
fi
check "fixture is at schema version 8" "user_version $(sqlite3 "$DB" 'PRAGMA user_version')" \
    eval '[[ $(sqlite3 "$DB" "PRAGMA user_version") == 8 ]]'
EXPL=$DATA/explanations.yaml

# ======================================================================
# Golden files: md, csv and json in Dutch and English
# ======================================================================
for lang in nl en; do
    for fmt in "${GOLDEN_FORMATS[@]}"; do
        name="golden $fmt $lang"
        gold=$GOLDEN/report.$lang.$fmt
        rep "g-$lang-$fmt" --format "$fmt" --lang "$lang" --explanations "$EXPL"
        out=$TMP/g-$lang-$fmt.out
        if [[ $RC -ne 0 ]]; then
            not_ok "$name" "exit $RC" "$TMP/g-$lang-$fmt.err"
            continue
        fi
        if [[ $fmt == json ]]; then
            jq . "$out" >"$out.pretty" 2>"$TMP/g-$lang-$fmt.jq" ||
                { not_ok "$name" "not JSON" "$TMP/g-$lang-$fmt.jq"; continue; }
            out=$out.pretty
        fi
        if [[ -n ${UPDATE_GOLDEN:-} ]]; then
            mkdir -p "$GOLDEN" && cp "$out" "$gold" && ok "$name (updated $gold)"
        elif [[ ! -f $gold ]]; then
            not_ok "$name" "no $gold (UPDATE_GOLDEN=1 makes it)"
        elif cmp -s "$gold" "$out"; then
            ok "$name"
        else
            diff -u "$gold" "$out" >"$TMP/g-$lang-$fmt.diff"
            not_ok "$name" "differs from $gold" "$TMP/g-$lang-$fmt.diff"
        fi
    done
done

# The run's status in the report's language, in md as in html: the running
# run 4 of the fixture (loopt nog) and run 3 stored as partial (gedeeltelijk).
rep st-run4-nl --run 4 --format md --lang nl
rep st-run4-html --run 4 --format html --lang nl
check "md and html nl: a running run's status is 'loopt nog'" "exit $RC; md: $(grep -o 'status [a-z ]*\.' "$TMP/st-run4-nl.out")" \
    eval '[[ $RC -eq 0 ]] && grep -q ", status loopt nog\. " "$TMP/st-run4-nl.out" && grep -q "<dd>loopt nog</dd>" "$TMP/st-run4-html.out"'
sqlite3 "$TMP/partial.db" <"$DATA/fixture.sql" && sqlite3 "$TMP/partial.db" "UPDATE runs SET status = 'partial' WHERE id = 3"
ms st-partial-nl report --db "$TMP/partial.db" --run 3 --format md --lang nl
ms st-partial-en report --db "$TMP/partial.db" --run 3 --format md --lang en
check "md: a partial run's status is 'gedeeltelijk' (nl), 'partial' (en)" "exit $RC" \
    eval 'grep -q ", status gedeeltelijk\. " "$TMP/st-partial-nl.out" && grep -q ", status partial\. " "$TMP/st-partial-en.out"'

# Same input, same output: nothing depends on the clock or the order of
# hash tables.
rep again --format md --lang nl --explanations "$EXPL"
check "the report is deterministic" "two runs differ" \
    cmp -s "$TMP/again.out" "$TMP/g-nl-md.out"

# ======================================================================
# Which run, trend and changes
# ======================================================================
J=$TMP/g-nl-json.out
check "default run is the newest finished one (3, not running 4)" "$(jq -c .report "$J")" \
    jqt "$J" '.report.run == 3 and .report.date == "2026-03-02" and .report.status == "done"'
check "trend: the finished runs only, oldest first" "$(jq -c '[.trend[].run]' "$J")" \
    jqt "$J" '[.trend[].run] == [1, 2, 3]'
check "trend: adoption per run" "$(jq -c '[.trend[].per_standard.dnssec.adoption]' "$J")" \
    jqt "$J" '[.trend[].per_standard.dnssec.adoption] == [83.3, 91.7, 91.7]'
check "changes since run 2: improved, named" "$(jq -c .changes "$J")" \
    jqt "$J" '.changes.previous_run == 2 and ([.changes.improved[] | [.domain, .standard]] ==
        [["belastingproef.nl", "dnssec"], ["belastingproef.nl", "starttls_dane"],
         ["proefland.nl", "tlsrpt"], ["voorbeeld.nl", "tlsrpt"]])'
check "changes since run 2: regressed, named" "$(jq -c .changes.regressed "$J")" \
    jqt "$J" '[.changes.regressed[] | [.domain, .standard, .before, .after]] ==
        [["calc.nl", "mta_sts", "pass", "fail"],
         ["xn--proefrysln-c5a.nl", "dnssec", "pass", "fail"]]'
check "untested is not a change, a new domain neither" "$(jq -c .changes "$J")" \
    jqt "$J" '[.changes[][]? | objects | .domain] | index("storing.nl") == null and
        index("los.nl") == null'
rep run2 --format json --run 2
check "--run 2: its own trend and changes since run 1" "$(jq -c '[.report.run, [.trend[].run], .changes.previous_run]' "$TMP/run2.out")" \
    jqt "$TMP/run2.out" '.report.run == 2 and [.trend[].run] == [1, 2] and
        .changes.previous_run == 1 and .summary.domains == 12'
rep run1 --format json --run 1
check "--run 1: no previous run" "$(jq -c .changes "$TMP/run1.out")" \
    jqt "$TMP/run1.out" '.changes.previous_run == null and .changes.improved == [] and
        .changes.regressed == []'
rep run1md --format md --run 1 --lang en
check "md without a previous run says so" "$(grep -A2 '^## Changes' "$TMP/run1md.out")" \
    eval '[[ $RC -eq 0 ]] && grep -qx "## Changes" "$TMP/run1md.out"'

# ======================================================================
# Summary, categories, organisations, providers
# ======================================================================
check "summary counts per status" "$(jq -c .summary.per_standard "$J")" \
    jqt "$J" '.summary.per_standard == {
        "dnssec": {"pass": 11, "fail": 0, "explained": 1, "n/a": 0, "untested": 1, "adoption": 91.7},
        "starttls_dane": {"pass": 6, "fail": 4, "explained": 1, "n/a": 1, "untested": 1, "adoption": 54.5},
        "mta_sts": {"pass": 2, "fail": 10, "explained": 0, "n/a": 1, "untested": 0, "adoption": 16.7},
        "tlsrpt": {"pass": 5, "fail": 5, "explained": 2, "n/a": 1, "untested": 0, "adoption": 41.7}}'
check "only standards with verdicts (no tls_ncsc)" "$(jq -c '[.standards[].id]' "$J")" \
    jqt "$J" '[.standards[].id] == ["dnssec", "starttls_dane", "mta_sts", "tlsrpt"]'
check "a domain of two categories counts in both" "$(jq -c '[.categories[] | [.name, .domains]]' "$J")" \
    jqt "$J" '[.categories[] | select(.name == "gemeente" or .name == "gemeenschappelijke regeling")
        | .domains] == [1, 6]'
check "a domain no organisation lists has category \"\"" "$(jq -c '.categories[0]' "$J")" \
    jqt "$J" '.categories[0].name == "" and .categories[0].domains == 1 and
        .categories[0].organisations == 0'
check "a domain listed by two organisations" "$(jq -c '.domains[] | select(.name == "belastingproef.nl") | .organisations' "$J")" \
    jqt "$J" '.domains[] | select(.name == "belastingproef.nl") | .organisations ==
        ["GR Belastingsamenwerking Proef", "Gemeente Voorbeeld"]'
check "an organisation complies only when all its domains do" "$(jq -c '.organisations[] | select(.name == "Waterschap Proefdelta") | .status' "$J")" \
    jqt "$J" '.organisations[] | select(.name == "Waterschap Proefdelta") | .status ==
        {"dnssec": "untested", "starttls_dane": "fail", "mta_sts": "fail", "tlsrpt": "fail"}'
check "providers: shared ones first, with dependants" "$(jq -c '[.providers[] | [.name, .domains, .organisations]]' "$J")" \
    jqt "$J" '[.providers[:2][] | [.name, .domains, .organisations, .hosts]] ==
        [["mailprovider.nl", 6, 6, ["mx1.mailprovider.nl", "mx2.mailprovider.nl"]],
         ["oudhost.nl", 3, 3, ["mx.oudhost.nl"]]]'
check "providers: fix oudhost.nl and 2 domains comply" "$(jq -c '.providers[1].fixable' "$J")" \
    jqt "$J" '.providers[1].fixable == {"starttls_dane": 2}'
check "md names the fixable provider" "no line" \
    grep -qxF -- '- Los **oudhost.nl** op en 2 domeinen voldoen aan STARTTLS en DANE.' "$TMP/g-nl-md.out"

# ======================================================================
# Explanations ("leg uit")
# ======================================================================
dom() { jq -c --arg d "$2" '.domains[] | select(.name == $d) | {status, explanations}' "$1"; }
check "valid explanation: uitgelegd" "$(dom "$J" proefland.nl)" \
    jqt "$J" '.domains[] | select(.name == "proefland.nl") | .status.starttls_dane == "explained"
        and .explanations.starttls_dane.expired == false and
        .explanations.starttls_dane.by == "domain"'
check "expired explanation: stays voldoet niet, marked expired" "$(dom "$J" proefdelta.nl)" \
    jqt "$J" '.domains[] | select(.name == "proefdelta.nl") | .status.starttls_dane == "fail"
        and .explanations.starttls_dane.expired == true and
        .explanations.starttls_dane.valid_until == "2026-02-28"'
check "valid until the run's date itself: still valid" "$(dom "$J" script-gemeente.nl)" \
    jqt "$J" '.domains[] | select(.name == "script-gemeente.nl") | .status.tlsrpt == "explained"'
check "organisation-level explanation covers its failing domain" "$(dom "$J" xn--proefrysln-c5a.nl)" \
    jqt "$J" '.domains[] | select(.name == "xn--proefrysln-c5a.nl") |
        .status.dnssec == "explained" and .explanations.dnssec.by == "organisation"'
check "a passing domain is not marked explained" "$(dom "$J" proefryslan.nl)" \
    jqt "$J" '.domains[] | select(.name == "proefryslan.nl") | .status.dnssec == "pass" and
        .explanations == {}'
check "states: applied, expired, not-needed, applied, applied, unused" "$(jq -c '[.explanations[] | [.line, .state]]' "$J")" \
    jqt "$J" '[.explanations[] | .state] ==
        ["applied", "expired", "not-needed", "applied", "applied", "unused"]'
check "explanation counts per domain outcome" "$(jq -c '[.explanations[] | [.applied, .expired, .passing]]' "$J")" \
    jqt "$J" '[.explanations[] | [.applied, .expired, .passing]] ==
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [2, 0, 0], [0, 0, 0]]'
check "organisations: explained when a domain is and none fails" "$(jq -c '.organisations[] | select(.name == "Provincie Proefland") | .status' "$J")" \
    jqt "$J" '.organisations[] | select(.name == "Provincie Proefland") |
        .status.starttls_dane == "explained"'
check "md lists the explanations by state" "missing headings" \
    eval 'grep -qx "### Toegepast (3)" "$TMP/g-nl-md.out" && grep -qx "### Verlopen (1)" "$TMP/g-nl-md.out" &&
          grep -qx "### Niet meer nodig (1)" "$TMP/g-nl-md.out" && grep -qx "### Niet gebruikt (1)" "$TMP/g-nl-md.out" &&
          grep -qx "### Expired (1)" "$TMP/g-en-md.out" && grep -qx "### No longer needed (1)" "$TMP/g-en-md.out"'
check "md: the appendix says expired on" "no row" \
    grep -qF '| STARTTLS en DANE | verplicht | voldoet niet | STARTTLS: voldoet; DANE: voldoet niet `dane-missing` | verlopen op 2026-02-28: Oude mailserver wordt vervangen (domein, regel 11) |' "$TMP/g-nl-md.out"
check "csv: the explained domain" "no row" \
    grep -q '^domein,proefland.nl,provincie,Provincie Proefland,,voldoet,uitgelegd,' "$TMP/g-nl-csv.out"

rep noexpl --format json
check "without --explanations nothing is explained" "$(jq -c '[.summary.per_standard[].explained]' "$TMP/noexpl.out")" \
    jqt "$TMP/noexpl.out" '[.summary.per_standard[].explained] == [0, 0, 0, 0] and
        .explanations == [] and (.domains[] | select(.name == "proefland.nl") |
        .status.starttls_dane == "fail")'
rep expl-run2 --format json --run 2 --explanations "$EXPL"
check "explanations are judged on the run's date (run 2: not yet expired)" "$(dom "$TMP/expl-run2.out" proefdelta.nl)" \
    jqt "$TMP/expl-run2.out" '.report.date == "2026-02-02" and (.domains[] |
        select(.name == "proefdelta.nl") | .status.starttls_dane == "explained")'

# a renewed explanation below the lapsed one, and a U-label domain
cat >"$TMP/renewed.yaml" <<'EOF'
- domain: proefdelta.nl
  standard: starttls_dane
  reason: Oude mailserver wordt vervangen
  valid_until: 2026-02-28
- domain: proefdelta.nl
  standard: starttls_dane
  reason: Verlengd tot de zomer
  valid_until: 2026-06-30
- domain: Proefryslân.NL.
  standard: mta_sts
  reason: Geschreven als U-label
  valid_until: 2026-06-30
EOF
rep renewed --format json --explanations "$TMP/renewed.yaml"
check "a renewed explanation wins over the lapsed one" "$(dom "$TMP/renewed.out" proefdelta.nl)" \
    jqt "$TMP/renewed.out" '.domains[] | select(.name == "proefdelta.nl") |
        .status.starttls_dane == "explained" and
        .explanations.starttls_dane.valid_until == "2026-06-30"'
check "an explanation's U-label domain matches the A-label" "$(dom "$TMP/renewed.out" xn--proefrysln-c5a.nl)" \
    jqt "$TMP/renewed.out" '.domains[] | select(.name == "xn--proefrysln-c5a.nl") |
        .status.mta_sts == "explained"'
: >"$TMP/empty.yaml"
rep empty-expl --format json --explanations "$TMP/empty.yaml"
check "an empty explanations file is no explanations" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && jqt "$TMP/empty-expl.out" ".explanations == []"'

# Broken explanation files: exit 2, FILE:LINE[:COLUMN] and the problem.
# shellcheck disable=SC2034 # where and what are read by check's eval
while IFS='|' read -r file where what; do
    rep "bad-$file" --format json --explanations "$DATA/$file"
    check "broken explanations: $file" "exit $RC: $(head -c 300 "$TMP/bad-$file.err")" \
        eval '[[ $RC -eq 2 && ! -s $TMP/bad-$file.out ]] &&
              grep -qF -- "$DATA/$file:$where" "$TMP/bad-$file.err" &&
              grep -qF -- "$what" "$TMP/bad-$file.err"'
done <<'EOF'
bad-unknown-key.yaml|5:5: |unknown key
bad-date.yaml|6:18: |2026-02-30
bad-standard.yaml|7: |unknown standard 'frobnicate'
bad-no-reason.yaml|3:5: |reason is missing
bad-syntax.yaml|5:21: |YAML syntax error
bad-both.yaml|3:5: |give either organisation or domain
EOF
rep bad-missing --format json --explanations "$TMP/no-such.yaml"
check "missing explanations file: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF "$TMP/no-such.yaml: cannot open" "$TMP/bad-missing.err"'

# ======================================================================
# Escaping: the hostile data of the fixture in every format
# ======================================================================
# the quotes are part of the names (the fixture's hostile organisations):
# shellcheck disable=SC2089,SC2090
SCRIPT_ORG='<script>alert("x")</script> & "Gemeente" '"'O''Brien'"
# shellcheck disable=SC2089
CALC_ORG="=cmd|' /C calc'!A0"
# shellcheck disable=SC2090
export SCRIPT_ORG CALC_ORG DB EXPL

# json: valid, and the hostile strings come back exactly as stored
check "json: hostile strings round-trip exactly" "see above" \
    python3 - "$J" <<'EOF'
import json, sqlite3, sys, os
doc = json.load(open(sys.argv[1], encoding="utf-8"))
db = sqlite3.connect(os.environ["DB"])
db.text_factory = lambda b: b.decode("utf-8")
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append(f"{what}: {got!r} != {exp!r}")
orgs = {o["name"] for o in doc["organisations"]}
for (name,) in db.execute("SELECT name FROM organisations"):
    if name not in orgs:
        bad.append(f"organisation {name!r} missing")
want("script organisation", os.environ["SCRIPT_ORG"] in orgs, True)
want("control characters", "Dienst\nRegel\x01Twee" in orgs, True)
cats = {c["name"] for c in doc["categories"]}
want("category", "@samen|werking `x` *y*" in cats, True)
dom = {d["name"]: d for d in doc["domains"]}
ev = dom["script-gemeente.nl"]["evidence"]
# the stored evidence of an address (schema 9: the probes' JSON)
for col, path in (("banner", "starttls.banner"), ("cert_subject", "starttls.cert.subject"),
                  ("cert_issuer", "starttls.cert.issuer")):
    (exp,) = db.execute(f"SELECT json_extract(evidence, '$.{path}') FROM addresses"
                        " WHERE ip = '203.0.113.5'").fetchone()
    want(col, ev["mx"][0]["addresses"][0][col], exp)
# the columns of a schema-6 file are the probes' evidence after migration 7
for col, probe, path in (("mta_sts_txt", "mta_sts", "txt"),
                         ("mta_sts_policy", "mta_sts", "policy_text"),
                         ("tlsrpt_txt", "tlsrpt", "txt")):
    (exp,) = db.execute(f"SELECT {col} FROM domains WHERE id = 308").fetchone()
    want(col, ev["probes"][probe][path], exp)
(exp,) = db.execute("SELECT group_concat(r.value, '; ') FROM (SELECT j.value FROM mx_hosts m,"
                    " json_each(m.evidence, '$.dane.tlsa.records') j WHERE m.id = 3081"
                    " ORDER BY j.id) r").fetchone()
want("tlsa", ev["mx"][0]["tlsa"], exp)
want("banner has CR LF and U+0001", "\r\n" in ev["mx"][0]["addresses"][0]["banner"]
     and "\x01" in ev["mx"][0]["addresses"][0]["banner"], True)
want("reason codes", dom["script-gemeente.nl"]["verdicts"]["tlsrpt"]["reasons"],
     ["tlsrpt-invalid", "<i>x</i>|*y*"])
want("label", doc["report"]["label"], "maart | *meting* <i>3</i>")
want("explanation reason", doc["explanations"][3]["reason"],
     "Migratie <script>alert(1)</script> | *nieuw* [host](javascript:x) `rm` =1+1")
want("explanation organisation", doc["explanations"][4]["organisation"], os.environ["SCRIPT_ORG"])
want("A-label", "xn--proefrysln-c5a.nl" in dom, True)
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
check "json: no raw control characters" "found some" \
    eval '! LC_ALL=C grep -qP "[\x00-\x1f\x7f]" "$J"'

# csv: parses back, every row as wide as the header, formulas neutralised
check "csv: parses back with the fields intact" "see above" \
    python3 - "$TMP/g-nl-csv.out" "$TMP/g-en-csv.out" <<'EOF'
import csv, sys, os
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append(f"{what}: {got!r} != {exp!r}")
for path, lang in ((sys.argv[1], "nl"), (sys.argv[2], "en")):
    raw = open(path, "rb").read()
    want(f"{lang}: BOM", raw[:3], b"\xef\xbb\xbf")
    want(f"{lang}: rows end in CRLF", raw.endswith(b"\r\n"), True)
    rows = list(csv.reader(open(path, encoding="utf-8-sig", newline="")))
    want(f"{lang}: rows", len(rows), 1 + 13 + 9)
    head = rows[0]
    for r in rows:
        want(f"{lang}: width of {r[:2]}", len(r), len(head))
    for r in rows[1:]:
        for f in r:
            if f[:1] in ("=", "+", "-", "@", "\t", "\r") or f.lstrip(" ")[:1] in ("=", "+", "-", "@"):
                bad.append(f"{lang}: formula not neutralised: {f!r}")
    kind = {"nl": ("domein", "organisatie"), "en": ("domain", "organisation")}[lang]
    want(f"{lang}: domain rows first", [r[0] for r in rows[1:]],
         [kind[0]] * 13 + [kind[1]] * 9)
    by = {(r[0], r[1]): r for r in rows[1:]}
    org = by[(kind[1], "'" + os.environ["CALC_ORG"])]
    want(f"{lang}: formula organisation's category", org[2], "'@samen|werking `x` *y*")
    calc = by[(kind[0], "calc.nl")]
    want(f"{lang}: calc.nl categories", calc[2], "'@samen|werking `x` *y*")
    want(f"{lang}: calc.nl organisations", calc[3], "'" + os.environ["CALC_ORG"])
    want(f"{lang}: script organisation", (kind[1], os.environ["SCRIPT_ORG"]) in by, True)
    want(f"{lang}: control characters", (kind[1], "Dienst\nRegel\ufffdTwee") in by, True)
    sg = by[(kind[0], "script-gemeente.nl")]
    want(f"{lang}: hostile reason code", sg[-1], "tlsrpt-invalid; <i>x</i>|*y*")
    bp = by[(kind[0], "belastingproef.nl")]
    want(f"{lang}: two organisations, two categories", bp[2:4],
         ["gemeenschappelijke regeling; gemeente",
          "GR Belastingsamenwerking Proef; Gemeente Voorbeeld"])
    st = by[(kind[0], "storing.nl")]
    want(f"{lang}: reasons of both parts", st[head.index(head[6] + (" reasons" if lang == "en" else " redenen"))],
         "mx-unreachable; dane-unreachable")
    ex = {"nl": ["voldoet", "uitgelegd", "voldoet niet", "voldoet"],
          "en": ["pass", "explained", "fail", "pass"]}[lang]
    want(f"{lang}: statuses in the language", by[(kind[0], "proefland.nl")][5:9], ex)
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF

# every formula trigger (OWASP: = + - @ TAB CR, also after spaces) gets the
# apostrophe; names that merely contain one do not
sqlite3 "$TMP/formula.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/formula.db" "UPDATE organisations SET name = CASE id
        WHEN 1 THEN '+31 70 Beheer' WHEN 2 THEN '-2+3' WHEN 4 THEN '@SUM(A1:A9)'
        WHEN 5 THEN char(9) || '=tab' WHEN 6 THEN char(13) || '=cr' WHEN 3 THEN '  =1+1'
        ELSE name END, category = CASE id WHEN 1 THEN 'rijk=1' ELSE category END"
ms formula-csv report --db "$TMP/formula.db" --format csv
check "csv: every formula trigger is neutralised" "exit $RC, see above" \
    python3 - "$TMP/formula-csv.out" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
names = {r[1] for r in rows[1:] if r[0] == "organisatie"}
bad = [n for n in ("'+31 70 Beheer", "'-2+3", "'@SUM(A1:A9)", "'\t=tab", "'\r=cr", "'  =1+1",
                   "'=cmd|' /C calc'!A0")
       if n not in names]
cats = {r[2] for r in rows[1:] if r[0] == "organisatie"}
if "rijk=1" not in cats:
    bad.append("rijk=1 changed")
for b in bad:
    print(f"  not found: {b!r} in {sorted(names)!r}")
sys.exit(1 if bad else 0)
EOF

# md: no raw HTML, every table row as wide as its header, and cmark-gfm (the
# GFM reference) renders the hostile strings back as plain text
for lang in nl en; do
    M=$TMP/g-$lang-md.out
    check "md $lang: no raw HTML from the data" "$(grep -noE '<(script|img|b|i)[ >]' "$M" | head -3)" \
        eval '! grep -qE "<(script|img|b|i)[ >/]" "$M"'
    check "md $lang: no control characters, no CR" "found some" \
        eval '! LC_ALL=C grep -qP "[\x00-\x09\x0b-\x1f\x7f]" "$M"'
    check "md $lang: every table row has the header's cells" "see above" \
        python3 - "$M" <<'EOF'
import re, sys
bad, table = [], None
def cells(line):
    # a | counts unless escaped by an odd number of backslashes
    return sum(1 for m in re.finditer(r"(\\*)\|", line) if len(m.group(1)) % 2 == 0)
for no, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if line.startswith("|"):
        if table is None:
            table = cells(line)
        elif cells(line) != table:
            bad.append(f"line {no}: {cells(line)} separators, header has {table}: {line[:120]}")
    else:
        table = None
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
    cmark-gfm -e table -e strikethrough -e autolink -e tagfilter "$M" >"$TMP/md-$lang.html" 2>/dev/null
    check "md $lang: renders (cmark-gfm) without markup from the data" "see above" \
        python3 - "$TMP/md-$lang.html" "$lang" <<'EOF'
import html.parser, os, re, sys
src = open(sys.argv[1], encoding="utf-8").read()
bad = []
for tag in ("script", "img", "em", "del", "pre", "blockquote", "b", "i"):
    if re.search(rf"<{tag}[ >]", src):
        bad.append(f"<{tag}> in the rendered HTML")
# code spans: only the reason codes with advice the renderer writes itself
spans = re.findall(r"<code(?: [^>]*)?>(.*?)</code>", src, re.S)
for code in spans:
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", code):
        bad.append(f"<code>{code[:40]!r}</code> in the rendered HTML")
if src.count("<code") != len(spans):
    bad.append("an unclosed <code> in the rendered HTML")
if re.search(r"""href=["']?javascript""", src, re.I):
    bad.append("a javascript: link")
class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self.cur, self.items, self.heads = [], None, [], []
    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th", "li", "h1", "h3"):
            self.cur = (tag, [])
    def handle_endtag(self, tag):
        if self.cur and tag == self.cur[0]:
            text = "".join(self.cur[1])
            (self.cells if tag in ("td", "th") else self.items).append(text)
            self.cur = None
    def handle_data(self, data):
        if self.cur:
            self.cur[1].append(data)
p = Cells()
p.feed(src)
cells, items = set(p.cells), p.items
def shown(s):
    # what the md escape promises: line breaks as " ↵ ", control characters
    # as U+FFFD, everything else exactly
    s = s.rstrip("\r\n ").replace("\r\n", "\n").replace("\n", " \u21b5 ")
    return "".join("\ufffd" if ord(c) < 0x20 or c == "\x7f" else c for c in s)
nl = sys.argv[2] == "nl"
for want in (os.environ["SCRIPT_ORG"], os.environ["CALC_ORG"], "@samen|werking `x` *y*",
             shown("Dienst\nRegel\x01Twee"),
             shown("220 <img src=x onerror=alert(1)> ESMTP\r\n220-| *bold* `code` "
                   "[a](javascript:b) # x\x01 end \\ ~~s~~ $x$"),
             "CN=<b>mx</b>|evil,O=Evil & Co", "CN=<script>ca</script>",
             "Migratie <script>alert(1)</script> | *nieuw* [host](javascript:x) `rm` =1+1",
             ("aanwezig: " if nl else "present: ") + "3 1 1 ab|cd; 3 0 1 *ef* `x` <b>",
             "__proef__.nl, script-gemeente.nl",
             ("voldoet niet " if nl else "fail ") + "tlsrpt-invalid, <i>x</i>|*y*"):
    if want not in cells:
        bad.append(f"no table cell {want!r}")
for want in ("__proef__.nl", "xn--proefrysln-c5a.nl",
             "policy_text: " +
             shown("version: STSv1\nmode: enforce\nmx: *.evil|host\nmx: <script>alert(2)</script>\nmax_age: 86400"),
             "txt: v=TLSRPTv1; rua=javascript:alert(1)|*x*"):
    if want not in items:
        bad.append(f"no heading or list item {want!r}")
title = [t for t in items if "maart" in t]
if not title or not title[0].endswith("(maart | *meting* <i>3</i>)"):
    bad.append(f"title {title!r}")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
done

# The advice per reason code: once per code, in a section before the
# appendix, only the codes the run names (those of the json's advice), sorted,
# with the number of domains; the appendix names each code as a code span
# (as cmark-gfm renders it) and says once per domain where the advice is.
for lang in nl en; do
    check "md $lang: advice once per reason code, before the appendix, named from the appendix" "see above" \
        python3 - "$TMP/g-$lang-md.out" "$TMP/g-$lang-json.out" "$lang" "$TMP/md-$lang.html" <<'EOF'
import json, re, sys
md = open(sys.argv[1], encoding="utf-8").read()
doc = json.load(open(sys.argv[2], encoding="utf-8"))
nl = sys.argv[3] == "nl"
rendered = open(sys.argv[4], encoding="utf-8").read()
bad = []
adv_h = "\n## Advies per redencode\n" if nl else "\n## Advice per reason code\n"
app_h = "\n## Bijlage: per domein\n" if nl else "\n## Appendix: per domain\n"
see = ("Advies bij deze redenen: zie Advies per redencode." if nl else
       "Advice on these reasons: see Advice per reason code.")
a, b = md.find(adv_h), md.find(app_h)
if a < 0 or b < 0 or not a < b or md.count(adv_h) != 1 or md.count(app_h) != 1:
    bad.append(f"advice section at {a}, appendix at {b}")
    a, b = max(a, 0), max(b, 0)
section, appendix = md[a:b], md[b:]
entries = re.findall(r"^### `([a-z0-9-]+)`\n\n(\d+) [a-z]+\. [^\n:]*: (.*)\n\n[^\n:]*: (.*)\n", section, re.M)
codes = [e[0] for e in entries]
if len(entries) != section.count("\n### "):
    bad.append(f"{section.count(chr(10) + '### ')} headings, {len(entries)} entries")
if codes != sorted(set(codes)):
    bad.append(f"entries not sorted or repeated: {codes}")
# the json's advice per domain: the codes with advice, and how many domains
want = {}
for d in doc["domains"]:
    for c in {x["code"] for x in d["advice"]}:
        want[c] = want.get(c, 0) + 1
got = {c: int(n) for c, n, _, _ in entries}
if got != want:
    bad.append(f"codes and domain counts {got} != json {want}")
for c, n, what, fix in entries:
    for text in (what, fix):
        if md.count(text) != 1:
            bad.append(f"{c}: its text appears {md.count(text)} times")
# per domain (in the rendered appendix): every code span is a code of the
# section; the pointer to the section once when there is one, never without
app_r = rendered.split("<h2>" + app_h.strip("\n# ") + "</h2>")
domains = re.split(r"<h3>", app_r[-1])[1:] if len(app_r) == 2 else []
if len(domains) != len(doc["domains"]):
    bad.append(f"{len(domains)} domains in the appendix, json has {len(doc['domains'])}")
per = {}
for d in domains:
    spans = set(re.findall(r"<code>(.*?)</code>", d, re.S))
    if spans - set(codes):
        bad.append(f"{d.splitlines()[0]}: code spans {spans - set(codes)} not in the section")
    if d.count(see) != (1 if spans else 0):
        bad.append(f"{d.splitlines()[0]}: pointer to the advice {d.count(see)} times, {len(spans)} codes")
    for c in spans:
        per[c] = per.get(c, 0) + 1
if per != got:
    bad.append(f"codes named per domain {per} != section {got}")
for x in bad[:10]:
    print("  " + x)
sys.exit(1 if bad else 0)
EOF
done

# ======================================================================
# tls_ncsc evidence in the appendix: what made the verdict, per address
# ======================================================================
# The fixture: mx.oudhost.nl (198.51.100.25, three domains) insufficient and
# phase-out findings; mx.script-gemeente.nl (203.0.113.5) an incomplete probe
# whose last finding has a hostile detail; mx1.mailprovider.nl no findings;
# other addresses no probe (null / a dash / no row).
# shellcheck disable=SC2089,SC2090
NCSC_HOSTILE='depth 1: CN=<script>alert("ncsc")</script>,O='"'Evil & Co'"' `x` *y*|z'
# shellcheck disable=SC2090
export NCSC_HOSTILE
check "json: an address's NCSC findings, in stored order" "$(jq -c '.domains[] | select(.name == "proefland.nl") | .evidence.mx[0].addresses[0].ncsc' "$J")" \
    jqt "$J" '.domains[] | select(.name == "proefland.nl") | .evidence.mx[0].addresses[0].ncsc |
        .state == "done" and .handshakes == 14 and
        .versions == "TLSv1.3 refused, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 accepted, SSLv3 refused" and
        [.findings[] | [.class, .aspect, .item, .version]] ==
        [["insufficient", "cipher", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLSv1.0"],
         ["phase-out", "cipher", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLSv1.2"],
         ["insufficient", "version", "TLSv1.0", "TLSv1.0"],
         ["phase-out", "cert-key", "RSA-2048", null],
         ["phase-out", "cert-key", "RSA-2048", null]] and
        .findings[0].detail == "ECDHE-RSA-AES256-SHA (ECDHE, CBC)"'
check "json: no probe is null, a probe without findings an empty list" "$(jq -c '[.domains[] | select(.name == "voorbeeld.nl") | .evidence.mx[].addresses[].ncsc | if . == null then null else .findings end]' "$J")" \
    jqt "$J" '[.domains[] | select(.name == "voorbeeld.nl") | .evidence.mx[].addresses[].ncsc |
        if . == null then null else .findings end] == [[], [], null] and
        (.domains[] | select(.name == "storing.nl") | .evidence.mx[0].addresses[0].ncsc == null)'
# ncsc_json FILE: the hostile finding of script-gemeente.nl comes back exactly
ncsc_json() {
    jq -e --arg h "$NCSC_HOSTILE" '.domains[] | select(.name == "script-gemeente.nl") |
        .evidence.mx[0].addresses[0].ncsc | .state == "incomplete" and .handshakes == 3 and
        (.findings | length) == 3 and .findings[2] == {"class": "phase-out",
        "aspect": "cert-key", "item": "RSA-2048", "version": null, "detail": $h}' "$1" >/dev/null
}
check "json: the hostile NCSC detail round-trips exactly (nl, en)" "$(jq -c '.domains[] | select(.name == "script-gemeente.nl") | .evidence.mx[0].addresses[0].ncsc.findings[2]' "$J")" \
    eval 'ncsc_json "$J" && ncsc_json "$TMP/g-en-json.out"'
# shellcheck disable=SC2034 # read by check's eval
md_row_nl='| mx.oudhost.nl | 198.51.100.25 | afgerond, 14 extra handshakes | TLSv1.3 geweigerd, TLSv1.2 geaccepteerd, TLSv1.1 geweigerd, TLSv1.0 geaccepteerd, SSLv3 geweigerd | onvoldoende: cipher TLS\_ECDHE\_RSA\_WITH\_AES\_256\_CBC\_SHA (TLSv1.0): ECDHE-RSA-AES256-SHA (ECDHE, CBC); uit te faseren: cipher TLS\_ECDHE\_RSA\_WITH\_AES\_256\_CBC\_SHA384 (TLSv1.2): '
# shellcheck disable=SC2034
# (the version of a finding is not repeated when it is the item itself)
md_en='; insufficient: protocol version TLSv1.0: accepted; phase-out: certificate key RSA-2048: depth 0: CN=mx.oudhost.nl;'
check "md: the NCSC table of a domain, a row per address (nl, en)" "no such rows" \
    eval 'grep -qF -- "$md_row_nl" "$TMP/g-nl-md.out" &&
          grep -qF -- "| mx.oudhost.nl | 198.51.100.25 | complete, 14 extra handshakes |" "$TMP/g-en-md.out" &&
          grep -qF -- "$md_en" "$TMP/g-en-md.out" &&
          grep -qxF -- "| MX-host | Adres | TLS volgens NCSC | Versies | Bevindingen |" "$TMP/g-nl-md.out" &&
          grep -qxF -- "| mx2.mailprovider.nl | 192.0.2.11 | – | – | – |" "$TMP/g-nl-md.out" &&
          [[ $(grep -c "| TLS volgens NCSC |" "$TMP/g-nl-md.out") -eq 10 ]]'
# shellcheck disable=SC2016,SC2034 # literal backticks; read by check's eval
md_hostile='RSA-2048: depth 1: CN=&lt;script&gt;alert("ncsc")&lt;/script&gt;,O='"'Evil &amp; Co'"' \`x\` \*y\*\|z |'
check "md: the hostile NCSC detail is escaped (nl, en)" "not found escaped" \
    eval 'grep -qF -- "$md_hostile" "$TMP/g-nl-md.out" && grep -qF -- "$md_hostile" "$TMP/g-en-md.out"'
for lang in nl en; do
    check "md $lang: cmark-gfm renders the hostile NCSC detail as text" "see above" \
        python3 - "$TMP/md-$lang.html" "$lang" <<'EOF'
import html.parser, os, sys
class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self.cur = [], None
    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self.cur = []
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cur is not None:
            self.cells.append("".join(self.cur))
            self.cur = None
    def handle_data(self, data):
        if self.cur is not None:
            self.cur.append(data)
p = Cells()
p.feed(open(sys.argv[1], encoding="utf-8").read())
word = "uit te faseren: certificaatsleutel" if sys.argv[2] == "nl" else "phase-out: certificate key"
want = f"{word} RSA-2048: {os.environ['NCSC_HOSTILE']}"
if not any(c.endswith(want) for c in p.cells):
    print(f"  no table cell ending in {want!r}")
    sys.exit(1)
EOF
done
# links_land FILE: every link to an address (#aN) or its findings (#nN) has
# its id in FILE
links_land() {
    local a
    for a in $(grep -oE '<a href="#[an][0-9]+"' "$1" | grep -oE '[an][0-9]+' | sort -u); do
        grep -q "id=\"$a\"" "$1" || return 1
    done
}
# shellcheck disable=SC2034 # read by check's eval
hostile_html='<span class="mono">RSA-2048</span>: depth 1: CN=&lt;script&gt;alert(&quot;ncsc&quot;)&lt;/script&gt;,O=&#39;Evil &amp; Co&#39; `x` *y*|z</td></tr>'
for lang in nl en; do
    rep "ncsc-html-$lang" --format html --lang "$lang" --explanations "$EXPL"
    H=$TMP/ncsc-html-$lang.out
    # shellcheck disable=SC2034 # read by check's eval
    if [[ $lang == nl ]]; then
        row='<tr><th>TLS volgens NCSC</th><td>afgerond, 14 extra handshakes<br><span class="mono">TLSv1.3 geweigerd, TLSv1.2 geaccepteerd, TLSv1.1 geweigerd, TLSv1.0 geaccepteerd, SSLv3 geweigerd</span><br><span class="st s1">onvoldoende</span> cipher <span class="mono">TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA</span> (TLSv1.0): ECDHE-RSA-AES256-SHA (ECDHE, CBC)<br><span class="st ph">uit te faseren</span> cipher'
    else
        row='<tr><th>TLS per NCSC</th><td>complete, 14 extra handshakes<br><span class="mono">TLSv1.3 refused, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 accepted, SSLv3 refused</span><br><span class="st s1">insufficient</span> cipher <span class="mono">TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA</span> (TLSv1.0): ECDHE-RSA-AES256-SHA (ECDHE, CBC)<br><span class="st ph">phase-out</span> cipher'
    fi
    # 10 address tables with a probed address: mx1.mailprovider.nl x 6, oudhost x 3,
    # script-gemeente, and none for mx2 or the unprobed ones; but evidence equal
    # to what was shown earlier is shown once: 3 tables with the row
    # (mx1.mailprovider.nl, oudhost, script-gemeente), and the 14 addresses
    # that repeat one (mx1.mailprovider.nl's two x 5, mx2's once, oudhost x 2,
    # ...) each link to an id of the file
    check "html $lang: the NCSC row of an address, only where a probe ran, once per evidence" "exit $RC, $(grep -c 'NCSC</th><td>' "$H") rows, $(grep -o '</span>: [a-z ]* <a href="#a[0-9]*"' "$H" | wc -l) links" \
        eval '[[ $RC -eq 0 ]] && grep -qF -- "$row" "$H" && [[ $(grep -c "NCSC</th><td>" "$H") -eq 3 ]] &&
              [[ $(grep -o "</span>: [a-z ]* <a href=\"#a[0-9]*\"" "$H" | wc -l) -eq 14 ]] &&
              links_land "$H"'
    check "html $lang: the hostile NCSC detail is escaped" "not found escaped, or raw" \
        eval 'grep -qF -- "$hostile_html" "$H" && ! grep -qF "alert(\"ncsc\")" "$H"'
done

# A schema-3 database (before the tls_ncsc columns, the probes' evidence,
# provenance and the invalid entries) is migrated when the report opens it,
# and reports as before: no NCSC rows, provenance "not recorded".
sqlite3 "$TMP/v3.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/v3.db" "ALTER TABLE addresses DROP COLUMN ncsc_state;
        ALTER TABLE addresses DROP COLUMN ncsc_handshakes;
        ALTER TABLE addresses DROP COLUMN ncsc_versions;
        ALTER TABLE addresses DROP COLUMN ncsc_findings; DROP TABLE probe_evidence;
        ALTER TABLE runs DROP COLUMN provenance; DROP TABLE run_invalid; DROP TABLE run_org_tags;
        PRAGMA user_version = 3"
ms v3-md report --db "$TMP/v3.db" --format md --explanations "$EXPL"
check "a schema-3 database is migrated to the newest (9) by the report, without NCSC rows, provenance or tags" "exit $RC, user_version $(sqlite3 "$TMP/v3.db" 'PRAGMA user_version')" \
    eval '[[ $RC -eq 0 && $(sqlite3 "$TMP/v3.db" "PRAGMA user_version") == 9 ]] &&
          [[ $(sqlite3 "$TMP/v3.db" "SELECT count(*) FROM run_org_tags") == 0 ]] &&
          grep -qF "Niet vastgelegd: deze run is gemaakt door een oudere mailscan." "$TMP/v3-md.out" &&
          [[ $(sqlite3 "$TMP/v3.db" "SELECT group_concat(name) FROM pragma_table_info(\"addresses\")") == id,mx_host_id,ip,evidence ]] &&
          [[ $(sqlite3 "$TMP/v3.db" "SELECT count(*) FROM addresses WHERE json_extract(evidence, \"\$.tls_ncsc.ncsc\") IS NULL") == $(sqlite3 "$TMP/v3.db" "SELECT count(*) FROM addresses") ]] &&
          ! grep -q "NCSC |" "$TMP/v3-md.out" && grep -qF "| mx.oudhost.nl | 198.51.100.25 | in orde |" "$TMP/v3-md.out"'

# Ten MX host names on one address (the lab's manymx.example): the md
# appendix shows the address once and names the other hosts below the table.
sqlite3 "$TMP/sameaddr.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/sameaddr.db" "INSERT INTO mx_hosts (id, run_id, domain_id, host, preference, dnssec, tlsa_state)
        SELECT 3129, run_id, domain_id, 'mx9.proefland.nl', 20, dnssec, tlsa_state FROM mx_hosts WHERE id = 3061;
        INSERT INTO addresses (mx_host_id, ip, starttls, tls_version, cipher, cert_sha256, pkix_valid, name_match,
            dane, banner, ehlo, error, cert_subject, cert_issuer, cert_not_after, key_type, key_bits, signature,
            retried, first_attempt, ncsc_state, ncsc_handshakes, ncsc_versions, ncsc_findings)
        SELECT 3129, ip, starttls, tls_version, cipher, cert_sha256, pkix_valid, name_match, dane, banner, ehlo,
            error, cert_subject, cert_issuer, cert_not_after, key_type, key_bits, signature, retried,
            first_attempt, ncsc_state, ncsc_handshakes, ncsc_versions, ncsc_findings FROM addresses
        WHERE mx_host_id = 3061"
ms sameaddr-md report --db "$TMP/sameaddr.db" --format md --lang en
ip=$(sqlite3 "$TMP/sameaddr.db" "SELECT ip FROM addresses WHERE mx_host_id = 3061")
check "md: an address shown for an earlier MX host of the domain is named, not repeated" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && grep -qF -- "- mx9.proefland.nl ($ip): the same evidence as at mx.oudhost.nl" "$TMP/sameaddr-md.out" &&
          [[ $(grep -cF "| mx.oudhost.nl | $ip |" "$TMP/sameaddr-md.out") -ge 1 ]] && ! grep -qF "| mx9.proefland.nl | $ip |" "$TMP/sameaddr-md.out"'

# Bytes that are not UTF-8, a bidi override (U+202E) and a C1 control
# (U+0085) in a name and a banner: md and csv write U+FFFD for each, json
# U+FFFD for the bad byte (the rest is valid text, escaped as JSON).
sqlite3 "$TMP/bytes.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/bytes.db" "UPDATE organisations SET name = 'Waterschap ' || char(0x202e)
        || 'atleD' || CAST(X'ff' AS TEXT) || ' Eind' || char(0x85) WHERE id = 5;
        UPDATE addresses SET banner = '220 ' || CAST(X'c3' AS TEXT) || ' ok ' || char(0x202e)
        WHERE ip = '198.51.100.25'"
for fmt in md csv json; do
    ms "bytes-$fmt" report --db "$TMP/bytes.db" --format "$fmt"
done
check "bad bytes, bidi and C1 controls never reach md or csv" "see above" \
    python3 - "$TMP/bytes-md.out" "$TMP/bytes-csv.out" "$TMP/bytes-json.out" <<'EOF'
import json, sys
bad = []
for path in sys.argv[1:3]:
    try:
        text = open(path, encoding="utf-8").read()  # strict: valid UTF-8
    except (UnicodeDecodeError, OSError) as e:
        bad.append(f"{path}: {e}")
        continue
    for c in ("\u202e", "\x85"):
        if c in text:
            bad.append(f"{path}: {c!r} is there")
    if "Waterschap \ufffdatleD\ufffd Eind\ufffd" not in text:
        bad.append(f"{path}: the name is not shown with U+FFFD")
    if path.endswith("md.out") and "220 \ufffd ok \ufffd |" not in text:
        bad.append(f"{path}: the banner is not shown with U+FFFD")
try:
    doc = json.load(open(sys.argv[3], encoding="utf-8"))
    names = [o["name"] for o in doc["organisations"]]
    if "Waterschap \u202eatleD\ufffd Eind\x85" not in names:
        bad.append(f"json: {names!r}")
except (ValueError, OSError) as e:
    bad.append(f"json: {e}")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF

# ======================================================================
# Usage errors
# ======================================================================
rep u-format --format xml
check "--format xml: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF -- "--format: '\''xml'\'' is not" "$TMP/u-format.err"'
rep u-lang --lang de
check "--lang de: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF -- "--lang: '\''de'\'' is not nl or en" "$TMP/u-lang.err"'
ms u-nodb report --format md
check "missing --db: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF -- "--db FILE is required" "$TMP/u-nodb.err"'
ms u-nofile report --db "$TMP/no-such.db" --format md
check "--db of a missing file: exit 2, no file made" "exit $RC" \
    eval '[[ $RC -eq 2 && ! -e $TMP/no-such.db ]] && grep -qF "no such database" "$TMP/u-nofile.err"'
rep u-run --run 99 --format json
check "unknown --run: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 && ! -s $TMP/u-run.out ]] && grep -qF "no run 99" "$TMP/u-run.err"'
rep u-run0 --run 0
check "--run 0: exit 2" "exit $RC" eval '[[ $RC -eq 2 ]] && grep -qF -- "--run" "$TMP/u-run0.err"'
rep u-arg --format md extra
check "a stray argument: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF "unexpected argument" "$TMP/u-arg.err"'
ms u-help report --help
check "report --help lists the formats" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && grep -qF -- "--format FORMAT" "$TMP/u-help.out"'
sqlite3 "$TMP/nofinished.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/nofinished.db" "UPDATE runs SET status = 'running'"
ms u-nofinished report --db "$TMP/nofinished.db" --format json
check "no finished run: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF "no finished run" "$TMP/u-nofinished.err"'

# Edge cases: a run from a plain list (no organisations) and a finished run
# without domains. (qsort, bsearch and memcpy on NULL with 0 elements are
# undefined: the ASan+UBSan build stops on them.)
sqlite3 "$TMP/edge.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/edge.db" "DELETE FROM domain_organisations;
        INSERT INTO runs (id, started, finished, status)
        VALUES (5, '2026-04-06T07:00:00Z', '2026-04-06T07:00:01Z', 'done')"
for fmt in md csv json; do
    ms "edge-noorg-$fmt" report --db "$TMP/edge.db" --run 3 --format "$fmt" --explanations "$EXPL"
    check "$fmt: a run without organisations" "exit $RC: $(head -c 300 "$TMP/edge-noorg-$fmt.err")" \
        eval '[[ $RC -eq 0 && -s $TMP/edge-noorg-$fmt.out ]]'
    ms "edge-empty-$fmt" report --db "$TMP/edge.db" --format "$fmt"
    check "$fmt: a finished run without domains" "exit $RC: $(head -c 300 "$TMP/edge-empty-$fmt.err")" \
        eval '[[ $RC -eq 0 && -s $TMP/edge-empty-$fmt.out ]]'
done
check "json: without organisations every domain is in category \"\"" "$(jq -c '[.categories[] | [.name, .domains]]' "$TMP/edge-noorg-json.out")" \
    jqt "$TMP/edge-noorg-json.out" '[.categories[] | [.name, .domains]] == [["", 13]] and
        ([.explanations[].state] | index("applied") != null)'
check "json: an empty run, with run 3 as the previous one" "$(jq -c '[.report.run, .summary.domains, .changes.previous_run]' "$TMP/edge-empty-json.out")" \
    jqt "$TMP/edge-empty-json.out" '.report.run == 5 and .summary.domains == 0 and
        .changes.previous_run == 3 and .domains == []'

# ======================================================================
# -o: written through FILE.tmp and renamed
# ======================================================================
OUT=$TMP/out/report.md
mkdir -p "$TMP/out"
echo "old report" >"$OUT"
# shellcheck disable=SC2034 # read by check's eval
ino_before=$(stat -c %i "$OUT")
rep o-md --format md --explanations "$EXPL" -o "$OUT"
check "-o writes the report" "exit $RC" \
    eval '[[ $RC -eq 0 && ! -s $TMP/o-md.out ]] && cmp -s "$OUT" "$TMP/g-nl-md.out"'
check "-o replaces by rename (a new inode), no .tmp left" "$(ls -A "$TMP/out")" \
    eval '[[ $(stat -c %i "$OUT") != "$ino_before" && $(ls -A "$TMP/out") == report.md ]]'
cp "$OUT" "$TMP/out-kept"
rep o-bad --format md --explanations "$DATA/bad-date.yaml" -o "$OUT"
check "-o: a failed report leaves the old file alone" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && cmp -s "$OUT" "$TMP/out-kept" && [[ $(ls -A "$TMP/out") == report.md ]]'
rep o-nodir --format csv -o "$TMP/no-such-dir/r.csv"
check "-o into a missing directory: exit 3" "exit $RC" \
    eval '[[ $RC -eq 3 && ! -e $TMP/no-such-dir ]] && grep -qF "cannot write" "$TMP/o-nodir.err"'
rep o-csv --format csv --lang en --explanations "$EXPL" -o "$TMP/out/r.csv"
check "-o csv equals standard output" "exit $RC" \
    eval '[[ $RC -eq 0 ]] && cmp -s "$TMP/out/r.csv" "$TMP/g-en-csv.out"'

# ======================================================================
# report --group-by TAG: the same report per value of an organisation tag
# ======================================================================
# golden GNAME FILE [jq]: FILE equals tests/data/report/golden/GNAME (json
# compared pretty-printed); UPDATE_GOLDEN=1 rewrites it.
golden() {
    local name=$1 out=$2 gold=$GOLDEN/$1
    if [[ ${3:-} == jq ]]; then
        jq . "$out" >"$out.pretty" 2>/dev/null || { not_ok "golden $name" "not JSON" "$out"; return; }
        out=$out.pretty
    fi
    if [[ -n ${UPDATE_GOLDEN:-} ]]; then
        cp "$out" "$gold" && ok "golden $name (updated $gold)"
    elif [[ ! -f $gold ]]; then
        not_ok "golden $name" "no $gold (UPDATE_GOLDEN=1 makes it)"
    elif cmp -s "$gold" "$out"; then
        ok "golden $name"
    else
        diff -u "$gold" "$out" >"$out.diff"
        not_ok "golden $name" "differs from $gold" "$out.diff"
    fi
}

rep grp-md --group-by provincie --format md --lang en --explanations "$EXPL"
check "--group-by md on standard output: exit 0, seven reports, each naming its slice" "exit $RC" \
    eval '[[ $RC -eq 0 && $(grep -c "^# Mail security report: run 3 " "$TMP/grp-md.out") -eq 7 &&
          $(grep -c "^\*\*Selection:\*\* organisations with provincie = " "$TMP/grp-md.out") -eq 6 &&
          $(grep -c "^\*\*Selection:\*\* organisations without provincie and the domains no organisation lists\. " "$TMP/grp-md.out") -eq 1 ]]'
golden group.en.md "$TMP/grp-md.out"

rep grp-json --group-by provincie --format json --lang nl
J=$TMP/grp-json.out
check "--group-by json: one document, the groups sorted by value, without the tag last" \
    "exit $RC, $(jq -c '[.group_by, [.groups[].value]]' "$J" 2>&1 | head -c 300)" \
    jqt "$J" '.group_by == "provincie" and [.groups[].value] ==
        ["<b>Noord</b> & \"Zuid\" | *x* _y_ =1+1", "Fryslân", "Proefland", "Utrecht",
         "Zuid\r\n<i>x</i>\u0001/../..", "Zuid-Holland", null] and
        ([.groups[].report.report.group.value] == [.groups[].value])'
check "--group-by: a slice has its organisations' domains only, and only them as organisations" \
    "$(jq -c '.groups[3].report | [[.domains[].name], [.organisations[].name]]' "$J")" \
    jqt "$J" '.groups[3].report | [.domains[].name] ==
        ["belastingproef.nl", "proefdelta.nl", "storing.nl", "voorbeeld.nl"] and
        [.organisations[].name] == ["GR Belastingsamenwerking Proef", "Gemeente Voorbeeld",
         "Waterschap Proefdelta"] and .summary.domains == 4'
check "--group-by: a domain of organisations in two slices is in both, with each slice's organisation" \
    "$(jq -c '[.groups[4,5].report | [[.domains[].name], [.organisations[].name]]]' "$J")" \
    jqt "$J" '[.groups[4,5].report | [[.domains[].name], [.organisations[].name]]] ==
        [[["voorbeeldzaken.nl"], ["Dienst\nRegel\u0001Twee"]],
         [["voorbeeldzaken.nl"], ["Ministerie van Voorbeeldzaken"]]]'
check "--group-by: without the tag: the untagged organisation and the domain no organisation lists" \
    "$(jq -c '.groups[6].report | [[.domains[].name], [.organisations[].name]]' "$J")" \
    jqt "$J" '.groups[6].report | [.domains[].name] == ["calc.nl", "los.nl"] and
        [.organisations[].name] == ["=cmd|'"'"' /C calc'"'"'!A0"] and .report.group.value == null'
check "--group-by: the trend and the changes are the slice's" \
    "$(jq -c '.groups[3].report | [[.trend[] | [.run, (.per_standard.dnssec | .pass + .fail + .explained + ."n/a" + .untested)]], .changes]' "$J")" \
    jqt "$J" '.groups[3].report | [.trend[] | [.run, (.per_standard.dnssec | .pass + .fail +
        .explained + ."n/a" + .untested)]] == [[1, 3], [2, 4], [3, 4]] and
        [.changes.improved[] | .domain + ":" + .standard] == ["belastingproef.nl:dnssec",
         "belastingproef.nl:starttls_dane", "voorbeeld.nl:tlsrpt"] and .changes.regressed == []'
rep grp-run2 --run 2 --group-by provincie --format json
check "--group-by: the tags are the reported run's (run 2 has other values)" \
    "$(jq -c '[.groups[] | [.value, .report.summary.domains]]' "$TMP/grp-run2.out" 2>&1)" \
    jqt "$TMP/grp-run2.out" '[.groups[] | [.value, .report.summary.domains]] == [["Oud-Utrecht", 2], [null, 11]]'

# One file per value: names made safe, listed on standard output.
mkdir -p "$TMP/grp"
rep grp-html --group-by provincie --lang nl -o "$TMP/grp/rapport.html"
want="rapport-b-noord-b-zuid-x-y-1-1.html rapport-fryslan.html rapport-proefland.html rapport-utrecht.html rapport-zonder-provincie.html rapport-zuid-holland.html rapport-zuid-i-x-i.html"
check "--group-by -o FILE.html: one file per value, FILE-VALUE.html, value made safe" \
    "exit $RC, $(ls "$TMP/grp" | tr '\n' ' ')" \
    eval '[[ $RC -eq 0 && "$(ls "$TMP/grp" | tr "\n" " ")" == "$want " ]]'
check "--group-by -o: the files are listed on standard output with their value, control bytes as ?" \
    "$(head -c 400 "$TMP/grp-html.out")" \
    eval '[[ $(wc -l <"$TMP/grp-html.out") -eq 7 ]] &&
          grep -qxF "$TMP/grp/rapport-utrecht.html	Utrecht" "$TMP/grp-html.out" &&
          grep -qxF "$TMP/grp/rapport-zuid-i-x-i.html	Zuid??<i>x</i>?/../.." "$TMP/grp-html.out" &&
          grep -qxF "$TMP/grp/rapport-zonder-provincie.html	(zonder provincie)" "$TMP/grp-html.out"'
H=$TMP/grp/rapport-b-noord-b-zuid-x-y-1-1.html
check "--group-by html: the hostile tag value is escaped, not markup" "$(grep -o '<p class="group">.*' "$H" | head -c 300)" \
    eval 'grep -qF "<p class=\"group\"><strong>Selectie:</strong> organisaties met <strong>provincie = &lt;b&gt;Noord&lt;/b&gt; &amp; &quot;Zuid&quot; | *x* _y_ =1+1</strong>. " "$H" &&
          ! grep -qF "<b>Noord" "$H"'
H=$TMP/grp/rapport-zuid-i-x-i.html
check "--group-by html: CR, LF and a control byte of a tag value do not reach the page" "$(grep -o '<p class="group">.*' "$H" | head -c 300 | od -c | head -3)" \
    eval '! grep -qF "<i>x" "$H" && ! grep -qP "\x01" "$H" && grep -q "provincie = Zuid.*&lt;i&gt;x&lt;/i&gt;" "$H"'
cmark-gfm -e table <"$TMP/grp-md.out" >"$TMP/grp-md.html" 2>/dev/null
check "--group-by md: hostile tag values render as text (cmark-gfm)" "$(grep -o 'Selection:.\{0,120\}' "$TMP/grp-md.html" | head -n 2)" \
    eval '! grep -qF "<b>Noord" "$TMP/grp-md.html" && ! grep -qF "<i>x" "$TMP/grp-md.html" && ! grep -qP "\x01" "$TMP/grp-md.out" &&
          grep -qF "&lt;b&gt;Noord&lt;/b&gt; &amp; &quot;Zuid&quot; | *x* _y_ =1+1" "$TMP/grp-md.html"'
rep grp-dir --group-by provincie --format csv --lang en -o "$TMP/grpdir/"
check "--group-by -o DIR/: DIR made, DIR/VALUE.csv, without-TAG in English" "exit $RC, $(ls "$TMP/grpdir" 2>&1 | tr '\n' ' ')" \
    eval '[[ $RC -eq 0 && -f $TMP/grpdir/utrecht.csv && -f $TMP/grpdir/without-provincie.csv && $(ls "$TMP/grpdir" | wc -l) -eq 7 ]] &&
          python3 -c "import csv,sys; rows=list(csv.reader(open(sys.argv[1], encoding=\"utf-8-sig\"))); sys.exit(0 if [r[1] for r in rows if r[0]==\"domain\"] == [\"belastingproef.nl\", \"proefdelta.nl\", \"storing.nl\", \"voorbeeld.nl\"] else 1)" "$TMP/grpdir/utrecht.csv"'

# Values that come out as the same file name get -2, -3 (never a name an
# earlier value already has).
sqlite3 "$TMP/slug.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/slug.db" "INSERT INTO run_org_tags (run_id, organisation_id, key, value, line)
        VALUES (3, 1, 'k', 'a 2', 1), (3, 2, 'k', 'a!', 1), (3, 3, 'k', 'a.', 1)"
mkdir -p "$TMP/slug"
ms grp-slug report --db "$TMP/slug.db" --group-by k --format md -o "$TMP/slug/r.md"
check "--group-by: file names made unique" "exit $RC, $(tr '\t\n' '= ' <"$TMP/grp-slug.out")" \
    eval '[[ $RC -eq 0 && "$(tr "\t\n" "= " <"$TMP/grp-slug.out")" == "$TMP/slug/r-a-2.md=a 2 $TMP/slug/r-a.md=a! $TMP/slug/r-a-3.md=a. $TMP/slug/r-zonder-k.md=(zonder k) " ]] &&
          [[ $(ls "$TMP/slug" | wc -l) -eq 4 ]]'

rep grp-nokey --group-by ministerie --format md
check "--group-by a tag no organisation has: exit 2, naming the run's tags" "exit $RC: $(cat "$TMP/grp-nokey.err")" \
    eval '[[ $RC -eq 2 && ! -s $TMP/grp-nokey.out ]] && grep -qF "no organisation of run 3 has the tag '"'"'ministerie'"'"' (tags of this run: " "$TMP/grp-nokey.err"'
rep grp-badkey --group-by '<a b>' --format md
check "--group-by a malformed key: exit 2" "exit $RC: $(cat "$TMP/grp-badkey.err")" \
    eval '[[ $RC -eq 2 ]] && grep -qF "a tag key holds only" "$TMP/grp-badkey.err"'
rep grp-html-stdout --group-by provincie --format html
check "--group-by html without -o: exit 2 (one file per value)" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF "give -o FILE.html" "$TMP/grp-html-stdout.err"'
rep grp-json-dir --group-by provincie --format json -o "$TMP/grp/"
check "--group-by json with -o DIR/: exit 2 (one document)" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF "writes one document" "$TMP/grp-json-dir.err"'
rep grp-old --run 1 --group-by provincie --format md
check "--group-by on a run without tags: exit 2" "exit $RC" \
    eval '[[ $RC -eq 2 ]] && grep -qF "(tags of this run: none)" "$TMP/grp-old.err"'

# ======================================================================
# report --changes-only: what changed since the previous finished run
# ======================================================================
for lang in nl en; do
    rep chg-$lang --changes-only --format md --lang "$lang"
    check "--changes-only md $lang: exit 1 (something regressed, as diff)" "exit $RC" test "$RC" -eq 1
    golden changes.$lang.md "$TMP/chg-$lang.out"
done
rep chg-csv --changes-only --format csv --lang en
check "--changes-only csv: exit 1, parses, regressions first" "exit $RC" \
    eval '[[ $RC -eq 1 ]] && python3 -c "import csv,sys; rows=list(csv.reader(open(sys.argv[1], encoding=\"utf-8-sig\"))); sys.exit(0 if [r[0] for r in rows] == [\"change\", \"Regressed\", \"Regressed\", \"Improved\", \"Improved\", \"Improved\", \"Improved\"] and rows[1][2] == \"'"'"'=cmd|'"'"' /C calc'"'"'!A0\" else 1)" "$TMP/chg-csv.out"'
golden changes.en.csv "$TMP/chg-csv.out"
rep chg-json --changes-only --format json
check "--changes-only json: before, after and the reason codes now" "$(jq -c .regressed "$TMP/chg-json.out")" \
    jqt "$TMP/chg-json.out" '.run == 3 and .previous_run == 2 and .previous_date == "2026-02-02" and
        [.regressed[] | [.domain, .standard, .before, .after, .reasons]] ==
        [["calc.nl", "mta_sts", "pass", "fail", ["no-policy"]],
         ["xn--proefrysln-c5a.nl", "dnssec", "pass", "fail", ["dnssec-insecure"]]] and
        (.improved | length) == 4'
golden changes.nl.json "$TMP/chg-json.out" jq
rep chg-html --changes-only --format html --lang en
check "--changes-only html: exit 1, a table per direction, hostile names escaped" "exit $RC" \
    eval '[[ $RC -eq 1 ]] && grep -qF "<h2>Regressed (2)</h2>" "$TMP/chg-html.out" &&
          grep -qF "<h2>Improved (4)</h2>" "$TMP/chg-html.out" && ! grep -qF "<script>alert" "$TMP/chg-html.out"'
rep chg-run1 --changes-only --format md --lang en --run 1
check "--changes-only with no earlier run: one line, exit 0" "exit $RC: $(cat "$TMP/chg-run1.out")" \
    eval '[[ $RC -eq 0 && $(cat "$TMP/chg-run1.out") == "No earlier finished run to compare with: run 1 (2026-01-05)." ]]'
# A fifth run, finished, with the verdicts of run 3: nothing changed.
sqlite3 "$TMP/same.db" <"$DATA/fixture.sql" &&
    sqlite3 "$TMP/same.db" "INSERT INTO runs (id, started, finished, label, status, targets, loaded)
        VALUES (5, '2026-04-06T07:00:00Z', '2026-04-06T07:05:00Z', 'april', 'done', 'x', 1);
        INSERT INTO domains (id, run_id, name, organisation_id, checked_at)
        SELECT id + 200, 5, name, organisation_id, checked_at FROM domains WHERE run_id = 3;
        INSERT INTO domain_organisations SELECT domain_id + 200, organisation_id
        FROM domain_organisations WHERE domain_id BETWEEN 301 AND 399;
        INSERT INTO verdicts SELECT domain_id + 200, standard, verdict, reasons
        FROM verdicts WHERE domain_id BETWEEN 301 AND 399;"
for lang in nl en; do
    ms chg-same-$lang report --db "$TMP/same.db" --changes-only --format md --lang $lang
done
check "--changes-only with nothing changed: exit 0 and one line 'no changes since run 3'" \
    "exit $RC: $(cat "$TMP/chg-same-nl.out" "$TMP/chg-same-en.out")" \
    eval '[[ $RC -eq 0 && $(cat "$TMP/chg-same-en.out") == "No changes since run 3 (2026-03-02) in run 5 (2026-04-06)." &&
          $(cat "$TMP/chg-same-nl.out") == "Geen veranderingen sinds run 3 (2026-03-02) in run 5 (2026-04-06)." ]]'
ms chg-same-csv report --db "$TMP/same.db" --changes-only --format csv
ms chg-same-json report --db "$TMP/same.db" --changes-only --format json
check "--changes-only with nothing changed: csv only the header, json empty lists" "exit $RC" \
    eval '[[ $RC -eq 0 && $(wc -l <"$TMP/chg-same-csv.out") -eq 1 ]] &&
          jqt "$TMP/chg-same-json.out" ".previous_run == 3 and .regressed == [] and .improved == []"'

rep grp-chg --group-by provincie --changes-only --format md --lang en
check "--group-by with --changes-only: per slice, exit 1 (a slice regressed)" "exit $RC" \
    eval '[[ $RC -eq 1 ]] && grep -qxF "No changes since run 2 (2026-02-02) in run 3 (2026-03-02) for organisations with provincie = Zuid-Holland." "$TMP/grp-chg.out"'
golden group-changes.en.md "$TMP/grp-chg.out"
rep grp-chg-ok --group-by provincie --changes-only --format json
check "--group-by with --changes-only: json per slice" "exit $RC" \
    jqt "$TMP/grp-chg-ok.out" '[.groups[] | [.value, (.report.regressed | length), (.report.improved | length)]] ==
        [["<b>Noord</b> & \"Zuid\" | *x* _y_ =1+1", 0, 0], ["Fryslân", 1, 0], ["Proefland", 0, 1],
         ["Utrecht", 0, 3], ["Zuid\r\n<i>x</i>\u0001/../..", 0, 0], ["Zuid-Holland", 0, 0], [null, 1, 0]]'

# ======================================================================
# Sanitizers (ASan builds): no report from any run above
# ======================================================================
# UBSan inside an ASan build ignores log_path and writes to stderr: look
# there too (every run's stderr is a $TMP/*.err file).
reports=$( (find "$TMP" -maxdepth 1 -name 'sanitizer*'
    grep -lE 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$TMP"/*.err) 2>/dev/null | sort)
if [[ -z $reports ]]; then
    ok "no sanitizer report"
else
    # shellcheck disable=SC2086
    not_ok "no sanitizer report" "$(wc -l <<<"$reports") report file(s)" $reports
    # shellcheck disable=SC2086
    grep -hE 'ERROR: |SUMMARY|runtime error' $reports | head -n 10 | sed 's/^/  /'
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
