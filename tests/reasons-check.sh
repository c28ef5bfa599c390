#!/usr/bin/env bash
# The one table of reason codes (probes/reasons.def) against the sources and
# the README: every id R_<ID> is used in probes/, scanner/ or reports/ outside
# the table and outside comments (no dead rows), and README.md's "Reason
# codes" section (its table, the notes and the per-address statuses after it)
# names every code of the table and no other. That every code a probe gives
# is a row is the compiler's job (verdict_add_reason takes an enum reason);
# the rows themselves are checked by tests/unit/test_advice.c.
#
#   tests/reasons-check.sh      silent per row; exit 1 and a line per problem
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
def=probes/reasons.def
problems=0

ids=$(sed -nE 's/^REASON\(([A-Z0-9_]+), .*/\1/p' "$def")
codes=$(sed -nE 's/^REASON\([A-Z0-9_]+, "([a-z0-9-]+)".*/\1/p' "$def" | sort)
nrows=$(wc -w <<<"$ids")
if [[ $nrows -lt 20 || $nrows -ne $(wc -w <<<"$codes") ]]; then
    echo "reasons-check: could not read the rows of $def ($nrows ids)"
    exit 1
fi

# no dead rows: each id given somewhere, a comment line does not count
for id in $ids; do
    if ! grep -rnw --include='*.c' --include='*.h' "R_$id" probes scanner reports |
        grep -qvE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*|//)'; then
        echo "reasons-check: dead row R_$id: no code in probes/, scanner/ or reports/ gives it"
        problems=$((problems + 1))
    fi
done

# the README names the same codes: the table's first column, then the
# backquoted words of the notes/statuses paragraph (not the JSON keys
# `notes` and `starttls` it names; "ok" is no code)
section=$(sed -n '/^### Reason codes/,/^## /p' README.md)
readme=$( {
    sed -nE 's/^\| `([a-z0-9-]+)` \|.*/\1/p' <<<"$section"
    sed -n '/^Notes (JSON/,/^$/p' <<<"$section" |
        sed -E 's/JSON `notes`//; s/`starttls` is one of//' | grep -oE '`[a-z0-9-]+`' | tr -d '`'
} | grep -vx ok | sort -u)
if [[ -z $readme ]]; then
    echo "reasons-check: no codes found in README.md's \"Reason codes\" section"
    problems=$((problems + 1))
fi
while read -r c; do
    [[ -n $c ]] || continue
    echo "reasons-check: $c is a row of $def, but README.md's \"Reason codes\" does not name it"
    problems=$((problems + 1))
done < <(comm -23 <(echo "$codes") <(echo "$readme"))
while read -r c; do
    [[ -n $c ]] || continue
    echo "reasons-check: README.md's \"Reason codes\" names $c, which is no row of $def"
    problems=$((problems + 1))
done < <(comm -13 <(echo "$codes") <(echo "$readme"))

echo "reasons-check: $nrows rows, $problems problems"
[[ $problems -eq 0 ]]
