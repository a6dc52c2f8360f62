#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this wrapper module for the etcd version in ../../versions.env.
# go.etcd.io/etcd/server/v3 (whose root package is the etcd main) replaces its sibling modules
# with ../ paths, so `go install` refuses it; as a dependency of this module it builds.
set -euo pipefail
cd "$(dirname "$0")"
. ../../versions.env
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
rm -f go.mod go.sum
go mod init kubetune.io/test-env/etcd >/dev/null 2>&1
go mod edit -go=1.26.0
go get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
go mod tidy
