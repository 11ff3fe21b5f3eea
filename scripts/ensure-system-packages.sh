#!/usr/bin/env bash
# Installs the Debian packages the test suite drives: Chromium for the end-to-end tests.
# Nothing is downloaded from outside the Debian archive (Playwright's own browser download
# cannot work here).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[test] missing: ${missing[*]}, and this machine has no apt-get. Install them, then run npm test again." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "[test] missing: ${missing[*]}. Install them as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

echo "[test] installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
