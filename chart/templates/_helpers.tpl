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

{{/* Container resources: values override, else the chart default of the component. */}}
{{- define "dify.resources" -}}
{{- $defaults := dict
  "api"           (dict "requests" (dict "cpu" "250m" "memory" "512Mi") "limits" (dict "cpu" "2" "memory" "2Gi"))
  "worker"        (dict "requests" (dict "cpu" "250m" "memory" "512Mi") "limits" (dict "cpu" "2" "memory" "2Gi"))
  "worker-beat"   (dict "requests" (dict "cpu" "50m" "memory" "128Mi") "limits" (dict "cpu" "500m" "memory" "512Mi"))
  "web"           (dict "requests" (dict "cpu" "100m" "memory" "256Mi") "limits" (dict "cpu" "1" "memory" "1Gi"))
  "plugin-daemon" (dict "requests" (dict "cpu" "200m" "memory" "512Mi") "limits" (dict "cpu" "2" "memory" "2Gi"))
  "sandbox"       (dict "requests" (dict "cpu" "100m" "memory" "256Mi") "limits" (dict "cpu" "1" "memory" "1Gi"))
  "postgresql"    (dict "requests" (dict "cpu" "200m" "memory" "512Mi") "limits" (dict "cpu" "2" "memory" "2Gi"))
  "weaviate"      (dict "requests" (dict "cpu" "200m" "memory" "512Mi") "limits" (dict "cpu" "2" "memory" "4Gi"))
  "redis"         (dict "requests" (dict "cpu" "50m" "memory" "128Mi") "limits" (dict "cpu" "500m" "memory" "512Mi"))
  "migrate"       (dict "requests" (dict "cpu" "100m" "memory" "256Mi") "limits" (dict "cpu" "1" "memory" "1Gi"))
  "ssrf-proxy"    (dict "requests" (dict "cpu" "50m" "memory" "64Mi") "limits" (dict "cpu" "500m" "memory" "256Mi"))
  "init"          (dict "requests" (dict "cpu" "10m" "memory" "16Mi") "limits" (dict "cpu" "100m" "memory" "64Mi"))
  "test"          (dict "requests" (dict "cpu" "10m" "memory" "32Mi") "limits" (dict "cpu" "200m" "memory" "128Mi"))
-}}
{{- $v := .values | default dict -}}
{{- if $v }}{{ toYaml $v }}{{ else }}{{ toYaml (get $defaults .component) }}{{ end -}}
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
