#!/usr/bin/env bash
# No merge-conflict markers left in the tree: a merge resolved by hand that
# kept "<<<<<<< " or ">>>>>>> " lines in a source file fails the build, but
# in a doc or a script it would go unnoticed.
# Usage: conflicts.sh [NETTRACER] (the binary is not used).
set -u
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
pat='^(<<<<<<<|>>>>>>>) '
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    hits=$(git -C "$SRC" grep -nE "$pat" -- . ':!tests/captures' || true)
else
    hits=$(grep -rnE "$pat" "$SRC" --exclude-dir=build --exclude-dir=build-asan --exclude-dir=captures || true)
fi
if [ -n "$hits" ]; then
    echo "merge-conflict markers left:"
    echo "$hits"
    exit 1
fi
echo "conflict markers: none"
