#!/usr/bin/env bash
# Builds (and optionally pushes) a dify-web image that serves under a sub-path.
# The official langgenius/dify-web image has its base path compiled in as "" (root only):
# Next.js reads NEXT_PUBLIC_BASE_PATH at build time, so a sub-path needs its own image.
#
#   scripts/build-web-image.sh --base-path /dify --image registry.example.local/dify/dify-web:1.11.4-dify \
#       [--version 1.11.4] [--source DIR] [--tool docker|podman|buildah] [--push] [--dry-run]
#       [--npm-registry URL] [--node-image REF] [--alpine-mirror URL] [--google-fonts]
#       [--print-dockerfile]
#
# --source DIR        a checkout of the Dify repository at the release tag; without it the tag
#                     is cloned from github.com.
# --npm-registry URL  npm registry (mirror) for pnpm (via corepack), the web's packages, pm2 and
#                     the font package; default: the registry the build image's npm uses.
# --node-image REF    base image instead of the Dockerfile's own (node:24-alpine from Docker Hub).
# --alpine-mirror URL Alpine repository mirror for the Dockerfile's `apk add tzdata`.
# --google-fonts      fetch the web's Google font from fonts.googleapis.com as upstream does;
#                     default: from the npm package in $font_packages (no Google access needed).
# --print-dockerfile  print the Dockerfile the build would use and exit.
# The build needs about 4 GB of memory for Node (next build); run it on a build host, not on
# the cluster. The context is the web/ folder of the release tag, as upstream builds it; a copy
# of it when the Dockerfile is adapted (mirrors, fonts), so the checkout is never modified.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=1.11.4 base_path="" image="" source="" tool="" push=no dry=no
npm_registry="" node_image="" alpine_mirror="" google_fonts=no print_dockerfile=no
# The web's next/font/google families, per Dify version, as npm packages with the same font
# files (fontsource; version pinned). 1.11.4: web/app/layout.tsx uses Instrument_Serif only.
declare -A font_packages=(["1.11.4"]="@fontsource/instrument-serif@5.3.0")
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "build-web-image: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --version) version=${2:?}; shift ;;
    --base-path) base_path=${2:?}; shift ;;
    --image) image=${2:?}; shift ;;
    --source) source=${2:?}; shift ;;
    --tool) tool=${2:?}; shift ;;
    --npm-registry) npm_registry=${2:?}; shift ;;
    --node-image) node_image=${2:?}; shift ;;
    --alpine-mirror) alpine_mirror=${2:?}; shift ;;
    --google-fonts) google_fonts=yes ;;
    --print-dockerfile) print_dockerfile=yes ;;
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
# URLs end up in Dockerfile lines (ENV, a sed expression): no whitespace, quotes, # & or \.
url_re='^https?://[A-Za-z0-9._~:/?=%@+,;!$*()[-]+$'
[ -z "$npm_registry" ] || [[ $npm_registry =~ $url_re ]] \
  || die "--npm-registry must be an http(s) URL, e.g. https://npm.example.local/ (got $npm_registry)"
[ -z "$alpine_mirror" ] || [[ $alpine_mirror =~ $url_re ]] \
  || die "--alpine-mirror must be an http(s) URL, e.g. https://mirror.example.local/alpine (got $alpine_mirror)"
[ -z "$node_image" ] || [[ $node_image =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]] \
  || die "--node-image must be an image reference (got $node_image)"
fonts=""
if [ "$google_fonts" = no ]; then
  fonts=${font_packages[$version]:-}
  [ -n "$fonts" ] || die "no font package known for Dify $version: pass --google-fonts (the build host then" \
    "needs fonts.googleapis.com and fonts.gstatic.com), or add its next/font/google families to font_packages in $0"
fi

if [ -z "$tool" ]; then
  for t in docker podman buildah; do
    if command -v "$t" >/dev/null 2>&1; then tool=$t; break; fi
  done
  if [ -z "$tool" ]; then
    [ "$dry" = yes ] || [ "$print_dockerfile" = yes ] \
      || die "no docker, podman or buildah found; install one or pass --tool"
    tool=docker
  fi
fi
case $tool in docker|podman|buildah) ;; *) die "--tool must be docker, podman or buildah" ;; esac

run() {
  printf '+'; printf ' %q' "$@"; printf '\n'
  [ "$dry" = yes ] || "$@"
}

