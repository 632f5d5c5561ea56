#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian's `kubernetes` source package
# (v1.20.2, every dependency vendored) for the real-API-server test tier, and caches them.
# Recipe and its one pitfall: DESIGN.md §5. Idempotent: does nothing when the binaries exist.
#
# Usage: build-kube.sh [cache-dir]   (default ~/.cache/shardless/kubernetes-1.20.2)
# Prints the bin directory on its last line. Needs root (or password-less sudo) for apt-get.
set -euo pipefail

CACHE="${1:-${HOME}/.cache/shardless/kubernetes-1.20.2}"
BIN="${CACHE}/bin"
built() { [[ -x "${BIN}/kube-apiserver" && -x "${BIN}/kube-controller-manager" ]]; }
if built; then
  echo "${BIN}"
  exit 0
fi
# Test JVMs of several modules may ask at once: one builds, the others wait and then find the
# binaries.
mkdir -p "${CACHE}"
exec 9>"${CACHE}/.lock"
flock 9
if built; then
  echo "${BIN}"
  exit 0
fi

SUDO=()
if [[ "$(id -u)" != 0 ]]; then SUDO=(sudo -n); fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# golang-go builds it; rsync and make drive Kubernetes' build; dpkg-dev unpacks the source
# package; reflect2 1.0.2 replaces the vendored 1.0.1 that crashes under Go 1.19; etcd-server is
# the API server's store at test time.
"${SUDO[@]}" apt-get install -y -qq golang-go rsync make dpkg-dev \
  golang-github-modern-go-reflect2-dev etcd-server >/dev/null

WORK="${CACHE}/work"
rm -rf "${WORK}"
mkdir -p "${WORK}/apt/lists/partial" "${WORK}/src"
# These machines have no deb-src lines: give apt a private source list and state directory.
echo "deb-src http://deb.debian.org/debian bookworm main" > "${WORK}/apt/sources.list"
APT_OPTS=(-o "Dir::Etc::SourceList=${WORK}/apt/sources.list" -o "Dir::Etc::SourceParts=-"
  -o "Dir::State::Lists=${WORK}/apt/lists")
apt-get "${APT_OPTS[@]}" update -qq
(cd "${WORK}/src" && apt-get "${APT_OPTS[@]}" source --download-only kubernetes >/dev/null)
DSC="$(ls "${WORK}"/src/kubernetes_*.dsc | head -1)"
(cd "${WORK}/src" && dpkg-source --no-check -x "${DSC}" kubernetes >/dev/null)
SRC="${WORK}/src/kubernetes"

# The pitfall: vendored modern-go/reflect2 1.0.1 crashes under Go 1.19 on the first
# custom-resource request.
rm -rf "${SRC}/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "${SRC}/vendor/github.com/modern-go/reflect2"

# GOPATH mode: k8s.io/kubernetes linked into a private GOPATH.
GOPATH_DIR="${WORK}/gopath"
mkdir -p "${GOPATH_DIR}/src/k8s.io"
ln -sfn "${SRC}" "${GOPATH_DIR}/src/k8s.io/kubernetes"
cd "${GOPATH_DIR}/src/k8s.io/kubernetes"
GOPATH="${GOPATH_DIR}" GO111MODULE=off CGO_ENABLED=0 GOPROXY=off GOFLAGS= \
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >"${CACHE}/build.log" 2>&1 \
  || { tail -40 "${CACHE}/build.log" >&2; exit 1; }

# Published in one rename, so a reader that does not take the lock never sees half a binary.
rm -rf "${BIN}.tmp" "${BIN}"
mkdir -p "${BIN}.tmp"
for b in kube-apiserver kube-controller-manager; do
  cp "$(find "${SRC}/_output" -type f -name "${b}" -perm -u+x | head -1)" "${BIN}.tmp/${b}"
done
mv "${BIN}.tmp" "${BIN}"
rm -rf "${WORK}"
echo "${BIN}"
