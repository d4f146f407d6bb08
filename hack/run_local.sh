#!/usr/bin/env bash
# Runs rudder locally: against the current kube context when its API server answers, otherwise
# against a local control plane started with hack/control-plane.sh (etcd + kube-apiserver +
# kube-controller-manager on 127.0.0.1). Installs rudder's CRDs, then runs the controller.
#
# Extra arguments are passed to `rudder run`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { echo "run_local: $*" >&2; }

kubectl_bin() {
  if command -v kubectl >/dev/null 2>&1; then
    command -v kubectl
    return
  fi
  local cached="${RUDDER_CACHE_DIR:-$ROOT/.cache}/tools/bin/kubectl"
  [ -x "$cached" ] || hack/get-helm.sh >/dev/null
  echo "$cached"
}
KUBECTL="$(kubectl_bin)"

if "$KUBECTL" get --raw /readyz --request-timeout=5s >/dev/null 2>&1; then
  say "using the current kube context: $("$KUBECTL" config current-context 2>/dev/null || echo in-cluster)"
else
  say "no reachable kube context; using a local control plane"
  line="$(hack/control-plane.sh up | tail -n 1)"
  export KUBECONFIG="${line#KUBECONFIG=}"
  say "local control plane ready: KUBECONFIG=$KUBECONFIG (stop it: hack/control-plane.sh down)"
fi

say "building rudder"
cargo build --quiet --bin rudder
RUDDER="${CARGO_TARGET_DIR:-$ROOT/target}/debug/rudder"

if "$RUDDER" help crds >/dev/null 2>&1; then
  "$RUDDER" crds | "$KUBECTL" apply --server-side --field-manager rudder -f - >&2
  "$RUDDER" crds | "$KUBECTL" wait --for condition=Established --timeout 60s -f - >&2
  say "installed rudder's CRDs (Established): $("$RUDDER" crds | grep -c '^kind: CustomResourceDefinition')"
else
  say "rudder serves no CRDs yet: nothing to install"
fi

if "$RUDDER" help run >/dev/null 2>&1; then
  say "running the controller (Ctrl-C stops it)"
  exec "$RUDDER" run "$@"
fi
say "rudder has no controller yet ('rudder run' arrives with the controller); the API server is ready:"
"$KUBECTL" get --raw /readyz
echo
"$RUDDER" version
