#!/usr/bin/env bash
# Builds the offline toolchain from the pinned Go modules in tools/ into an ignored cache:
#   ${DIFY_NKP_CACHE:-$HOME/.cache/dify-nkp}/bin
# A tool is skipped when its binary already reports the pinned version (or, for binaries
# without a version command, when its stamp matches the module files).
#   bash scripts/tools.sh [tool...]     build all (or the named) tools
#   bash scripts/tools.sh env           print the PATH export for a shell (alias: --print-path)
# Build logs: <cache>/logs/build-<tool>.log. GOMODCACHE/GOCACHE stay at Go's defaults.
set -euo pipefail

# shellcheck source=scripts/lib/paths.sh
. "$(dirname "$0")/lib/paths.sh"
logs=$cache/logs
mkdir -p "$bin" "$logs"

K8S=v1.34.4
HELM3=v3.22.0
HELM4=v4.3.1
ETCD=3.6.16
KWOK=v0.8.0
TRAEFIK=3.6.12
PULUMI=v3.259.0
# The Node.js language host: the last sdk/v3 release that contains it (later ones moved it to
# a module the proxy does not serve). It only starts node on the project's own @pulumi/pulumi.
LANGHOST=v3.68.0
PK8S=4.25.0
PRANDOM=4.21.1
WEAVIATE=v1.27.0
ALL=(helm helm4 kube etcd kwok traefik pulumi pulumi-language-nodejs pulumi-resource-kubernetes pulumi-resource-random weaviate)

if [ "${1:-}" = env ] || [ "${1:-}" = --print-path ]; then
  echo "export PATH=\"$bin:\$PATH\""
  exit 0
fi

export CGO_ENABLED=0 GOFLAGS=-mod=readonly

