#!/usr/bin/env bash
# make demo: check the lab's example domains (targets/lab-demo.txt) with the
# lab's root, trust anchor and CA, show the verdicts, and keep the evidence as
# JSON Lines in demo-results.jsonl. The lab must be up (make lab-up).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
mapfile -t domains < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' targets/lab-demo.txt | grep -v '^$')
flags=(--root-hints build/lab/root.hints --trust-anchor build/lab/root.key
       --ca-file build/lab/ca.pem --timeout 3)
echo "demo: build/mailscan check ${flags[*]} ${domains[*]}"
echo
rc=0
build/mailscan check "${flags[@]}" "${domains[@]}" || rc=$?
build/mailscan check --json "${flags[@]}" "${domains[@]}" >demo-results.jsonl || true
echo
echo "demo: exit status $rc (1: some domain fails DNSSEC, STARTTLS or DANE)"
echo "demo: the evidence behind every verdict, one JSON object per domain: $ROOT/demo-results.jsonl"
echo "demo: the lab keeps running; stop it with 'make lab-down'"
