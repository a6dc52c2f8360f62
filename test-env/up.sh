#!/usr/bin/env bash
# Starts, on 127.0.0.1 only, the real services kubetune's integration tests run against:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler (Kubernetes, see versions.env),
#   kwok (fake nodes kept Ready; it plays the kubelet for pods that TestPodRunner does not own)
#   MinIO (S3, one bucket) and an MLflow tracking server (SQLite store).
# The first run builds the binaries with Go (no Docker needed) into
# ${KUBETUNE_CACHE:-~/.cache/kubetune}/bin; later runs start in seconds.
# Idempotent: components already running are left alone. Writes $ENV_FILE (KEY=value lines)
# with the kubeconfig, API URL and S3 settings, and prints its path. Stop with down.sh.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

T0=$SECONDS
mkdir -p "$BIN_ROOT" "$ENV_DIR" "$LOGS" "$PIDS"
chmod 700 "$ENV_DIR"

# One up.sh/down.sh at a time per state directory (test JVMs of parallel builds may call us).
exec 9>"$ENV_DIR/.lock"
flock 9

for tool in curl openssl ss flock setsid; do
  command -v "$tool" >/dev/null || die "'$tool' is missing (Debian: apt-get install curl openssl iproute2 util-linux)"
done

# ---------------------------------------------------------------- binaries (built once, cached)

need_go() {
  command -v go >/dev/null ||
    die "Go >= 1.26 is needed once to build the test binaries: install it from https://go.dev/dl/ (tar -C /usr/local -xzf go1.26.*.linux-amd64.tar.gz; export PATH=\$PATH:/usr/local/go/bin)"
  local v
  v=$(go env GOVERSION)
  v=${v#go}
  if [[ $(go env GOTOOLCHAIN) == local* ]] && [[ $(printf '%s\n' 1.26 "$v" | sort -V | head -1) != 1.26 ]]; then
    die "Go $v is too old (Kubernetes $KUBERNETES_VERSION needs Go >= 1.26): install a newer one from https://go.dev/dl/ or unset GOTOOLCHAIN=local"
  fi
}

# build <dir> <log name> <command...>: runs the build into <dir>.tmp, then renames it to <dir>
build() {
  local dir=$1 name=$2
  shift 2
  [[ -d $dir ]] && return 0
  need_go
  if [[ -z ${announced:-} ]]; then
    log "first run on this machine: building the test binaries with Go (2 cores: ~30 min in all, Kubernetes ~18 min of it); later runs start in seconds"
    announced=1
  fi
  log "building $name -> $dir (log: $LOGS/build-$name.log)"
  local t=$SECONDS
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  if ! (export GOBIN="$dir.tmp" OUT="$dir.tmp"; "$@") >"$LOGS/build-$name.log" 2>&1; then
    tail -n 30 "$LOGS/build-$name.log" >&2
    die "building $name failed; full log: $LOGS/build-$name.log"
  fi
  mv "$dir.tmp" "$dir"
  log "built $name in $((SECONDS - t)) s"
}

kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION"
kube_ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
kube_ldflags+=" -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION")"
kube_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
# shellcheck disable=SC2016
build "$KUBE_BIN" kubernetes sh -c 'cd "$1/go/kubernetes" && go build -trimpath -ldflags "$2" -o "$OUT/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler' \
  _ "$TEST_ENV_SRC" "$kube_ldflags"
# shellcheck disable=SC2016
build "$KUBECTL_BIN" kubectl sh -c 'cd "$1/go/kubernetes" && go build -trimpath -ldflags "$2" -o "$OUT/" k8s.io/kubernetes/cmd/kubectl' \
  _ "$TEST_ENV_SRC" "$kube_ldflags"
# shellcheck disable=SC2016
build "$ETCD_BIN" etcd sh -c 'cd "$1/go/etcd" && go build -trimpath -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3' \
  _ "$TEST_ENV_SRC"
build "$KWOK_BIN" kwok sh -c 'cd / && go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$1"' _ "$KWOK_VERSION"
# helm's go.mod has no replace lines, so `go install` works; the -X sets what `helm version` prints
# shellcheck disable=SC2016
build "$HELM_BIN" helm sh -c 'cd / && go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$1" "helm.sh/helm/v3/cmd/helm@$1"' _ "$HELM_VERSION"
build "$MINIO_BIN" minio sh -c 'cd / && go install -trimpath -ldflags "-s -w" "github.com/minio/minio@$1"' _ "$MINIO_VERSION"

