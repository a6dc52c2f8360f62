#!/usr/bin/env bash
# Stops everything test-env/up.sh started for this state directory and checks that no process
# is left. `down.sh --purge` also deletes the state (etcd and MinIO data, certificates, logs);
# the cached binaries stay.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

purge=false
[[ ${1:-} == --purge ]] && purge=true

[[ -d $ENV_DIR ]] || { log "nothing to stop ($ENV_DIR does not exist)"; exit 0; }
mkdir -p "$PIDS"
exec 9>"$ENV_DIR/.lock"
flock 9

# stop <name:pid>...: SIGTERM to all of them, SIGKILL to those still alive after 15 s
stop() {
  local entry pid i alive
  for entry in "$@"; do kill -TERM "${entry##*:}" 2>/dev/null || true; done
  # MLflow's server runs its web workers as children: end its whole process group (setsid)
  for entry in "$@"; do
    [[ ${entry%:*} == mlflow ]] && kill -TERM -- "-${entry##*:}" 2>/dev/null || true
  done
  for ((i = 0; i < 150; i++)); do
    alive=0
    for entry in "$@"; do kill -0 "${entry##*:}" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for entry in "$@"; do
    pid=${entry##*:}
    if kill -0 "$pid" 2>/dev/null; then
      log "${entry%:*} (pid $pid) did not stop on SIGTERM within 15 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    else
      log "stopped ${entry%:*} (pid $pid)"
    fi
  done
}

# the API server's clients first (together), then the API server, then etcd
for group in "mlflow minio kwok kube-scheduler kube-controller-manager" kube-apiserver etcd; do
  entries=()
  for name in $group; do
    if pid=$(component_pid "$name"); then entries+=("$name:$pid"); fi
    rm -f "$PIDS/$name.pid"
  done
  ((${#entries[@]} == 0)) || stop "${entries[@]}"
done

# anything of ours left (a lost pid file, a crashed up.sh)?
for pid in $(env_pids); do
  stop "$(readlink "/proc/$pid/exe" | xargs basename):$pid"
done
sleep 0.2
left=$(env_pids)
if [[ -n $left ]]; then
  ps -o pid,args -p "${left//$'\n'/,}" >&2 || true
  die "processes still running"
fi
rm -f "$ENV_FILE"

if $purge; then
  rm -rf "$ENV_DIR"
  log "purged $ENV_DIR"
fi
log "down: no test-env process left for $ENV_DIR"
