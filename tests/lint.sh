#!/usr/bin/env bash
# make lint: banned calls, cppcheck, and the .clang-format check of every source.
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
    if ! clang-format --dry-run --Werror $srcs; then
        echo "lint: not formatted per .clang-format (run: clang-format -i FILE)"; status=1
    fi
fi
exit $status
