#!/usr/bin/env bash
# Builds the release `rudder` binary with profile-guided optimisation (PGO):
#
#   1. an instrumented build (`-Cprofile-generate`) in its own target directory,
#   2. training: `rudder render` of every successful case of the chart corpus (or, without
#      the corpus, of the charts under charts/), which writes raw profiles,
#   3. `llvm-profdata merge` (from rustup's `llvm-tools`, installed here when missing),
#   4. the final build with `-Cprofile-use` into `target/pgo/[HOST/]release/rudder`, printed on
#      stdout.
#
# On a Linux glibc host both builds link glibc statically (`crt-static`, no PIE): a dynamically
# linked `rudder` spent ~0.5 ms of every start in the dynamic loader (CPU feature and cache
# detection through `cpuid`, which traps to the hypervisor on a VM, plus libgcc_s's own),
# 5-10 % of a large chart's render. glibc 2.34+ resolves host names (`files`, `dns`) without
# loading NSS modules, so the operator is unaffected. `--target HOST` keeps the static flags
# away from build scripts and proc macros.
#
#   hack/pgo-build.sh [--train-filter REGEX]
#
# REGEX selects the corpus cases used for training by their chart directory (`charts/NAME`,
# matched with Python's re.search; default: all); the held-out check in
# docs/render-performance.md trains on half of the charts and measures the other half.
# Environment: RUDDER_CORPUS (see hack/corpus-root.sh), PGO_DIR (work directory, default
# target/pgo-work), RUDDER_PGO_DYNAMIC=1 (link glibc dynamically, for comparison).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

FILTER="."
while [[ $# -gt 0 ]]; do
  case "$1" in
    --train-filter) FILTER="$2"; shift 2 ;;
    *) echo "pgo-build: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { echo "pgo-build: $*" >&2; }
die() { log "error: $*"; exit 1; }

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="${PGO_DIR:-$TARGET/pgo-work}"
RAW="$WORK/raw"

profdata_bin() {
  local sysroot host bin
  sysroot="$(rustc --print sysroot)"
  host="$(rustc -vV | sed -n 's/^host: //p')"
  bin="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
  if [[ ! -x "$bin" ]]; then
    log "installing rustup component llvm-tools (for llvm-profdata)"
    rustup component add llvm-tools >&2 || die "could not install llvm-tools"
  fi
  [[ -x "$bin" ]] || die "no llvm-profdata at $bin"
  echo "$bin"
}

# shellcheck source=hack/corpus-root.sh
source "$ROOT/hack/corpus-root.sh"

# Renders the training set with the instrumented binary $1. Processes merge their counts
# online into a pool of two raw profiles (%2m in LLVM_PROFILE_FILE), not one file each.
train() {
  local bin="$1" corpus
  corpus="$(corpus_root)"
  if [[ -n "$corpus" ]]; then
    log "training on the chart corpus at $corpus (cases matching '$FILTER')"
    python3 - "$corpus" "$bin" "$FILTER" <<'EOF'
import json, re, subprocess, sys
corpus, binary, pattern = sys.argv[1], sys.argv[2], re.compile(sys.argv[3])
cases = json.load(open(f"{corpus}/cases.json"))["cases"]
ran = 0
for case in cases:
    if case["expected_exit_status"] != 0 or not pattern.search(case["chart_dir"]):
        continue
    argv = [binary, "render"] + case["argv"][2:]
    subprocess.run(argv, cwd=corpus, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ran += 1
print(f"pgo-build: rendered {ran} corpus cases", file=sys.stderr)
EOF
  else
    log "no chart corpus; training on the charts under charts/"
    local chart
    for chart in charts/*/; do
      [[ -f "$chart/Chart.yaml" ]] || continue
      "$bin" render train "$chart" >/dev/null 2>&1 || true
    done
  fi
}

# Static linking of glibc (see the top); elsewhere the default linkage.
HOST="$(rustc -vV | sed -n 's/^host: //p')"
LINK_FLAGS=""
TARGET_ARGS=()
OUT_SUBDIR=""
if [[ "$HOST" == *-linux-gnu && "${RUDDER_PGO_DYNAMIC:-}" != 1 ]]; then
  LINK_FLAGS="-Ctarget-feature=+crt-static -Crelocation-model=static"
  TARGET_ARGS=(--target "$HOST")
  OUT_SUBDIR="$HOST/"
fi

PROFDATA="$(profdata_bin)"
rm -rf "$RAW"
mkdir -p "$RAW"

log "instrumented build"
# The instrumented binary's default profile path stays fixed, so that another PGO_DIR does not
# rebuild it; LLVM_PROFILE_FILE below says where this run's profiles go. `rudder_profile_generate`
# makes `rudder render` end through `exit`, whose handlers write the profile, not `_exit`.
RUSTFLAGS="${RUSTFLAGS:-} $LINK_FLAGS -Cprofile-generate=$TARGET/pgo-gen/profiles --cfg rudder_profile_generate" \
  cargo build --release --quiet --bin rudder --target-dir "$TARGET/pgo-gen" "${TARGET_ARGS[@]}"
LLVM_PROFILE_FILE="$RAW/rudder-%2m.profraw" train "$TARGET/pgo-gen/${OUT_SUBDIR}release/rudder"

raws="$(find "$RAW" -name '*.profraw' | wc -l)"
[[ "$raws" -gt 0 ]] || die "training wrote no profiles into $RAW"
log "merging $raws raw profiles"
"$PROFDATA" merge -o "$WORK/merged.profdata" "$RAW"
rm -f "$WORK"/rudder-*.profdata
# Cargo's fingerprint sees RUSTFLAGS, not the profile's content: name the profile after its
# hash so that a new profile rebuilds.
MERGED="$WORK/rudder-$(sha256sum "$WORK/merged.profdata" | cut -c1-16).profdata"
mv "$WORK/merged.profdata" "$MERGED"

log "optimised build"
# With a profile, LLVM marks functions hot or unlikely (.text.hot.*, .text.unlikely.*); keeping
# those prefixes makes the linker group the hot code, so a render touches fewer code pages.
RUSTFLAGS="${RUSTFLAGS:-} $LINK_FLAGS -Cprofile-use=$MERGED -Clink-arg=-Wl,-z,keep-text-section-prefix" \
  cargo build --release --quiet --bin rudder --target-dir "$TARGET/pgo" "${TARGET_ARGS[@]}"
echo "$TARGET/pgo/${OUT_SUBDIR}release/rudder"
