# Shared by up.sh and down.sh (sourced, not run). Everything is overridable from the environment.
# shellcheck shell=bash

TEST_ENV_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$TEST_ENV_SRC/versions.env"

KUBETUNE_CACHE=${KUBETUNE_CACHE:-$HOME/.cache/kubetune}
# binaries, keyed by version: a second run (or a fresh clone on the same machine) builds nothing
BIN_ROOT=$KUBETUNE_CACHE/bin
# state of one running environment: certificates, kubeconfigs, etcd and MinIO data, logs, pids
ENV_DIR=${KUBETUNE_TEST_ENV_DIR:-$KUBETUNE_CACHE/env}
PKI=$ENV_DIR/pki
LOGS=$ENV_DIR/logs
PIDS=$ENV_DIR/pids
ENV_FILE=$ENV_DIR/test-env.env

# Fixed loopback ports below the Linux ephemeral range (32768+), each overridable.
ETCD_PORT=${KUBETUNE_ETCD_PORT:-12379}
ETCD_PEER_PORT=${KUBETUNE_ETCD_PEER_PORT:-12380}
APISERVER_PORT=${KUBETUNE_APISERVER_PORT:-16443}
KCM_PORT=${KUBETUNE_KCM_PORT:-10357}
SCHEDULER_PORT=${KUBETUNE_SCHEDULER_PORT:-10359}
MINIO_PORT=${KUBETUNE_MINIO_PORT:-19000}
MINIO_CONSOLE_PORT=${KUBETUNE_MINIO_CONSOLE_PORT:-19001}
MLFLOW_PORT=${KUBETUNE_MLFLOW_PORT:-15000}

S3_ACCESS_KEY=${KUBETUNE_S3_ACCESS_KEY:-kubetune}
S3_SECRET_KEY=${KUBETUNE_S3_SECRET_KEY:-kubetune-test-secret}
S3_BUCKET=${KUBETUNE_S3_BUCKET:-kubetune-test}
S3_REGION=us-east-1
FAKE_NODES=${KUBETUNE_FAKE_NODES:-kwok-node-0,kwok-node-1}

KUBE_BIN=$BIN_ROOT/kubernetes-$KUBERNETES_VERSION
# kubectl has its own directory so that adding it did not invalidate cached kubernetes-* builds
KUBECTL_BIN=$BIN_ROOT/kubectl-$KUBERNETES_VERSION
HELM_BIN=$BIN_ROOT/helm-$HELM_VERSION
ETCD_BIN=$BIN_ROOT/etcd-$ETCD_VERSION
KWOK_BIN=$BIN_ROOT/kwok-$KWOK_VERSION
MINIO_BIN=$BIN_ROOT/minio-$MINIO_VERSION
# a virtual environment, not a Go build: its python is a copy (--copies) so component_pid knows it
MLFLOW_BIN=$BIN_ROOT/mlflow-$MLFLOW_VERSION


log() { printf '[test-env %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# pid of a component we started, if it is still that process
component_pid() {
  local name=$1 pid
  [[ -f $PIDS/$name.pid ]] || return 1
  pid=$(<"$PIDS/$name.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # the pid must still run one of our binaries with our state directory (pids are reused)
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$BIN_ROOT"/* ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$ENV_DIR/" || return 1
  echo "$pid"
}

# pids of any process running one of our cached binaries with this environment's state
# directory on its command line (catches a component whose pid file was lost)
env_pids() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    [[ $exe == "$BIN_ROOT"/* ]] || continue
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$ENV_DIR/" && echo "${p#/proc/}"
  done
  return 0
}

port_in_use() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

curl_admin() {
  curl -sS --max-time 10 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"
}
