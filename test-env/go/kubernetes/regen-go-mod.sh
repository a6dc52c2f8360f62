#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this wrapper module for the Kubernetes version in ../../versions.env.
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces its staging modules with
# ./staging/... paths. This module requires k8s.io/kubernetes and replaces each staging module
# that k8s.io/kubernetes requires with its published v0.Y.Z.
set -euo pipefail
cd "$(dirname "$0")"
. ../../versions.env
minor_patch="0.${KUBERNETES_VERSION#v1.}"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
rm -f go.mod go.sum
go mod init kubetune.io/test-env/kubernetes >/dev/null 2>&1
go mod edit -go=1.26.0  # k8s.io/kubernetes declares go 1.26.0: any Go 1.26.x builds it
mod=$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
for m in $(awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}' "$mod"); do
  # only modules k8s.io/kubernetes requires (k8s.io/sample-cli-plugin is not published for every release)
  if grep -qE "^[[:space:]]+${m//./\\.} v0\.0\.0$" "$mod"; then
    go mod edit -replace "${m}=${m}@v${minor_patch}"
  fi
done
go mod edit -require "k8s.io/kubernetes@${KUBERNETES_VERSION}"
go get -tool k8s.io/kubernetes/cmd/kube-apiserver@"${KUBERNETES_VERSION}" \
  k8s.io/kubernetes/cmd/kube-controller-manager@"${KUBERNETES_VERSION}" \
  k8s.io/kubernetes/cmd/kube-scheduler@"${KUBERNETES_VERSION}" \
  k8s.io/kubernetes/cmd/kubectl@"${KUBERNETES_VERSION}"
go mod tidy