# MLflow is Python: a virtual environment with the pinned mlflow from PyPI, built once, cached.
# Installed in place (venvs are not relocatable); .complete marks a finished install.
if [[ ! -f $MLFLOW_BIN/.complete ]]; then
  command -v python3 >/dev/null || die "python3 (>= 3.10, with venv) is needed once to install MLflow"
  log "installing mlflow $MLFLOW_VERSION -> $MLFLOW_BIN (log: $LOGS/build-mlflow.log)"
  t=$SECONDS
  { python3 -m venv --copies --clear "$MLFLOW_BIN" &&
    "$MLFLOW_BIN/bin/pip" install --disable-pip-version-check "mlflow==$MLFLOW_VERSION"; } \
    >"$LOGS/build-mlflow.log" 2>&1 || {
    tail -n 30 "$LOGS/build-mlflow.log" >&2
    die "installing mlflow failed; full log: $LOGS/build-mlflow.log"
  }
  touch "$MLFLOW_BIN/.complete"
  log "installed mlflow in $((SECONDS - t)) s"
fi

# ---------------------------------------------------------------- certificates and kubeconfigs

sign() { # sign <name> <subject> <extensions> [<ca name>]
  local name=$1 subj=$2 ext=$3 ca=${4:-ca}
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -sha256 -out "$PKI/$name.crt" -extfile <(printf '%b' "$ext") 2>/dev/null
  rm -f "$PKI/$name.csr"
}

new_ca() { # new_ca <name> <common name>
  openssl genrsa -out "$PKI/$1.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/$1.crt" 2>/dev/null
}

write_kubeconfig() { # write_kubeconfig <file> <cert name>
  local file=$1 name=$2
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubetune-test
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$name.crt")
    client-key-data: $(base64 -w0 "$PKI/$name.key")
contexts:
- name: kubetune-test
  context:
    cluster: kubetune-test
    user: $name
    namespace: default
current-context: kubetune-test
EOF
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
}

if [[ ! -f $PKI/done ]]; then
  log "creating certificates in $PKI"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  new_ca ca kubetune-test-ca
  client='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
  sign apiserver "/CN=kube-apiserver" \
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n"
  # system:masters: the test suite's admin; RBAC is real for everyone else (service accounts, our operator)
  sign admin "/O=system:masters/CN=kubetune-admin" "$client"
  sign kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  sign kube-scheduler "/CN=system:kube-scheduler" "$client"
  sign kwok "/O=system:masters/CN=kwok" "$client"
  # service-account token signing key
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  touch "$PKI/done"
fi
if [[ ! -f $PKI/front-proxy-done ]]; then
  # request-header authentication (aggregation layer); without it every component logs
  # "missing content for CA bundle ... requestheader-client-ca-file"
  new_ca front-proxy-ca kubetune-test-front-proxy-ca
  sign front-proxy-client "/CN=front-proxy-client" \
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' front-proxy-ca
  touch "$PKI/front-proxy-done"
fi
write_kubeconfig "$ENV_DIR/kubeconfig" admin
for c in kube-controller-manager kube-scheduler kwok; do write_kubeconfig "$ENV_DIR/$c.kubeconfig" "$c"; done

# ---------------------------------------------------------------- processes

# start <name> <port...> -- <command...>: starts it detached (own session, log file, pid file)
# unless it already runs; the ports must be free.
start() {
  local name=$1 pid
  shift
  local ports=()
  while [[ $1 != -- ]]; do ports+=("$1"); shift; done
  shift
  if pid=$(component_pid "$name"); then
    log "$name already running (pid $pid)"
    return 0
  fi
  for p in "${ports[@]}"; do
    port_in_use "$p" && die "port $p (for $name) is in use by another process: $(ss -Htlnp "sport = :$p" | head -1); free it or set the KUBETUNE_*_PORT variable (see test-env/lib.sh)"
  done
  echo "=== $(date -Is) starting: $*" >>"$LOGS/$name.log"
  # fd 9 (the lock) must not be inherited, or the component would hold the lock forever
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PIDS/$name.pid"
  # until the forked shell has exec'd the binary, component_pid does not recognise it
  local i
  for ((i = 0; i < 100; i++)); do
    component_pid "$name" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  component_pid "$name" >/dev/null || {
    tail -n 30 "$LOGS/$name.log" >&2
    die "$name did not start; log: $LOGS/$name.log"
  }
}