# The upstream Dockerfile with this build's adaptations, on stdout. Each insertion is anchored on
# a line of upstream's web/Dockerfile; a missing anchor stops the build instead of building
# something else than asked.
adapt_dockerfile() {
  local dockerfile=$1 pkg
  grep -Eq '^FROM [^ ]+ AS base$' "$dockerfile" \
    || die "$dockerfile has no 'FROM <image> AS base' line: this Dify version's Dockerfile differs from what" \
      "$0 adapts; build with --google-fonts and without --npm-registry/--node-image/--alpine-mirror"
  if [ -n "$fonts" ]; then
    grep -Eq '^RUN pnpm build:docker$' "$dockerfile" \
      || die "$dockerfile has no 'RUN pnpm build:docker' line: cannot add the local fonts; build with --google-fonts"
  fi
  # Next's build telemetry would call out to telemetry.nextjs.org (upstream disables it only at run time).
  local base_lines="ENV NEXT_TELEMETRY_DISABLED=1"$'\n' font_lines=""
  if [ -n "$alpine_mirror" ]; then
    base_lines+="RUN sed -i -E 's#^https?://dl-cdn.alpinelinux.org/alpine#${alpine_mirror%/}#' /etc/apk/repositories"
    base_lines+=$'\n'
  fi
  if [ -n "$npm_registry" ]; then
    base_lines+="ENV npm_config_registry=${npm_registry} COREPACK_NPM_REGISTRY=${npm_registry%/}"$'\n'
  fi
  if [ -n "$fonts" ]; then
    font_lines="RUN mkdir -p /tmp/dify-nkp-fonts && cd /tmp/dify-nkp-fonts"
    for pkg in $fonts; do
      local name=${pkg%@*} tgz
      tgz=$(printf '%s' "${name#@}-${pkg##*@}.tgz" | tr / -)
      font_lines+=" && npm pack --silent $pkg && mkdir -p $name && tar -xzf $tgz -C $name --strip-components 1"
    done
    font_lines+=$'\n'"ENV DIFY_NKP_FONTS_DIR=/tmp/dify-nkp-fonts"
    font_lines+=" NEXT_FONT_GOOGLE_MOCKED_RESPONSES=/app/web/.dify-nkp/google-fonts-mock.cjs"$'\n'
  fi
  awk -v node_image="$node_image" -v base_lines="$base_lines" -v font_lines="$font_lines" '
    /^FROM [^ ]+ AS base$/ {
      if (node_image != "") $2 = node_image
      print
      printf "%s", base_lines
      next
    }
    /^RUN pnpm build:docker$/ { printf "%s", font_lines }
    { print }
  ' "$dockerfile"
}

if [ -z "$source" ]; then
  [ "$print_dockerfile" = no ] || die "--print-dockerfile needs --source"
  if [ "$dry" = yes ]; then source=$(mktemp -d -u)/dify; else source=$(mktemp -d)/dify; fi
  run git clone --depth 1 --branch "$version" https://github.com/langgenius/dify.git "$source"
fi
[ "$dry" = yes ] || [ -f "$source/web/Dockerfile" ] || die "$source/web/Dockerfile not found: --source must be a Dify checkout at tag $version"

adapted=no
[ -z "$fonts$npm_registry$node_image$alpine_mirror" ] || adapted=yes
if [ "$print_dockerfile" = yes ]; then
  [ -f "$source/web/Dockerfile" ] || die "$source/web/Dockerfile not found"
  if [ "$adapted" = yes ]; then adapt_dockerfile "$source/web/Dockerfile"; else cat "$source/web/Dockerfile"; fi
  exit 0
fi

context=$source/web dockerfile=$source/web/Dockerfile
if [ "$adapted" = yes ]; then
  # A copy of web/ (without build output) plus the adapted Dockerfile and the font mock module.
  if [ "$dry" = yes ]; then work=$(mktemp -d -u); else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
  context=$work/web dockerfile=$work/web/.dify-nkp/Dockerfile
  if [ "$dry" = no ]; then
    mkdir -p "$context/.dify-nkp"
    tar -C "$source/web" --exclude=./node_modules --exclude=./.next -cf - . | tar -C "$context" -xf -
    cp "$here/web-image/google-fonts-mock.cjs" "$context/.dify-nkp/"
    adapt_dockerfile "$source/web/Dockerfile" >"$dockerfile"
  fi
  echo "adapted Dockerfile: $dockerfile (see it with --print-dockerfile --source $source)"
fi

if [ "$tool" = buildah ]; then
  run buildah bud --build-arg "NEXT_PUBLIC_BASE_PATH=$base_path" --tag "$image" --file "$dockerfile" "$context"
  [ "$push" = no ] || run buildah push "$image"
else
  run "$tool" build --build-arg "NEXT_PUBLIC_BASE_PATH=$base_path" --tag "$image" --file "$dockerfile" "$context"
  [ "$push" = no ] || run "$tool" push "$image"
fi
echo "Use it with the chart: --set expose.path=$base_path --set images.web.repository=${image%:*} --set images.web.tag=${image##*:} --set images.web.basePath=$base_path"
echo "or in the stack: pulumi config set dify:webImage $image  (dify:path $base_path)"
