#!/usr/bin/env bash
# Greenlight from a CI job with only curl and jq: create a release, wait for its gate, deploy it,
# wait for the run, and fail the job if anything fails or is refused.
#
#   GREENLIGHT_URL=https://greenlight.example.com GREENLIGHT_TOKEN=glt_… \
#     scripts/ci/greenlight-deploy.sh checkout staging ghcr.io/acme/checkout:1.4.2 "$GITHUB_SHA"
#
# The token needs dashboard:read, release:create and release:deploy. GATE_TIMEOUT and
# RUN_TIMEOUT (seconds, default 3600 and 1800) bound the waits; POLL_INTERVAL (default 10) is the
# time between reads. Exit codes: 0 deployed, 1 failed or refused, 2 bad usage, 3 a wait ran out.
set -euo pipefail

usage() { echo "usage: $0 SERVICE ENVIRONMENT IMAGE [COMMIT]" >&2; exit 2; }
[ $# -ge 3 ] && [ $# -le 4 ] || usage
: "${GREENLIGHT_URL:?Set GREENLIGHT_URL to the address of Greenlight.}"
: "${GREENLIGHT_TOKEN:?Set GREENLIGHT_TOKEN to an API token.}"
service=$1 environment=$2 image=$3 commit=${4:-}
gate_timeout=${GATE_TIMEOUT:-3600} run_timeout=${RUN_TIMEOUT:-1800} interval=${POLL_INTERVAL:-10}
base=${GREENLIGHT_URL%/}

# One API call; on a refusal, prints the problem's sentence (RFC 9457 `detail`) and fails the job.
api() {
  local out status
  out=$(mktemp)
  status=$(curl -sS -o "$out" -w '%{http_code}' -H "Authorization: Bearer $GREENLIGHT_TOKEN" \
    -H 'Content-Type: application/json' "$@") || { rm -f "$out"; echo "greenlight: cannot reach $base" >&2; exit 1; }
  if [ "$status" -ge 400 ]; then
    echo "greenlight: HTTP $status: $(jq -r '.detail // .title // "no detail"' "$out" 2>/dev/null || cat "$out")" >&2
    jq -r '.errors // {} | to_entries[] | "  \(.key): \(.value | join(" "))"' "$out" 2>/dev/null >&2 || true
    rm -f "$out"
    exit 1
  fi
  cat "$out"
  rm -f "$out"
}

body=$(jq -n --arg s "$service" --arg e "$environment" --arg i "$image" --arg c "$commit" \
  '{service: $s, environment: $e, imageRef: $i} + (if $c == "" then {changeSummary: "Deploy \($i) from CI"} else {commitSha: $c} end)')
release=$(api -X POST --data "$body" "$base/api/v1/releases" | jq -r .id)
echo "greenlight: release $release created" >&2

deadline=$((SECONDS + gate_timeout))
while :; do
  gate=$(api "$base/api/v1/releases/$release/gate")
  [ "$(jq -r .green <<<"$gate")" = true ] && break
  if [ $SECONDS -ge $deadline ]; then
    echo "greenlight: the gate is still not green after ${gate_timeout} s; missing:" >&2
    jq -r '.unmet[] | "  - \(.message)"' <<<"$gate" >&2
    exit 3
  fi
  sleep "$interval"
done
echo "greenlight: the gate is green" >&2

run=$(api -X POST "$base/api/v1/releases/$release/deploy" | jq -r .id)
echo "greenlight: run $run started" >&2
deadline=$((SECONDS + run_timeout)) last=""
while :; do
  status=$(api "$base/api/v1/runs/$run" | jq -r .status)
  [ "$status" != "$last" ] && echo "greenlight: run $run: $status" >&2 && last=$status
  case $status in
    SUCCEEDED) echo "$run"; exit 0 ;;
    FAILED | ABORTED | ROLLED_BACK) exit 1 ;;
  esac
  if [ $SECONDS -ge $deadline ]; then
    echo "greenlight: run $run is still $status after ${run_timeout} s" >&2
    exit 3
  fi
  sleep "$interval"
done
