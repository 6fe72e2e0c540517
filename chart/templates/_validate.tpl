{{/* Collects every missing or inconsistent value and fails once with the full list. */}}
{{- define "dify.validate" -}}
{{- $e := list -}}
{{- $v := .Values -}}
{{- $quantity := "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$" -}}
{{- if not $v.expose.ingressClassName }}{{ $e = append $e "expose.ingressClassName is required (NKP: kommander-traefik)" }}{{ end -}}
{{- $path := $v.expose.path -}}
{{- if not $path -}}
{{- $e = append $e "expose.path is required: /dify (sub-path, needs a base-path web image) or / (root)" -}}
{{- else if not (hasPrefix "/" $path) -}}
{{- $e = append $e (printf "expose.path %q must start with /" $path) -}}
{{- else if and (ne $path "/") (hasSuffix "/" $path) -}}
{{- $e = append $e (printf "expose.path %q must not end with / (use %s)" $path (trimSuffix "/" $path)) -}}
{{- else if not (regexMatch "^/[A-Za-z0-9._~/-]*$" $path) -}}
{{- $e = append $e (printf "expose.path %q may contain only letters, digits and . _ ~ - /" $path) -}}
{{- end -}}
{{- if not (has $v.external.scheme (list "http" "https")) }}{{ $e = append $e (printf "external.scheme must be http or https (got %q)" $v.external.scheme) }}{{ end -}}
{{- $host := $v.external.host -}}
{{- if not $host -}}
{{- $e = append $e "external.host is required: the Traefik LoadBalancer address or a DNS name" -}}
{{- else if contains "://" $host -}}
{{- $e = append $e (printf "external.host %q must not contain a scheme (set external.scheme instead)" $host) -}}
{{- else if contains "/" $host -}}
{{- $e = append $e (printf "external.host %q must not contain a path (set expose.path instead)" $host) -}}
{{- else if not (regexMatch "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)$" $host) -}}
{{- $e = append $e (printf "external.host %q must be a host name, an IPv4 address or a bracketed IPv6 address, without port" $host) -}}
{{- end -}}
{{- if not $v.images.dify.repository }}{{ $e = append $e "images.dify.repository is required (e.g. langgenius/dify)" }}{{ end -}}
{{- if not $v.images.dify.tag }}{{ $e = append $e "images.dify.tag is required (e.g. 1.11.4)" }}{{ end -}}
{{- range $name := list "pluginDaemon" "sandbox" -}}
{{- $img := get $v.images $name -}}
{{- if or (not $img.repository) (not $img.tag) }}{{ $e = append $e (printf "images.%s.repository and images.%s.tag are required" $name $name) }}{{ end -}}
{{- end -}}
{{- if or (not $v.images.postgres.repository) (not $v.images.postgres.tag) }}{{ $e = append $e "images.postgres.repository and images.postgres.tag are required (the migration and wait-for init containers use them too)" }}{{ end -}}
{{- if or (not $v.images.redis.repository) (not $v.images.redis.tag) }}{{ $e = append $e "images.redis.repository and images.redis.tag are required (the wait-for init containers use them too)" }}{{ end -}}
{{- if and $v.ssrfProxy.enabled (or (not $v.images.ssrfProxy.repository) (not $v.images.ssrfProxy.tag)) }}{{ $e = append $e "images.ssrfProxy.repository and images.ssrfProxy.tag are required when ssrfProxy.enabled" }}{{ end -}}
{{- /* The stock web image has no base path: sub-path mode needs an image built for it. */ -}}
{{- if and $path (ne $path "/") (hasPrefix "/" $path) -}}
{{- if not $v.images.web.repository -}}
{{- $e = append $e (printf "expose.path=%s needs a web image built with NEXT_PUBLIC_BASE_PATH=%s: the official langgenius/dify-web image serves only at /. Build one with scripts/build-web-image.sh --base-path %s and set images.web.repository, images.web.tag and images.web.basePath=%s, or use expose.path=/" $path $path $path $path) -}}
{{- else if ne $v.images.web.basePath $path -}}
{{- $e = append $e (printf "images.web.basePath (%q) must equal expose.path (%q): the web image only works under the base path it was built with" $v.images.web.basePath $path) -}}
{{- end -}}
{{- else if and (eq $path "/") $v.images.web.basePath (ne $v.images.web.basePath "/") -}}
{{- $e = append $e (printf "images.web.basePath is %q but expose.path is /: use the stock web image or set expose.path=%s" $v.images.web.basePath $v.images.web.basePath) -}}
{{- end -}}
{{- if not $v.storage.storageClassName }}{{ $e = append $e "storage.storageClassName is required (NKP: nutanix-volume)" }}{{ end -}}
{{- $sizes := dict "pluginDaemon.persistence.size" $v.pluginDaemon.persistence.size -}}
{{- if $v.postgresql.enabled }}{{ $_ := set $sizes "postgresql.persistence.size" $v.postgresql.persistence.size }}{{ end -}}
{{- if $v.redis.enabled }}{{ $_ := set $sizes "redis.persistence.size" $v.redis.persistence.size }}{{ end -}}
{{- if and $v.weaviate.enabled $v.weaviate.persistence.enabled }}{{ $_ := set $sizes "weaviate.persistence.size" $v.weaviate.persistence.size }}{{ end -}}
{{- if and $v.dify.fileStorage.enabled (not $v.dify.fileStorage.s3.enabled) }}{{ $_ := set $sizes "dify.fileStorage.size" $v.dify.fileStorage.size }}{{ end -}}
{{- range $k := keys $sizes | sortAlpha -}}
{{- $q := toString (get $sizes $k) -}}
{{- if not $q -}}
{{- $e = append $e (printf "%s is required (a Kubernetes quantity such as 20Gi)" $k) -}}
{{- else if not (regexMatch $quantity $q) -}}
{{- $e = append $e (printf "%s %q is not a Kubernetes quantity (e.g. 20Gi, 512Mi)" $k $q) -}}
{{- end -}}
{{- end -}}
{{- if not (has (default "ReadWriteOnce" $v.dify.fileStorage.accessMode) (list "ReadWriteOnce" "ReadWriteMany")) }}{{ $e = append $e (printf "dify.fileStorage.accessMode must be ReadWriteOnce or ReadWriteMany (got %q)" $v.dify.fileStorage.accessMode) }}{{ end -}}
{{- if $v.dify.fileStorage.s3.enabled -}}
{{- range $k := list "endpoint" "bucket" "accessKey" "secretKey" -}}
{{- if not (get $v.dify.fileStorage.s3 $k) }}{{ $e = append $e (printf "dify.fileStorage.s3.%s is required when dify.fileStorage.s3.enabled" $k) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if and $v.weaviate.enabled $v.weaviate.persistence.enabled (not $v.weaviate.persistence.storageClass) }}{{ $e = append $e "weaviate.persistence.storageClass is required (usually the same class as storage.storageClassName; a subchart cannot read the parent's value)" }}{{ end -}}
{{- if not $v.postgresql.auth.username }}{{ $e = append $e "postgresql.auth.username is required (e.g. dify)" }}{{ end -}}
{{- if not $v.postgresql.auth.database }}{{ $e = append $e "postgresql.auth.database is required (e.g. dify)" }}{{ end -}}
{{- if and (not $v.postgresql.enabled) (not $v.postgresql.external.host) }}{{ $e = append $e "postgresql.external.host is required when postgresql.enabled=false" }}{{ end -}}
{{- if and (not $v.redis.enabled) (not $v.redis.external.host) }}{{ $e = append $e "redis.external.host is required when redis.enabled=false" }}{{ end -}}
{{- if and $v.weaviate.enabled (or (not $v.weaviate.image.repository) (not $v.weaviate.image.tag)) -}}
{{- $e = append $e "weaviate.image.repository and weaviate.image.tag are required (>= 1.27)" -}}
{{- else if and $v.weaviate.enabled (not (semverCompare ">=1.27.0-0" (toString $v.weaviate.image.tag))) -}}
{{- $e = append $e (printf "weaviate.image.tag %q is too old: Dify 1.11 needs Weaviate >= 1.27 (gRPC v4 client)" $v.weaviate.image.tag) -}}
{{- end -}}
{{- if not $v.global.existingSecret -}}
{{- $s := $v.secrets -}}
{{- range $k := list "difySecretKey" "initPassword" "pluginDaemonKey" "pluginInnerApiKey" "sandboxApiKey" -}}
{{- if not (get $s $k) }}{{ $e = append $e (printf "secrets.%s is required (or set global.existingSecret)" $k) }}{{ end -}}
{{- end -}}
{{- if and $v.weaviate.enabled (not $s.weaviateApiKey) }}{{ $e = append $e "secrets.weaviateApiKey is required when weaviate.enabled (or set global.existingSecret)" }}{{ end -}}
{{- if not $v.postgresql.auth.password }}{{ $e = append $e "postgresql.auth.password is required (or set global.existingSecret)" }}{{ end -}}
{{- if gt (len (toString $s.initPassword)) 30 }}{{ $e = append $e (printf "secrets.initPassword has %d characters; Dify accepts at most 30" (len (toString $s.initPassword))) }}{{ end -}}
{{- with $v.redis.auth.password }}{{ if not (regexMatch "^[A-Za-z0-9._~-]+$" (toString .)) }}{{ $e = append $e "redis.auth.password may contain only letters, digits and . _ ~ - (it is part of the Celery broker URL)" }}{{ end }}{{ end -}}
{{- end -}}
{{- if $e -}}
{{- fail (printf "\n\nInvalid values for the dify chart (%d problem(s)):\n  - %s\n" (len $e) (join "\n  - " $e)) -}}
{{- end -}}
{{- end -}}
