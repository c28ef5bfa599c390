#!/usr/bin/env bash
# Every test of mailscan, in layers: unit tests (plain and ASan+UBSan builds),
# command-line tests, batch runs (scan, runs, diff, merge; plain and
# ASan+UBSan), hostile input and environment (issue 15: report -o, deep
# YAML, /dev/zero, huge explanations, --config, /dev/full, read-only
# mounts, a full disk, ESC bytes, the run lock; plain and ASan+UBSan), the md, csv and json reports on a fixed database (golden
# files, explanations, escaping; plain and ASan+UBSan), the HTML report
# (golden files, escaping, headless Chromium; plain and ASan+UBSan), the lab
# scenarios through `mailscan check --json` (plain and ASan+UBSan), 2,000
# lab domains shaped like a national list with 5 % lame delegations
# (healthy domains get the verdicts they get without them; plain, and 1,000
# under ASan+UBSan), and a
# short fuzz run of every parser of untrusted input when clang's libFuzzer is
# available. Starts the lab and stops it again.
#
# Each suite ends with "N passed, N failed"; this script adds them up and ends
# with the same line for the whole run. Exit status 0 only when all passed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
# ASan builds: the one deliberate leak at exit (see tests/lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}
total_pass=0
total_fail=0
suite_fail=0
start=$(date +%s)

run_suite() {
    local name=$1 log rc line p f
    shift
    log=$(mktemp)
    echo "=== $name"
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    rm -f "$log"
    if [[ -z $line ]]; then
        echo "=== $name: no result line (exit $rc)"
        total_fail=$((total_fail + 1))
        suite_fail=1
        return
    fi
    p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [[ $rc -ne 0 && $f -eq 0 ]]; then
        echo "=== $name: exit status $rc"
        total_fail=$((total_fail + 1))
    fi
    [[ $rc -eq 0 ]] || suite_fail=1
}

tests/lab/lab.sh up || { echo "run-tests: the lab did not start"; echo "0 passed, 1 failed"; exit 1; }
trap 'tests/lab/lab.sh down >/dev/null 2>&1 || true' EXIT

run_suite "unit tests" build/unit_tests
run_suite "unit tests (ASan+UBSan)" build/asan/unit_tests
run_suite "command line" tests/cli-tests.sh build/mailscan
run_suite "batch scans" tests/scan-tests.sh build/mailscan
run_suite "batch scans (ASan+UBSan)" tests/scan-tests.sh build/asan/mailscan
run_suite "hardening" tests/hardening-tests.sh build/mailscan
run_suite "hardening (ASan+UBSan)" tests/hardening-tests.sh build/asan/mailscan
run_suite "reports" tests/report-tests.sh build/mailscan
run_suite "reports (ASan+UBSan)" tests/report-tests.sh build/asan/mailscan
run_suite "html report" tests/report-html-tests.sh build/mailscan
run_suite "html report (ASan+UBSan)" tests/report-html-tests.sh build/asan/mailscan
run_suite "lab scenarios" tests/run-lab-tests.sh build/mailscan
run_suite "lab scenarios (ASan+UBSan)" tests/run-lab-tests.sh build/asan/mailscan
run_suite "lab scenarios, stub mode through unbound" tests/run-lab-tests.sh build/mailscan --resolver
run_suite "lab scenarios, stub mode (ASan+UBSan)" tests/run-lab-tests.sh build/asan/mailscan --resolver
run_suite "rpki cross-check (rpki-rov, plain RFC 6811)" tests/rpki-crosscheck.sh build/mailscan
run_suite "lame delegations at scale" tests/scale-tests.sh build/mailscan
run_suite "lame delegations at scale (ASan+UBSan)" tests/scale-tests.sh build/asan/mailscan 1000
# A machine without IPv6: the test turns IPv6 off, which must not happen to
# the machine itself, so it runs in a network namespace of its own (unshare
# -n, only lo) with a lab of its own; this lab is stopped first (the two
# would share build/lab's pid files). Last of the lab suites.
noconn_ns() {
    tests/lab/lab.sh down >/dev/null 2>&1
    unshare -n bash -c 'ip link set lo up && tests/lab/lab.sh up >/dev/null 2>&1 ||
        { echo "ipv6-noconn: the lab did not start in a namespace"; echo "0 passed, 1 failed"; exit 1; }
        bash tests/ipv6-noconn-tests.sh "$1"; rc=$?
        tests/lab/lab.sh down >/dev/null 2>&1; exit $rc' _ "$1"
}
run_suite "ipv6 without IPv6 connectivity, in a namespace of its own (ASan+UBSan)" noconn_ns build/asan/mailscan
run_suite "fuzzers" tests/fuzz/run.sh

echo "=== all suites done in $(($(date +%s) - start)) s"
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 && $suite_fail -eq 0 ]]
