#!/usr/bin/env bash
# Differential fuzzing of rudder's template engine against Helm v4.1.4's (hack/template-oracle).
#
#   hack/template-diff/run.sh [--duration SECS] [--seed N] [--batch N] [--out DIR]
#
# Builds the oracle (hack/template-oracle/regen.sh build) and this tool, then generates random
# templates and values for SECS seconds (default 3600), renders each through both engines and
# records mismatches in DIR (default .cache/template-diff): summary.json (wall time, cases,
# classes with counts and the shortest example) and mismatches.jsonl (up to 5 per class).
# Runs under `nice -n 10`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/hack/template-diff"
ORACLE="$("$ROOT/hack/template-oracle/regen.sh" build)"
args=("$@")
has_out=0
for a in "${args[@]}"; do
  [[ "$a" == --out ]] && has_out=1
done
if [[ $has_out -eq 0 ]]; then
  args+=(--out "${RUDDER_CACHE_DIR:-$ROOT/.cache}/template-diff")
fi
cargo build --quiet --manifest-path "$DIR/Cargo.toml"
TARGET="${CARGO_TARGET_DIR:-$DIR/target}"
exec nice -n 10 "$TARGET/debug/template-diff" --oracle "$ORACLE" "${args[@]}"
