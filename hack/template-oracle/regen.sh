#!/usr/bin/env bash
# Build the template oracle and (re)generate or check the expected outputs of the template cases.
#
#   hack/template-oracle/regen.sh build     build (or reuse) .cache/tools/bin/template-oracle
#   hack/template-oracle/regen.sh           regenerate tests/template-cases/expected/*.json
#   hack/template-oracle/regen.sh --check   re-render every case, compare with the checked-in
#                                           expectations, exit 1 on any difference
#   hack/template-oracle/regen.sh [--check] FILE.yaml...   only these case files
#
# The oracle is Helm v4.1.4's own engine (helm.sh/helm/v4/pkg/engine), built with go1.25.9 (the Go
# release the helm v4.1.4 binary was built with; fetched through the Go module proxy as a
# toolchain) and with helm's version variables set as in the release build, so that
# .Capabilities.HelmVersion matches the real binary.
set -euo pipefail

GO_TOOLCHAIN="${GO_TOOLCHAIN:-go1.25.9}"
HELM_COMMIT=05fa37973dc9e42b76e1d2883494c87174b6074f

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="$ROOT/hack/template-oracle"
BIN="${RUDDER_CACHE_DIR:-$ROOT/.cache}/tools/bin/template-oracle"
CASES="$ROOT/tests/template-cases"

log() { echo "template-oracle: $*" >&2; }

build() {
  if [[ -x "$BIN" ]] && [[ -z "$(find "$SRC" -newer "$BIN" \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \))" ]]; then
    return
  fi
  log "building $BIN with $GO_TOOLCHAIN"
  mkdir -p "$(dirname "$BIN")"
  local v=helm.sh/helm/v4/internal/version
  (cd "$SRC" && GOTOOLCHAIN="$GO_TOOLCHAIN" GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-X $v.version=v4.1.4 -X $v.gitCommit=$HELM_COMMIT -X $v.gitTreeState=clean" \
    -o "$BIN" .)
}

main() {
  local mode=write
  if [[ "${1:-}" == build ]]; then
    build
    echo "$BIN"
    return
  fi
  if [[ "${1:-}" == --check ]]; then
    mode=check
    shift
  fi
  build
  local files=("$@")
  if [[ ${#files[@]} -eq 0 ]]; then
    files=("$CASES"/*.yaml)
  fi
  mkdir -p "$CASES/expected"
  local f out failed=0
  for f in "${files[@]}"; do
    out="$CASES/expected/$(basename "$f" .yaml).json"
    if [[ $mode == write ]]; then
      "$BIN" -batch "$f" -write "$out" || failed=1
      log "wrote $out"
    else
      "$BIN" -batch "$f" -check "$out" || failed=1
    fi
  done
  if [[ $failed -ne 0 ]]; then
    log "FAILED"
    exit 1
  fi
}

main "$@"
