#!/usr/bin/env bash
# Builds (and optionally pushes) a dify-web image that serves under a sub-path.
# The official langgenius/dify-web image has its base path compiled in as "" (root only):
# Next.js reads NEXT_PUBLIC_BASE_PATH at build time, so a sub-path needs its own image.
#
#   scripts/build-web-image.sh --base-path /dify --image registry.example.local/dify/dify-web:1.11.4-dify \
#       [--version 1.11.4] [--source DIR] [--tool docker|podman|buildah] [--push] [--dry-run]
#
# --source: a checkout of the Dify repository at the release tag (air-gapped build hosts);
#           without it the tag is cloned from the upstream repository.
# The build needs about 4 GB of memory for Node (next build); run it on a build host, not on
# the cluster. The context is the web/ folder of the release tag, as upstream builds it.
set -euo pipefail

version=1.11.4 base_path="" image="" source="" tool="" push=no dry=no
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "build-web-image: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --version) version=${2:?}; shift ;;
    --base-path) base_path=${2:?}; shift ;;
    --image) image=${2:?}; shift ;;
    --source) source=${2:?}; shift ;;
    --tool) tool=${2:?}; shift ;;
    --push) push=yes ;;
    --dry-run) dry=yes ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

[ -n "$base_path" ] || die "--base-path is required (e.g. /dify, the same as dify:path)"
[[ $base_path == /* ]] || die "--base-path must start with / (got $base_path)"
[[ $base_path != */ ]] || die "--base-path must not end with / (got $base_path)"
[[ $base_path =~ ^/[A-Za-z0-9._~/-]+$ ]] || die "--base-path may contain only letters, digits and . _ ~ - /"
[ -n "$image" ] || die "--image is required (repository:tag, e.g. registry.example.local/dify/dify-web:$version-${base_path//\//})"
[[ $image =~ :[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || die "--image needs an explicit tag (got $image)"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--version must be a Dify release such as 1.11.4 (got $version)"

if [ -z "$tool" ]; then
  for t in docker podman buildah; do
    if command -v "$t" >/dev/null 2>&1; then tool=$t; break; fi
  done
  [ -n "$tool" ] || { [ "$dry" = yes ] && tool=docker; } || die "no docker, podman or buildah found; install one or pass --tool"
fi
case $tool in docker|podman|buildah) ;; *) die "--tool must be docker, podman or buildah" ;; esac

run() {
  printf '+'; printf ' %q' "$@"; printf '\n'
  [ "$dry" = yes ] || "$@"
}

if [ -z "$source" ]; then
  if [ "$dry" = yes ]; then source=$(mktemp -d -u)/dify; else source=$(mktemp -d)/dify; fi
  run git clone --depth 1 --branch "$version" https://github.com/langgenius/dify.git "$source"
fi
[ "$dry" = yes ] || [ -f "$source/web/Dockerfile" ] || die "$source/web/Dockerfile not found: --source must be a Dify checkout at tag $version"

if [ "$tool" = buildah ]; then
  run buildah bud --build-arg "NEXT_PUBLIC_BASE_PATH=$base_path" --tag "$image" --file "$source/web/Dockerfile" "$source/web"
  [ "$push" = no ] || run buildah push "$image"
else
  run "$tool" build --build-arg "NEXT_PUBLIC_BASE_PATH=$base_path" --tag "$image" --file "$source/web/Dockerfile" "$source/web"
  [ "$push" = no ] || run "$tool" push "$image"
fi
echo "Use it with the chart: --set expose.path=$base_path --set images.web.repository=${image%:*} --set images.web.tag=${image##*:} --set images.web.basePath=$base_path"
echo "or in the stack: pulumi config set dify:webImage $image  (dify:path $base_path)"
