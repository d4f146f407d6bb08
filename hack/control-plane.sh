#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1 for tests and local runs, in the manner of
# controller-runtime's envtest: etcd, kube-apiserver and kube-controller-manager, no kubelet.
#
#   hack/control-plane.sh build   build (or reuse) the pinned binaries under .cache/control-plane/
#   hack/control-plane.sh up      start a control plane; last line printed is KUBECONFIG=<path>
#   hack/control-plane.sh env     print KUBECONFIG=<path> of the running control plane
#   hack/control-plane.sh down    stop what `up` started (by pid) and remove its data
#
# The binaries are built from source through the Go module proxy. k8s.io/kubernetes replaces every
# k8s.io/* staging module with a local path in its go.mod, so it cannot be `go install`ed; we build
# it from a generated module that requires it and replaces each staging module with its published
# v0.Y.Z twin. etcd is built the same way (its server module also uses local replaces).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.5}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${RUDDER_CACHE_DIR:-$ROOT/.cache}/control-plane/$KUBE_VERSION"
BIN="$CACHE/bin"
# Where a running control plane keeps its state; one per checkout unless overridden.
STATE="${RUDDER_CONTROL_PLANE_DIR:-$ROOT/.cache/control-plane/run}"

log() { echo "control-plane: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# build

# Prints the staging module paths that k8s.io/kubernetes replaces with local directories.
staging_modules() {
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" \
    | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$KUBE_VERSION go.mod"
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod"
}

build_kubernetes() {
  local src="$CACHE/src/kubernetes" staging_version="v0.${KUBE_VERSION#v1.}"
  mkdir -p "$src"
  {
    echo "module rudder.local/control-plane/kubernetes"
    echo
    echo "go 1.24.0"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    for m in $(staging_modules); do echo "	$m => $m $staging_version"; done
    echo ")"
  } >"$src/go.mod"
  local pkg=k8s.io/kubernetes/cmd
  local vpkg=k8s.io/component-base/version
  local major minor
  major="$(echo "$KUBE_VERSION" | sed 's/^v\([0-9]*\)\..*/\1/')"
  minor="$(echo "$KUBE_VERSION" | sed 's/^v[0-9]*\.\([0-9]*\)\..*/\1/')"
  local ldflags="-s -w -X $vpkg.gitVersion=$KUBE_VERSION -X $vpkg.gitMajor=$major -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean"
  ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"
  (
    cd "$src"
    log "resolving k8s.io/kubernetes $KUBE_VERSION modules"
    go get "$pkg/kube-apiserver@$KUBE_VERSION" "$pkg/kube-controller-manager@$KUBE_VERSION" >&2
    for cmd in kube-apiserver kube-controller-manager; do
      log "building $cmd $KUBE_VERSION (first run only; several minutes)"
      CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$BIN/$cmd.tmp" "$pkg/$cmd" >&2
      mv "$BIN/$cmd.tmp" "$BIN/$cmd"
    done
  )
}

build_etcd() {
  local src="$CACHE/src/etcd" gomod
  mkdir -p "$src"
  # The server module replaces its sibling modules (api, client, pkg) with local paths.
  {
    echo "module rudder.local/control-plane/etcd"
    echo
    echo "go 1.24.0"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo
    echo "replace ("
    for m in api/v3 client/pkg/v3 client/v3 pkg/v3; do
      echo "	go.etcd.io/etcd/$m => go.etcd.io/etcd/$m $ETCD_VERSION"
    done
    echo ")"
  } >"$src/go.mod"
  (
    cd "$src"
    log "resolving etcd $ETCD_VERSION modules"
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
    log "building etcd $ETCD_VERSION (first run only)"
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
    mv "$BIN/etcd.tmp" "$BIN/etcd"
  )
}

cmd_build() {
  command -v go >/dev/null || die "go is not installed; it is needed once to build the control plane"
  mkdir -p "$BIN"
  [ -x "$BIN/etcd" ] || build_etcd
  if [ ! -x "$BIN/kube-apiserver" ] || [ ! -x "$BIN/kube-controller-manager" ]; then
    build_kubernetes
  fi
  log "binaries ready in $BIN"
}

# ---------------------------------------------------------------------------------------------
# up / down / env

# Prints a TCP port on 127.0.0.1 that is free right now.
free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

running() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

# Waits until URL answers "ok" (with the admin client certificate), or fails after $2 seconds.
wait_ready() {
  local url="$1" timeout="$2" name="$3" i
  for ((i = 0; i < timeout * 4; i++)); do
    if curl -fsS --max-time 2 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" \
      --key "$STATE/pki/admin.key" "$url" 2>/dev/null | grep -q '^ok'; then
      return 0
    fi
    if ! running "$name"; then
      tail -n 30 "$STATE/$name.log" >&2 || true
      die "$name exited during start-up (log: $STATE/$name.log)"
    fi
    sleep 0.25
  done
  tail -n 30 "$STATE/$name.log" >&2 || true
  die "$name not ready after ${timeout}s (log: $STATE/$name.log)"
}

# Writes a CA, a serving certificate for 127.0.0.1, an admin client certificate (system:masters)
# and the ServiceAccount token signing key.
make_pki() {
  local pki="$STATE/pki"
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=rudder-test-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout server.key \
      -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
      -extfile server.ext -out server.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=admin" -keyout admin.key \
      -out admin.csr 2>/dev/null
    # rustls accepts only X.509 v3 certificates: extensions make `openssl x509` write v3.
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >admin.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
      -extfile admin.ext -out admin.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

write_kubeconfig() {
  local server="$1" pki="$STATE/pki"
  cat >"$STATE/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: rudder-test
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(base64 -w0 <"$pki/admin.crt")
    client-key-data: $(base64 -w0 <"$pki/admin.key")
contexts:
- name: rudder-test
  context:
    cluster: rudder-test
    user: admin
current-context: rudder-test
KC
}

start() {
  local name="$1"
  shift
  "$@" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

cmd_up() {
  if running kube-apiserver; then
    log "already running"
    cmd_env
    return 0
  fi
  cmd_build
  rm -rf "$STATE"
  mkdir -p "$STATE"
  # A failed start leaves nothing running behind.
  CP_STARTED=0
  trap '[ "$CP_STARTED" = 1 ] || cmd_down >/dev/null 2>&1' EXIT
  make_pki
  local etcd_port etcd_peer api_port pki="$STATE/pki"
  etcd_port="$(free_port)"
  etcd_peer="$(free_port)"
  api_port="$(free_port)"

  log "starting etcd on 127.0.0.1:$etcd_port"
  start etcd "$BIN/etcd" --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "default=http://127.0.0.1:$etcd_peer" \
    --unsafe-no-fsync --quota-backend-bytes 4294967296
  local i
  for ((i = 0; i < 120; i++)); do
    curl -fsS "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"' && break
    running etcd || { tail -n 30 "$STATE/etcd.log" >&2; die "etcd exited during start-up"; }
    sleep 0.25
  done

  log "starting kube-apiserver on https://127.0.0.1:$api_port"
  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$STATE/pki" --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" \
    --client-ca-file "$pki/ca.crt" \
    --authorization-mode RBAC --disable-admission-plugins ServiceAccount \
    --service-account-issuer "https://127.0.0.1:$api_port" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true
  wait_ready "https://127.0.0.1:$api_port/readyz" 120 kube-apiserver
  write_kubeconfig "https://127.0.0.1:$api_port"

  log "starting kube-controller-manager"
  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$STATE/kubeconfig" --authentication-kubeconfig "$STATE/kubeconfig" \
    --authorization-kubeconfig "$STATE/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
    --controllers namespace-controller,garbage-collector-controller,serviceaccount-token-controller,serviceaccount-controller \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials=false
  sleep 0.5
  running kube-controller-manager || { tail -n 30 "$STATE/kube-controller-manager.log" >&2; die "kube-controller-manager exited"; }
  CP_STARTED=1
  log "up (logs in $STATE)"
  cmd_env
}

cmd_env() {
  running kube-apiserver || die "no control plane is running (run: hack/control-plane.sh up)"
  echo "KUBECONFIG=$STATE/kubeconfig"
}

# Stops one component by pid: TERM, then KILL if it does not exit within 10 seconds.
stop() {
  local name="$1" pid i
  [ -f "$STATE/$name.pid" ] || return 0
  pid="$(cat "$STATE/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/$name.pid"
}

cmd_down() {
  stop kube-controller-manager
  stop kube-apiserver
  stop etcd
  rm -rf "$STATE"
  log "down"
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  env) cmd_env ;;
  down) cmd_down ;;
  *)
    echo "usage: $0 build|up|env|down" >&2
    exit 2
    ;;
esac
