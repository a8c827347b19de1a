#!/usr/bin/env bash
# npm run e2e: installs the tools (cached outside the clone), then runs every program through the real engine
# against a real kube-apiserver, Consul and Envoy on loopback, and writes e2e/RESULTS.md. Whatever it started is
# stopped by PID when it ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
shared="${SHARED_DIR:-$root/../shared}"
cache="${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-canary-e2e}"
export E2E_CACHE="$cache"

bin="$(bash e2e/install.sh | tail -n 1)"
pid_file="$(mktemp)"
export E2E_PID_FILE="$pid_file"
cleanup() {
  if [ -s "$pid_file" ]; then
    while read -r pid _; do
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done <"$pid_file"
  fi
  rm -f "$pid_file"
}
trap cleanup EXIT INT TERM

crds=(--crds "$root/test/fixtures/crds/gloo" --crds "$root/test/fixtures/crds/gateway-api")
[ -d "$root/test/fixtures/crds/gloo" ] || crds=(--crds "$shared/reference/gloo-crds" --crds "$shared/reference/gateway-api-crds")

PATH="$bin:$PATH" node --import tsx e2e/main.ts --bin "$bin" "${crds[@]}" \
  --install-times "$cache/install-times.tsv" "$@"