# stamp TOOL@VERSION FILES... -> a hash of the pinned version and the files that define the build
stamp() {
  local tool=$1; shift
  { echo "$tool"; cat "$@"; } | sha256sum | cut -c1-32
}
pk8s_stamp() { stamp "pulumi-resource-kubernetes@$PK8S" "$repo"/tools/pulumi-kubernetes/go.{mod,sum}; }
langhost_stamp() { stamp "pulumi-language-nodejs@$LANGHOST" "$repo"/tools/pulumi-language-nodejs/go.{mod,sum}; }
weaviate_stamp() { stamp "weaviate@$WEAVIATE" "$repo"/tools/weaviate/go.{mod,sum}; }
random_stamp() { stamp "pulumi-resource-random@$PRANDOM" "$repo"/tools/random-provider/go.{mod,sum} "$repo"/tools/random-provider/*.go; }

# says PATTERN CMD... -> 0 when CMD's output contains PATTERN (output captured whole: no SIGPIPE)
says() {
  local pattern=$1 out; shift
  out=$("$@" 2>/dev/null) || true
  [[ $out == *"$pattern"* ]]
}

# current TOOL -> 0 when the built binary is at the pinned version
current() {
  case $1 in
    helm) says "$HELM3" "$bin/helm" version --short ;;
    helm4) says "$HELM4" "$bin/helm4" version --short ;;
    kube)
      for b in kube-apiserver kube-controller-manager kube-scheduler; do
        says "Kubernetes $K8S" "$bin/$b" --version || return 1
      done
      says "Client Version: $K8S" "$bin/kubectl" version --client ;;
    etcd) says "etcd Version: $ETCD" "$bin/etcd" --version ;;
    kwok) says "kwok version $KWOK" "$bin/kwok" --version ;;
    traefik) says "$TRAEFIK" "$bin/traefik" version ;;
    pulumi) [ "$("$bin/pulumi" version 2>/dev/null)" = "$PULUMI" ] ;;
    pulumi-language-nodejs)
      [ -x "$bin/$1" ] && [ "$(cat "$bin/.stamp-$1" 2>/dev/null)" = "$(langhost_stamp)" ] ;;
    pulumi-resource-kubernetes)
      [ -x "$bin/$1" ] && [ "$(cat "$bin/.stamp-$1" 2>/dev/null)" = "$(pk8s_stamp)" ] ;;
    pulumi-resource-random)
      [ -x "$bin/$1" ] && [ "$(cat "$bin/.stamp-$1" 2>/dev/null)" = "$(random_stamp)" ] ;;
    # No version flag: the module version recorded in the binary, and the stamp of go.mod/go.sum.
    weaviate)
      [ -x "$bin/$1" ] && [ "$(cat "$bin/.stamp-$1" 2>/dev/null)" = "$(weaviate_stamp)" ] &&
        says "github.com/weaviate/weaviate	$WEAVIATE" go version -m "$bin/$1" ;;
  esac
}

build() {
  local gobuild=(go build -trimpath -ldflags)
  case $1 in
    helm)
      cd "$repo/tools/helm3"
      "${gobuild[@]}" "-s -w -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=34 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=34 -X helm.sh/helm/v3/internal/version.version=$HELM3" \
        -o "$bin/helm" helm.sh/helm/v3/cmd/helm ;;
    helm4)
      cd "$repo/tools/helm4"
      "${gobuild[@]}" "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM4" -o "$bin/helm4" helm.sh/helm/v4/cmd/helm ;;
    kube)
      cd "$repo/tools/kube"
      go build -trimpath -pgo=off -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34 -X k8s.io/client-go/pkg/version.gitVersion=$K8S -X k8s.io/component-base/version.gitTreeState=clean" \
        -o "$bin/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl ;;
    etcd)
      cd "$repo/tools/etcd"
      "${gobuild[@]}" "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3 ;;
    kwok)
      cd "$repo/tools/kwok"
      "${gobuild[@]}" "-s -w" -o "$bin/kwok" sigs.k8s.io/kwok/cmd/kwok ;;
    traefik)
      cd "$repo/tools/traefik"
      "${gobuild[@]}" "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK" -o "$bin/traefik" github.com/traefik/traefik/v3/cmd/traefik ;;
    pulumi)
      cd "$repo/tools/pulumi"
      go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI" \
        -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ;;
    pulumi-language-nodejs)
      # No version flag: the stamp of the tools module tells a current build (the CLI finds
      # the host next to its own binary, as in a normal Pulumi install).
      cd "$repo/tools/pulumi-language-nodejs"
      "${gobuild[@]}" "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST" \
        -o "$bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
      langhost_stamp >"$bin/.stamp-$1" ;;
    pulumi-resource-kubernetes)
      # main.go embeds generated files that the module zip lacks. Write them like the
      # upstream generate.go does (schema.json with the version set, both compacted), with
      # node instead of `go run generate.go` (which compiles pulumi's codegen: ~45s cold).
      # The copy is built with the tools module's go.mod/go.sum as the main module.
      local src work=$cache/build/pulumi-kubernetes
      cd "$repo/tools/pulumi-kubernetes"
      go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
      src=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes
      rm -rf "$work" && mkdir -p "$work"
      cp go.mod go.sum "$src/main.go" "$work/" && chmod -R u+w "$work"
      node -e '
        const fs = require("fs"), path = require("path"), [src, out, version] = process.argv.slice(1);
        const read = (f) => JSON.parse(fs.readFileSync(path.join(src, f)));
        const schema = read("schema.json");
        schema.version = version;
        fs.writeFileSync(path.join(out, "schema-embed.json"), JSON.stringify(schema));
        fs.writeFileSync(path.join(out, "terraform-mapping-embed.json"), JSON.stringify(read("terraform-mapping.json")));
      ' "$src" "$work" "$PK8S"
      cd "$work"
      "${gobuild[@]}" "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PK8S" -o "$bin/pulumi-resource-kubernetes" .
      pk8s_stamp >"$bin/.stamp-$1" ;;
    pulumi-resource-random)
      cd "$repo/tools/random-provider"
      "${gobuild[@]}" "-s -w -X main.version=$PRANDOM" -o "$bin/pulumi-resource-random" .
      random_stamp >"$bin/.stamp-$1" ;;
    weaviate)
      # The server of the semitechnologies/weaviate image (its /bin/weaviate), for test/real.
      cd "$repo/tools/weaviate"
      "${gobuild[@]}" "-s -w" -o "$bin/weaviate" github.com/weaviate/weaviate/cmd/weaviate-server
      weaviate_stamp >"$bin/.stamp-$1" ;;
  esac
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=("${ALL[@]}")
for t in "${tools[@]}"; do
  [[ " ${ALL[*]} " == *" $t "* ]] || { echo "tools: unknown tool '$t' (known: ${ALL[*]})" >&2; exit 2; }
done
command -v go >/dev/null || { echo "tools: go (1.26+) is not on PATH" >&2; exit 1; }

# One build at a time per cache (parallel callers wait instead of clobbering each other).
exec 9>"$cache/.tools.lock"
if command -v flock >/dev/null; then flock 9; fi

start=$SECONDS
for t in "${tools[@]}"; do
  if [ "$t" = pulumi-resource-random ] && [ ! -f "$repo/tools/random-provider/go.mod" ]; then
    echo "tools: skipping $t (tools/random-provider is missing)"
    continue
  fi
  if current "$t"; then
    echo "tools: $t is current"
    continue
  fi
  if [ "$t" = pulumi-resource-kubernetes ] && ! command -v node >/dev/null; then
    echo "tools: node is needed to build $t" >&2
    exit 1
  fi
  t0=$SECONDS
  echo "tools: building $t (log: $logs/build-$t.log)"
  # In the background so that set -e applies inside build (it is off in an `if` condition).
  (build "$t") >"$logs/build-$t.log" 2>&1 &
  if ! wait $!; then
    tail -n 30 "$logs/build-$t.log" >&2
    echo "tools: building $t failed; full log: $logs/build-$t.log" >&2
    exit 1
  fi
  if ! current "$t"; then
    echo "tools: $t was built but does not report the pinned version; see $logs/build-$t.log" >&2
    exit 1
  fi
  echo "tools: built $t in $((SECONDS - t0))s"
done
echo "tools: ready in $((SECONDS - start))s; binaries in $bin"
