#!/usr/bin/env bash
# make lint: banned calls, cppcheck, and clang-format's verdict on the sources.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
srcs=$(git ls-files '*.c' '*.h')
if grep -nE '\b(sprintf|strcpy|strcat|strtok|atoi|gets)\s*\(' $srcs; then
    echo "lint: banned calls above (use snprintf, str_copy, buf_*, strtoul)"; status=1
fi
if command -v cppcheck >/dev/null; then
    cppcheck -q --error-exitcode=1 --enable=warning,portability --inline-suppr \
        --suppress=missingIncludeSystem $srcs || status=1
fi
if command -v clang-format >/dev/null; then
    n=$(for f in $srcs; do clang-format --dry-run "$f" 2>&1; done | grep -c 'warning:' || true)
    echo "lint: clang-format would change $n places (informational)"
fi
exit $status
