#!/usr/bin/env bash
# Run CI exactly as it runs for a submission: on a fresh clone of the
# committed HEAD (uncommitted changes and untracked files are NOT included),
# with CI=true. A green working tree can hide a missing install step; this
# cannot.
#
#   bash scripts/ci-fresh-clone.sh
set -euo pipefail
repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone --quiet "$repo" "$work/fedrec"
# CI has shared/ beside the clone (datasets for benchmarks, never copied into the repo).
[ -d "$repo/../shared" ] && ln -s "$repo/../shared" "$work/shared"
cd "$work/fedrec"
CI=true bash .ci/run