# wait_until <name> <seconds> <command...>
wait_until() {
  local name=$1 timeout=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! component_pid "$name" >/dev/null; then
      tail -n 30 "$LOGS/$name.log" >&2
      die "$name exited; log: $LOGS/$name.log"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$LOGS/$name.log" >&2
      die "$name not ready after $timeout s; log: $LOGS/$name.log"
    fi
    sleep 0.2
  done
}

start etcd "$ETCD_PORT" "$ETCD_PEER_PORT" -- "$ETCD_BIN/etcd" \
  --name=kubetune-test \
  --data-dir="$ENV_DIR/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="kubetune-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync \
  --quota-backend-bytes=$((2 * 1024 * 1024 * 1024)) \
  --log-level=warn
wait_until etcd 30 curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

start kube-apiserver "$APISERVER_PORT" -- "$KUBE_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$APISERVER_PORT" \
  --cert-dir="$ENV_DIR/apiserver" \
  --tls-cert-file="$PKI/apiserver.crt" \
  --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
  --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" \
  --authorization-mode=Node,RBAC \
  --service-cluster-ip-range=10.0.0.0/24 \
  --endpoint-reconciler-type=none \
  --allow-privileged=true \
  --profiling=false \
  --v=1
wait_until kube-apiserver 90 curl_admin -f "https://127.0.0.1:$APISERVER_PORT/readyz"

start kube-controller-manager "$KCM_PORT" -- "$KUBE_BIN/kube-controller-manager" \
  --kubeconfig="$ENV_DIR/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$ENV_DIR/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$ENV_DIR/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$KCM_PORT" \
  --cert-dir="$ENV_DIR/kube-controller-manager" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" \
  --root-ca-file="$PKI/ca.crt" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --profiling=false \
  --v=1

start kube-scheduler "$SCHEDULER_PORT" -- "$KUBE_BIN/kube-scheduler" \
  --kubeconfig="$ENV_DIR/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$ENV_DIR/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$ENV_DIR/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$SCHEDULER_PORT" \
  --leader-elect=false \
  --profiling=false \
  --v=1

# kwok serves nothing (no --server-address / --node-port): it only talks to the API server.
start kwok -- "$KWOK_BIN/kwok" \
  --kubeconfig="$ENV_DIR/kwok.kubeconfig" \
  --config="$TEST_ENV_SRC/kwok.yaml" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 \
  --cidr=10.244.0.0/16

mkdir -p "$ENV_DIR/minio-data"
start minio "$MINIO_PORT" "$MINIO_CONSOLE_PORT" -- env \
  MINIO_ROOT_USER="$S3_ACCESS_KEY" MINIO_ROOT_PASSWORD="$S3_SECRET_KEY" \
  MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off MINIO_REGION="$S3_REGION" \
  "$MINIO_BIN/minio" server --quiet \
  --address "127.0.0.1:$MINIO_PORT" --console-address "127.0.0.1:$MINIO_CONSOLE_PORT" \
  "$ENV_DIR/minio-data"

# one worker; the state dir on the command line lets component_pid and down.sh recognise it
mkdir -p "$ENV_DIR/mlflow"
# (its background job runner, a dozen processes, is not used by training runs)
start mlflow "$MLFLOW_PORT" -- env MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
  "$MLFLOW_BIN/bin/python" -m mlflow server \
  --host 127.0.0.1 --port "$MLFLOW_PORT" --workers 1 \
  --backend-store-uri "sqlite:///$ENV_DIR/mlflow/mlflow.db" \
  --artifacts-destination "$ENV_DIR/mlflow/artifacts"

