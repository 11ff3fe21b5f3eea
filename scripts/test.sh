#!/usr/bin/env bash
# `npm test` on a clean clone: install the npm packages (a no-op when up to date), then run the
# suite (scripts/test.ts installs the Debian packages it drives and starts what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm install`, not `npm ci`: the registry here lacks some other platforms' optional binaries
# (e.g. @next/swc-darwin-arm64), so they are not in the lockfile and `npm ci` refuses it. With the
# committed lockfile `npm install` installs exactly the locked versions.
npm install --no-audit --no-fund --loglevel=error
export PATH="$PWD/node_modules/.bin:$PATH"
exec tsx scripts/test.ts "$@"
