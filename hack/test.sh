#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, then integration tests against a real
# kube-apiserver + etcd + kube-controller-manager started for this run and stopped afterwards.
#
# Environment:
#   RUDDER_CACHE_DIR   where built control-plane binaries are cached (default: .cache)
#   CARGO_TARGET_DIR   honoured as usual by cargo
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "unit tests"
cargo test --lib --bins --examples
cargo test --doc

step "template cases: expectations re-verified against Helm's own engine"
hack/template-oracle/regen.sh --check

step "control plane"
state="$(mktemp -d "${TMPDIR:-/tmp}/rudder-test-cp.XXXXXX")"
export RUDDER_CONTROL_PLANE_DIR="$state"
cleanup() {
  hack/control-plane.sh down >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
kubeconfig_line="$(hack/control-plane.sh up | tail -n 1)"
export RUDDER_TEST_KUBECONFIG="${kubeconfig_line#KUBECONFIG=}"

step "integration tests (RUDDER_TEST_KUBECONFIG=$RUDDER_TEST_KUBECONFIG)"
cargo test --test '*'
