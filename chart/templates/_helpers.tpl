{{/* Names, labels, ports, images and URLs: every template takes them from here. */}}

{{- define "dify.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release name if it contains the chart name, else <release>-dify (the helm create rule). */}}
{{- define "dify.fullname" -}}
{{- if contains "dify" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-dify" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of a component's objects: (dict "root" $ "component" "api") */}}
{{- define "dify.componentName" -}}
{{- printf "%s-%s" (include "dify.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dify.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of a component: (dict "root" $ "component" "api") */}}
{{- define "dify.selectorLabels" -}}
app.kubernetes.io/name: dify
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of a component; app: dify-<component> keeps the original spec's kubectl -l commands working. */}}
{{- define "dify.labels" -}}
{{ include "dify.selectorLabels" . }}
app: dify-{{ .component }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: dify
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "dify.chart" .root }}
{{- end -}}

{{/* Ports of the components. */}}
{{- define "dify.port" -}}
{{- $ports := dict "api" 5001 "web" 3000 "plugin-daemon" 5002 "plugin-debug" 5003 "sandbox" 8194 "postgresql" 5432 "redis" 6379 "weaviate" 8080 "weaviate-grpc" 50051 "ssrf-proxy" 3128 "dns" 53 -}}
{{- required (printf "no port for %s" .) (get $ports .) -}}
{{- end -}}

{{/* Image reference with the registry prefix: (dict "root" $ "repository" r "tag" t).
A repository that names its own registry host (first part with "." or ":", or localhost,
e.g. a base-path web image pushed to a private registry) is used as is. */}}
{{- define "dify.image" -}}
{{- $registry := .root.Values.global.imageRegistry | default "" | trimSuffix "/" -}}
{{- $first := first (splitList "/" (toString .repository)) -}}
{{- $hasHost := and (contains "/" (toString .repository)) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- if and $registry (not $hasHost) -}}{{ $registry }}/{{ end -}}{{ .repository }}:{{ .tag }}
{{- end -}}

{{- define "dify.pullPolicy" -}}
{{- default "IfNotPresent" .Values.global.imagePullPolicy -}}
{{- end -}}

{{- define "dify.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "dify.apiImage" -}}
{{- include "dify.image" (dict "root" . "repository" (printf "%s-api" .Values.images.dify.repository) "tag" .Values.images.dify.tag) -}}
{{- end -}}

{{- define "dify.webImage" -}}
{{- if .Values.images.web.repository -}}
{{- include "dify.image" (dict "root" . "repository" .Values.images.web.repository "tag" (default .Values.images.dify.tag .Values.images.web.tag)) -}}
{{- else -}}
{{- include "dify.image" (dict "root" . "repository" (printf "%s-web" .Values.images.dify.repository) "tag" .Values.images.dify.tag) -}}
{{- end -}}
{{- end -}}

{{/* Public path without trailing slash: "" in root mode, "/dify" in sub-path mode. */}}
{{- define "dify.path" -}}
{{- $p := required "expose.path is required (e.g. /dify, or / for root mode)" .Values.expose.path -}}
{{- if ne $p "/" }}{{ $p }}{{ end -}}
{{- end -}}

{{/* Return the public origin, scheme://host, e.g. https://198.51.100.10 or https://[2001:db8::1].
The one place the chart joins scheme and host: external.host arrives normalised (a name, an IPv4
address or a bracketed IPv6 address, without port; validate.yaml refuses anything else).
APP_WEB_URL is the origin: the web adds its base path to share links itself. */}}
{{- define "dify.externalOrigin" -}}
{{- $scheme := required "external.scheme is required (http or https)" .Values.external.scheme -}}
{{- $host := required "external.host is required (the Traefik LoadBalancer address or a DNS name)" .Values.external.host -}}
{{ $scheme }}://{{ $host }}
{{- end -}}

{{/* Return the public base URL: the origin and the public path, e.g. https://198.51.100.10/dify */}}
{{- define "dify.externalURL" -}}
{{ include "dify.externalOrigin" . }}{{ include "dify.path" . }}
{{- end -}}

{{/* Return the in-cluster URL of a component's Service:
(dict "root" $ "component" "api" ["port" "weaviate-grpc"] ["scheme" "grpc"] ["path" "/health"]).
The port defaults to the component's own (dify.port). */}}
{{- define "dify.serviceURL" -}}
{{- $host := include "dify.componentName" (dict "root" .root "component" .component) -}}
{{- $port := include "dify.port" (.port | default .component) -}}
{{- printf "%s://%s:%s%s" (.scheme | default "http") $host $port (.path | default "") -}}
{{- end -}}

{{/* Return the HTTP health path of a component (probes and the helm test): (dict "root" $ "component" "api").
The web has no health endpoint in 1.11.4: a page under the base path the image was built with. */}}
{{- define "dify.healthPath" -}}
{{- $paths := dict
  "api"           "/health"
  "plugin-daemon" "/health/check"
  "sandbox"       "/health"
  "weaviate"      "/v1/.well-known/ready"
-}}
{{- if eq .component "web" -}}
{{- printf "%s/apps" (include "dify.path" .root) -}}
{{- else -}}
{{- required (printf "no health path for %s" .component) (get $paths .component) -}}
{{- end -}}
{{- end -}}

{{/* Return the Dify plugin marketplace (api, web and plugin daemon). */}}
{{- define "dify.marketplaceURL" -}}
https://marketplace.dify.ai
{{- end -}}

{{- define "dify.secretName" -}}
{{- default (include "dify.componentName" (dict "root" . "component" "credentials")) .Values.global.existingSecret -}}
{{- end -}}

{{/* env entry from the release Secret: (dict "root" $ "name" ENV "key" KEY) */}}
{{- define "dify.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "dify.secretName" .root }}
      key: {{ .key }}
{{- end -}}

{{/* Checksum of the credential values a component reads: (dict "root" $ "values" (list ...)).
Keyed with SECRET_KEY (high entropy), so the annotation, readable by whoever may read pods,
cannot be used to test guesses of a weak password offline. With global.existingSecret the
chart does not know the values: the checksum covers the Secret's name only. */}}
{{- define "dify.checksum" -}}
{{- if .root.Values.global.existingSecret -}}
{{- .root.Values.global.existingSecret | sha256sum -}}
{{- else -}}
{{- printf "%s\n%s" (toString .root.Values.secrets.difySecretKey) (.values | toJson) | sha256sum -}}
{{- end -}}
{{- end -}}

{{- define "dify.postgresHost" -}}
{{- if .Values.postgresql.enabled -}}{{ include "dify.componentName" (dict "root" . "component" "postgresql") }}{{- else -}}{{ .Values.postgresql.external.host }}{{- end -}}
{{- end -}}
{{- define "dify.postgresPort" -}}
{{- if .Values.postgresql.enabled -}}{{ include "dify.port" "postgresql" }}{{- else -}}{{ default "5432" (toString .Values.postgresql.external.port) }}{{- end -}}
{{- end -}}
{{- define "dify.redisHost" -}}
{{- if .Values.redis.enabled -}}{{ include "dify.componentName" (dict "root" . "component" "redis") }}{{- else -}}{{ .Values.redis.external.host }}{{- end -}}
{{- end -}}
{{- define "dify.redisPort" -}}
{{- if .Values.redis.enabled -}}{{ include "dify.port" "redis" }}{{- else -}}{{ default "6379" (toString .Values.redis.external.port) }}{{- end -}}
{{- end -}}

{{/* Container resources: the component's values if set, else its entry in the sizing profile
(global.sizing: small, the default, or medium): (dict "component" "api" "values" .Values.api.resources
"sizing" .Values.global.sizing). small keeps the stack's total requests within 2 vCPU / 4 GiB
(Dify's documented minimum host); its limits leave room for what real workloads grow into: the
plugin daemon runs every installed plugin as its own Python process, the worker parses large
PDFs. The table in docs/chart.md is this one. */}}
{{- define "dify.resources" -}}
{{- $r := dict "cpu" "" "memory" "" -}}
{{- $profiles := dict
  "small" (dict
    "api"           (list "250m" "512Mi" "2" "2Gi")
    "worker"        (list "250m" "512Mi" "2" "4Gi")
    "worker-beat"   (list "50m" "128Mi" "500m" "512Mi")
    "web"           (list "100m" "256Mi" "1" "1Gi")
    "plugin-daemon" (list "250m" "768Mi" "2" "4Gi")
    "sandbox"       (list "100m" "256Mi" "1" "1Gi")
    "postgresql"    (list "200m" "512Mi" "2" "2Gi")
    "weaviate"      (list "200m" "512Mi" "2" "4Gi")
    "redis"         (list "50m" "128Mi" "500m" "512Mi")
    "migrate"       (list "100m" "256Mi" "1" "1Gi")
    "bootstrap"     (list "50m" "64Mi" "500m" "256Mi")
    "ssrf-proxy"    (list "50m" "64Mi" "500m" "256Mi")
    "init"          (list "10m" "16Mi" "100m" "64Mi")
    "test"          (list "10m" "32Mi" "200m" "128Mi"))
  "medium" (dict
    "api"           (list "500m" "1Gi" "2" "4Gi")
    "worker"        (list "500m" "1Gi" "2" "6Gi")
    "worker-beat"   (list "50m" "128Mi" "500m" "512Mi")
    "web"           (list "200m" "512Mi" "1" "2Gi")
    "plugin-daemon" (list "500m" "2Gi" "4" "8Gi")
    "sandbox"       (list "250m" "512Mi" "2" "2Gi")
    "postgresql"    (list "500m" "2Gi" "4" "4Gi")
    "weaviate"      (list "500m" "2Gi" "4" "8Gi")
    "redis"         (list "100m" "256Mi" "1" "1Gi")
    "migrate"       (list "100m" "256Mi" "1" "1Gi")
    "bootstrap"     (list "50m" "64Mi" "500m" "256Mi")
    "ssrf-proxy"    (list "100m" "128Mi" "1" "512Mi")
    "init"          (list "10m" "16Mi" "100m" "64Mi")
    "test"          (list "10m" "32Mi" "200m" "128Mi"))
-}}
{{- $v := .values | default dict -}}
{{- if $v }}{{ toYaml $v }}{{ else -}}
{{- /* An unknown profile renders as small here; dify.validate reports it (the subchart renders first). */ -}}
{{- $e := get (get $profiles (toString .sizing) | default (get $profiles "small")) .component -}}
requests: {cpu: {{ index $e 0 | quote }}, memory: {{ index $e 1 | quote }}}
limits: {cpu: {{ index $e 2 | quote }}, memory: {{ index $e 3 | quote }}}
{{- end -}}
{{- end -}}

{{/* Database connection pools, as upstream's docker-compose sets them: every api-image process
(gunicorn with one worker, celery with one gevent process) holds up to pool + overflow
connections; the plugin daemon up to its own maximum. */}}
{{- define "dify.dbPoolSize" -}}30{{- end -}}
{{- define "dify.dbMaxOverflow" -}}10{{- end -}}
{{- define "dify.daemonDbMaxOpen" -}}30{{- end -}}
{{- define "dify.daemonDbMaxIdle" -}}10{{- end -}}

{{/* max_connections of the release's Postgres: the pools of api and worker replicas, beat and the
migration Job (it runs next to the old pods during an upgrade), the plugin daemon, and 10 for
psql, probes and Postgres' own reserved superuser slots. With the defaults: 4 x 40 + 30 + 10 = 200
(upstream's compose keeps Postgres' 100, which those pools can exceed). */}}
{{- define "dify.postgresMaxConnections" -}}
{{- $perProcess := add (include "dify.dbPoolSize" .) (include "dify.dbMaxOverflow" .) -}}
{{- $processes := add (default 1 .Values.api.replicas) (default 1 .Values.worker.replicas) 2 -}}
{{- add (mul $perProcess $processes) (include "dify.daemonDbMaxOpen" .) 10 -}}
{{- end -}}

{{/* Postgres memory settings per sizing profile: small keeps upstream's compose values except
effective_cache_size (a planner hint; upstream's 4096MB assumes a larger host than a 2Gi limit). */}}
{{- define "dify.postgresSettings" -}}
{{- $profiles := dict
  "small"  (dict "shared_buffers" "128MB" "work_mem" "4MB" "maintenance_work_mem" "64MB" "effective_cache_size" "1GB")
  "medium" (dict "shared_buffers" "1GB" "work_mem" "4MB" "maintenance_work_mem" "256MB" "effective_cache_size" "3GB")
-}}
{{- $s := get $profiles (toString .Values.global.sizing) | default (get $profiles "small") -}}
{{- $_ := set $s "max_connections" (include "dify.postgresMaxConnections" .) -}}
{{- range $k := keys $s | sortAlpha }}
- -c
- {{ printf "%s=%s" $k (get $s $k) | quote }}
{{- end }}
{{- end -}}

{{/* Largest plugin package in bytes (PLUGIN_MAX_PACKAGE_SIZE of api/worker, MAX_PLUGIN_PACKAGE_SIZE
of the daemon): dify.pluginMaxPackageSize as bytes or <n>Ki|Mi|Gi; empty: 50Mi as upstream's compose. */}}
{{- define "dify.pluginMaxPackageSize" -}}
{{- $q := toString (.Values.dify.pluginMaxPackageSize | default "50Mi") -}}
{{- $m := regexFind "^[0-9]+" $q -}}
{{- $unit := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 -}}
{{- mul (atoi $m) (get $unit (trimPrefix $m $q)) -}}
{{- end -}}

{{/* Root paths the 1.11.4 web navigates to without its base path (web/service/fetch.ts after an
"already set up" 403; the goto-anything account command). Space-separated. */}}
{{- define "dify.rootRedirectPaths" -}}/signin /account{{- end -}}

{{/* "true" when the root redirects are rendered: sub-path mode, expose.rootRedirects, Middlewares on. */}}
{{- define "dify.rootRedirects" -}}
{{- if and (include "dify.path" .) .Values.expose.rootRedirects .Values.expose.middlewareCrd }}true{{ end -}}
{{- end -}}

{{- define "dify.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
# Only when the volume root does not match: a recursive chmod on every start would give
# PGDATA group write, which Postgres refuses, and is slow on large volumes.
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "dify.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Pod fields every workload shares (grafana's _pod.tpl idea): pull secrets, no Service links,
no API token, and the pod security context. (dict "root" $ "uid" 1001) runs the pod as that
non-root user; without uid (images that must start as root) only the RuntimeDefault seccomp
profile is set at pod level and the template says why. Include with nindent at the spec level. */}}
{{- define "dify.podDefaults" -}}
{{- include "dify.imagePullSecrets" .root }}
enableServiceLinks: false
automountServiceAccountToken: false
{{- if .uid }}
securityContext: {{- include "dify.podSecurityContext" (dict "uid" .uid) | nindent 2 }}
{{- else }}
securityContext:
  seccompProfile: {type: RuntimeDefault}
{{- end }}
{{- end -}}

{{/* ClusterIP Service of a component: (dict "root" $ "component" "api" ["ports" (list "http:api" ...)]).
Each port is "<name>:<dify.port key>" and targets the container port of the same name;
the default is one port "http" on the component's own port. */}}
{{- define "dify.service" -}}
{{- $ctx := dict "root" .root "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "dify.componentName" $ctx }}
  labels: {{- include "dify.labels" $ctx | nindent 4 }}
spec:
  type: ClusterIP
  selector: {{- include "dify.selectorLabels" $ctx | nindent 4 }}
  ports:
    {{- range $p := .ports | default (list (printf "http:%s" .component)) }}
    {{- $name := first (splitList ":" $p) }}
    {{- $port := include "dify.port" (last (splitList ":" $p)) }}
    - {name: {{ $name }}, port: {{ $port }}, targetPort: {{ $name }}, protocol: TCP}
    {{- end }}
{{- end -}}

{{/* Init containers that wait for Postgres and Redis (the stack's own images). */}}
{{- define "dify.waitForData" -}}
- name: wait-for-postgres
  image: {{ include "dify.image" (dict "root" . "repository" (required "images.postgres.repository is required" .Values.images.postgres.repository) "tag" (required "images.postgres.tag is required" .Values.images.postgres.tag)) }}
  imagePullPolicy: {{ include "dify.pullPolicy" . }}
  command: ["sh", "-c", "until pg_isready -h \"$DB_HOST\" -p \"$DB_PORT\"; do echo waiting for postgres; sleep 2; done"]
  env:
    - {name: DB_HOST, value: {{ include "dify.postgresHost" . | quote }}}
    - {name: DB_PORT, value: {{ include "dify.postgresPort" . | quote }}}
  securityContext: {{- include "dify.containerSecurityContext" . | nindent 4 }}
  resources: {{- include "dify.resources" (dict "component" "init") | nindent 4 }}
- name: wait-for-redis
  image: {{ include "dify.image" (dict "root" . "repository" (required "images.redis.repository is required" .Values.images.redis.repository) "tag" (required "images.redis.tag is required" .Values.images.redis.tag)) }}
  imagePullPolicy: {{ include "dify.pullPolicy" . }}
  command: ["sh", "-c", "until redis-cli -h \"$REDIS_HOST\" -p \"$REDIS_PORT\" ping | grep -q PONG; do echo waiting for redis; sleep 2; done"]
  env:
    - {name: REDIS_HOST, value: {{ include "dify.redisHost" . | quote }}}
    - {name: REDIS_PORT, value: {{ include "dify.redisPort" . | quote }}}
    {{- if or .Values.global.existingSecret .Values.redis.auth.password }}
    {{- include "dify.secretEnv" (dict "root" . "name" "REDISCLI_AUTH" "key" "REDIS_PASSWORD") | nindent 4 }}
    {{- end }}
  securityContext: {{- include "dify.containerSecurityContext" . | nindent 4 }}
  resources: {{- include "dify.resources" (dict "component" "init") | nindent 4 }}
{{- end -}}

{{/* Components the SSRF proxy may reach as "Dify's own Services" (squid's dify_own rule): the
NetworkPolicies list the proxy as a client of exactly these. JSON list. */}}
{{- define "dify.proxyReachable" -}}
{{- list "api" "web" "plugin-daemon" "sandbox" | toJson -}}
{{- end -}}

{{/* NetworkPolicy peer of the cluster DNS (CoreDNS in kube-system on NKP). */}}
{{- define "dify.dnsPeer" -}}
namespaceSelector:
  matchLabels:
    kubernetes.io/metadata.name: {{ default "kube-system" .Values.networkPolicy.dnsNamespace }}
podSelector:
  matchLabels: {{- toYaml (default (dict "k8s-app" "kube-dns") .Values.networkPolicy.dnsPodLabels) | nindent 4 }}
{{- end -}}
