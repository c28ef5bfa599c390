#!/usr/bin/env bash
# make demo: scan the lab's example organisations (targets/example.yaml) with
# the lab's root, trust anchor and CA into the SQLite file demo.db, list the
# runs, show two domains the way `check` prints them, write the compliance
# report demo-report.html (with targets/example-explanations.yaml), and keep
# the evidence as JSON Lines in demo-results.jsonl. The lab must be up.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# the lab's RPKI cache (stayrtr over tests/lab/rpki.tsv): RPKI is judged, not
# "niet getest" for want of a source
flags=(--root-hints build/lab/root.hints --trust-anchor build/lab/root.key
       --ca-file build/lab/ca.pem --timeout 3 --rpki-cache 127.61.0.1:323)
echo "demo: build/mailscan scan targets/example.yaml --db demo.db ${flags[*]}"
echo
build/mailscan scan targets/example.yaml --db demo.db --label demo "${flags[@]}"
echo
echo "demo: build/mailscan runs --db demo.db"
build/mailscan runs --db demo.db
echo
if [[ $(build/mailscan runs --db demo.db --json | grep -c '"status":"done"') -ge 2 ]]; then
    echo "demo: build/mailscan diff --db demo.db prev last (exit 1 when something regressed)"
    build/mailscan diff --db demo.db prev last || true
    echo
fi
echo "demo: build/mailscan check ${flags[*]} good.example dane-mismatch.example"
build/mailscan check "${flags[@]}" good.example dane-mismatch.example || true
# The evidence of the newest run, one JSON object per domain (what check --json prints).
sqlite3 demo.db "SELECT evidence FROM domains WHERE run_id = (SELECT max(id) FROM runs) ORDER BY name" \
    >demo-results.jsonl
echo "demo: build/mailscan report --db demo.db --explanations targets/example-explanations.yaml -o demo-report.html"
build/mailscan report --db demo.db --explanations targets/example-explanations.yaml -o demo-report.html
build/mailscan report --db demo.db --explanations targets/example-explanations.yaml --format md \
    -o demo-report.md
echo
echo "demo: the compliance report (open it in a browser): $ROOT/demo-report.html"
echo "      (the same as Markdown: $ROOT/demo-report.md; also --format csv|json, --lang en)"
echo "demo: the run with all its evidence: $ROOT/demo.db (SQLite; run it again and"
echo "      'mailscan diff --db demo.db prev last' shows what changed)"
echo "demo: the evidence behind every verdict, one JSON object per domain: $ROOT/demo-results.jsonl"
echo "demo: the lab keeps running; stop it with 'make lab-down'"
