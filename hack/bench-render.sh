#!/usr/bin/env bash
# Whole-process speed and peak memory of `rudder render` against the real `helm template`.
#
#   hack/bench-render.sh [CASE_NAME_REGEX]
#
# For every successful case (nondeterministic ones included) of the chart corpus (cases.json, run with cwd = the
# corpus root, as the goldens were made) it runs
#   hyperfine -N --warmup 3 'helm template <argv[2:]>' 'rudder render <argv[2:]>'
# and prints one row per case: chart | case | helm ms | rudder ms | ratio (helm / rudder).
# Then, for the first case of each chart, the peak RSS of both (`/usr/bin/time -f %M`).
#
# Environment:
#   RUDDER_CORPUS   corpus root (default: ../shared/charts-corpus next to the checkout,
#                   else /work/shared/charts-corpus)
#   RUDDER_BIN      rudder binary (default: built here, see BENCH_BUILD)
#   BENCH_BUILD     how to build it when RUDDER_BIN is unset: pgo (default; hack/pgo-build.sh,
#                   the release build we measure and recommend) or plain (cargo build --release)
#   HELM_BIN        helm binary (default: what hack/get-helm.sh installs)
#   BENCH_RUNS      hyperfine --runs (default: hyperfine's own choice)
#   BENCH_OUT       directory for hyperfine's JSON exports (default: a temporary directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILTER="${1:-.}"

log() { echo "bench-render: $*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=hack/corpus-root.sh
source "$ROOT/hack/corpus-root.sh"

ensure_tools() {
  if ! command -v hyperfine >/dev/null; then
    log "installing hyperfine"
    local sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    $sudo apt-get install -y hyperfine >/dev/null ||
      { $sudo apt-get update >/dev/null && $sudo apt-get install -y hyperfine >/dev/null; } ||
      die "could not install hyperfine"
  fi
  [[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian package 'time')"
  command -v python3 >/dev/null || die "python3 is needed to read cases.json"
}

CORPUS="$(corpus_root)"
[[ -n "$CORPUS" && -f "$CORPUS/cases.json" ]] || die "no corpus at $CORPUS (set RUDDER_CORPUS)"
ensure_tools

if [[ -z "${RUDDER_BIN:-}" ]]; then
  case "${BENCH_BUILD:-pgo}" in
    pgo)
      log "building rudder (release, profile-guided: hack/pgo-build.sh)"
      RUDDER_BIN="$("$ROOT/hack/pgo-build.sh" | tail -n 1)"
      ;;
    plain)
      log "building rudder (release)"
      (cd "$ROOT" && cargo build --release --quiet)
      RUDDER_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/rudder"
      ;;
    *) die "BENCH_BUILD is pgo or plain, not ${BENCH_BUILD}" ;;
  esac
fi
[[ -x "$RUDDER_BIN" ]] || die "no rudder binary at $RUDDER_BIN"
if [[ -z "${HELM_BIN:-}" ]]; then
  HELM_BIN="$("$ROOT/hack/get-helm.sh" 2>/dev/null | sed -n 1p)"
fi
[[ -x "$HELM_BIN" ]] || die "no helm binary at $HELM_BIN"
RUDDER_BIN="$(cd "$(dirname "$RUDDER_BIN")" && pwd)/$(basename "$RUDDER_BIN")"
HELM_BIN="$(cd "$(dirname "$HELM_BIN")" && pwd)/$(basename "$HELM_BIN")"

OUT="${BENCH_OUT:-$(mktemp -d)}"
mkdir -p "$OUT"

# One line per case: name <TAB> chart dir <TAB> shell-quoted argv[2:].
cases() {
  python3 - "$CORPUS/cases.json" "$FILTER" <<'EOF'
import json, re, shlex, sys
cases = json.load(open(sys.argv[1]))["cases"]
for c in cases:
    # Nondeterministic cases (random passwords, generated keys) time fine: keep them.
    if c["expected_exit_status"] != 0:
        continue
    if not re.search(sys.argv[2], c["name"]):
        continue
    print("\t".join([c["name"], c["chart_dir"], shlex.join(c["argv"][2:])]))
EOF
}

ms() { # mean of command N of a hyperfine export, in milliseconds
  python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["mean"]*1000))' "$1" "$2"
}

cd "$CORPUS"
runs=()
[[ -n "${BENCH_RUNS:-}" ]] && runs=(--runs "$BENCH_RUNS")

printf '%-28s %-44s %10s %10s %8s\n' chart case "helm ms" "rudder ms" ratio
declare -A first_case=()
while IFS=$'\t' read -r name chart args; do
  [[ -n "${first_case[$chart]:-}" ]] || first_case[$chart]="$args"
  if ! eval "\"$RUDDER_BIN\" render $args" >/dev/null 2>&1; then
    printf '%-28s %-44s %10s %10s %8s\n' "$(basename "$chart")" "$name" - "fails" -
    continue
  fi
  json="$OUT/$name.json"
  hyperfine -N --warmup 3 "${runs[@]}" --export-json "$json" --style none \
    "$HELM_BIN template $args" "$RUDDER_BIN render $args" >/dev/null 2>&1 ||
    { printf '%-28s %-44s %10s\n' "$(basename "$chart")" "$name" "hyperfine failed"; continue; }
  h="$(ms "$json" 0)"
  r="$(ms "$json" 1)"
  ratio="$(python3 -c "print('%.1fx' % ($h / $r))")"
  printf '%-28s %-44s %10s %10s %8s\n' "$(basename "$chart")" "$name" "$h" "$r" "$ratio"
done < <(cases)

echo
printf '%-28s %14s %14s\n' chart "helm max KiB" "rudder max KiB"
for chart in "${!first_case[@]}"; do
  args="${first_case[$chart]}"
  h="$(eval "/usr/bin/time -f %M \"$HELM_BIN\" template $args" 2>&1 >/dev/null | tail -n 1)"
  r="$(eval "/usr/bin/time -f %M \"$RUDDER_BIN\" render $args" 2>&1 >/dev/null | tail -n 1)"
  printf '%-28s %14s %14s\n' "$(basename "$chart")" "$h" "$r"
done | sort
log "hyperfine exports in $OUT"