# fake nodes, managed by kwok (annotation), schedulable, with room for GPU pods
for node in ${FAKE_NODES//,/ }; do
  code=$(curl_admin -o /dev/null -w '%{http_code}' "https://127.0.0.1:$APISERVER_PORT/api/v1/nodes/$node")
  if [[ $code == 404 ]]; then
    res='{"cpu":"32","memory":"256Gi","pods":"110","ephemeral-storage":"1Ti","nvidia.com/gpu":"8"}'
    curl_admin -f -o /dev/null -X POST -H 'Content-Type: application/json' \
      "https://127.0.0.1:$APISERVER_PORT/api/v1/nodes" --data-binary @- <<EOF
{"apiVersion":"v1","kind":"Node",
 "metadata":{"name":"$node",
   "annotations":{"kwok.x-k8s.io/node":"fake","node.alpha.kubernetes.io/ttl":"0"},
   "labels":{"kubernetes.io/hostname":"$node","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64",
             "type":"kwok","kubetune.io/fake-node":"true"}},
 "spec":{},
 "status":{"capacity":$res,"allocatable":$res}}
EOF
    log "created fake node $node"
  elif [[ $code != 200 ]]; then
    die "could not look up node $node (HTTP $code)"
  fi
done

wait_until kube-controller-manager 60 curl -kfsS --max-time 2 "https://127.0.0.1:$KCM_PORT/healthz"
wait_until kube-scheduler 60 curl -kfsS --max-time 2 "https://127.0.0.1:$SCHEDULER_PORT/healthz"
wait_until minio 60 curl -fsS --max-time 2 "http://127.0.0.1:$MINIO_PORT/minio/health/ready"
wait_until mlflow 120 curl -fsS --max-time 2 "http://127.0.0.1:$MLFLOW_PORT/health"

# the test bucket (S3 CreateBucket, signed with SigV4 by curl)
s3() { curl -sS --max-time 10 --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$@"; }
code=$(s3 -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$MINIO_PORT/$S3_BUCKET")
if [[ $code == 404 ]]; then
  s3 -f -o /dev/null -X PUT "http://127.0.0.1:$MINIO_PORT/$S3_BUCKET"
  log "created bucket $S3_BUCKET"
elif [[ $code != 200 ]]; then
  die "could not look up bucket $S3_BUCKET (HTTP $code)"
fi

# nodes Ready (kwok's node-initialize stage) before tests schedule pods
node_ready() {
  curl_admin -f "https://127.0.0.1:$APISERVER_PORT/api/v1/nodes/$1" |
    tr -d ' \n' | grep -q '"type":"Ready","status":"True"'
}
for node in ${FAKE_NODES//,/ }; do wait_until kwok 60 node_ready "$node"; done

cat >"$ENV_FILE.tmp" <<EOF
# written by test-env/up.sh; read by io.kubetune.testing.TestEnvironment (and sourceable by sh)
KUBECONFIG=$ENV_DIR/kubeconfig
KUBETUNE_API_URL=https://127.0.0.1:$APISERVER_PORT
KUBETUNE_KUBERNETES_VERSION=$KUBERNETES_VERSION
KUBETUNE_S3_ENDPOINT=http://127.0.0.1:$MINIO_PORT
KUBETUNE_S3_ACCESS_KEY=$S3_ACCESS_KEY
KUBETUNE_S3_SECRET_KEY=$S3_SECRET_KEY
KUBETUNE_S3_BUCKET=$S3_BUCKET
KUBETUNE_S3_REGION=$S3_REGION
KUBETUNE_FAKE_NODES=$FAKE_NODES
KUBETUNE_MLFLOW_URI=http://127.0.0.1:$MLFLOW_PORT
KUBETUNE_TEST_ENV_DIR=$ENV_DIR
KUBECTL=$KUBECTL_BIN/kubectl
HELM=$HELM_BIN/helm
EOF
mv "$ENV_FILE.tmp" "$ENV_FILE"

log "up in $((SECONDS - T0)) s: Kubernetes $KUBERNETES_VERSION at https://127.0.0.1:$APISERVER_PORT, MinIO at http://127.0.0.1:$MINIO_PORT (bucket $S3_BUCKET), MLflow at http://127.0.0.1:$MLFLOW_PORT"
log "logs: $LOGS   stop: $TEST_ENV_SRC/down.sh"
log "env file: $ENV_FILE   (export KUBECONFIG=$ENV_DIR/kubeconfig)"
echo "$ENV_FILE"
