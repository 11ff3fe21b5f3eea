#!/usr/bin/env bash
# Installs the Debian packages the test suite drives: Chromium for the end-to-end tests,
# Prometheus for the SLI analysis tests, Alertmanager for the alert intake tests, and Debian's kubectl (kubernetes-client) to check the
# sandbox cluster with a client nobody here wrote. Nothing is downloaded from outside the Debian archive (Playwright's own browser
# download cannot work here).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
updated=""
apt_update() {
  if [ -z "$updated" ]; then $sudo apt-get update -qq; updated=1; fi
}
need_apt() {
  if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; }; then
    echo "[test] missing: $1. Install it as root: apt-get install -y --no-install-recommends $1" >&2
    exit 1
  fi
}

if [ ! -x /usr/bin/chromium ]; then
  need_apt chromium
  echo "[test] installing Debian's chromium"
  apt_update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [ ! -x /usr/bin/prometheus ]; then
  need_apt prometheus
  echo "[test] installing Debian's prometheus"
  apt_update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package starts a system-wide service on :9090; the tests run their own on loopback.
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi

if [ ! -x /usr/bin/prometheus-alertmanager ]; then
  need_apt prometheus-alertmanager
  echo "[test] installing Debian's prometheus-alertmanager"
  apt_update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
  # Like prometheus, the package starts a system-wide service (:9093, gossip on :9094); the
  # tests and npm start run their own on loopback.
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true; fi
fi

# jq: the curl recipe for CI pipelines (scripts/ci/greenlight-deploy.sh) is tested as it is written.
if ! command -v jq >/dev/null 2>&1; then
  need_apt jq
  echo "[test] installing Debian's jq"
  apt_update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends jq >/dev/null
fi

if ! dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null | grep -q "install ok installed"; then
  if [ ! -e /usr/bin/kubectl ]; then
    need_apt kubernetes-client
    echo "[test] installing Debian's kubectl (kubernetes-client)"
    apt_update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
  elif [ ! -x .data/tools/kubernetes-client/usr/bin/kubectl ]; then
    # Another package owns /usr/bin/kubectl here; unpack Debian's beside the project instead.
    need_apt kubernetes-client
    echo "[test] unpacking Debian's kubectl into .data/tools (another kubectl owns /usr/bin/kubectl)"
    apt_update
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq kubernetes-client >/dev/null)
    mkdir -p .data/tools/kubernetes-client
    dpkg-deb -x "$tmp"/kubernetes-client_*.deb .data/tools/kubernetes-client
    rm -rf "$tmp"
  fi
fi
