{{/* Environment shared by api, worker, beat and the migration Job (one contract, one place). */}}
{{- define "dify.apiEnv" -}}
{{- $url := include "dify.externalURL" . -}}
- {name: MODE, value: {{ .mode | default "api" | quote }}}
- {name: LANG, value: C.UTF-8}
- {name: LC_ALL, value: C.UTF-8}
- {name: LOG_LEVEL, value: INFO}
- {name: DEPLOY_ENV, value: PRODUCTION}
- {name: MIGRATION_ENABLED, value: "false"}
- {name: CONSOLE_API_URL, value: {{ $url | quote }}}
- {name: CONSOLE_WEB_URL, value: {{ $url | quote }}}
- {name: SERVICE_API_URL, value: {{ $url | quote }}}
- {name: APP_WEB_URL, value: {{ include "dify.externalOrigin" . | quote }}}
- {name: FILES_URL, value: {{ $url | quote }}}
- {name: TRIGGER_URL, value: {{ $url | quote }}}
- {name: ENDPOINT_URL_TEMPLATE, value: {{ printf "%s/e/{hook_id}" $url | quote }}}
{{- /* The trade-off of dify.internalFilesUrl (docs/chart.md): unset, Dify uses FILES_URL everywhere. */}}
{{- if .Values.dify.internalFilesUrl }}
- {name: INTERNAL_FILES_URL, value: {{ include "dify.serviceURL" (dict "root" . "component" "api") | quote }}}
{{- end }}
- {name: DB_TYPE, value: postgresql}
- {name: DB_HOST, value: {{ include "dify.postgresHost" . | quote }}}
- {name: DB_PORT, value: {{ include "dify.postgresPort" . | quote }}}
- {name: DB_USERNAME, value: {{ .Values.postgresql.auth.username | quote }}}
- {name: DB_DATABASE, value: {{ .Values.postgresql.auth.database | quote }}}
- {name: SQLALCHEMY_POOL_SIZE, value: {{ include "dify.dbPoolSize" . | quote }}}
- {name: SQLALCHEMY_MAX_OVERFLOW, value: {{ include "dify.dbMaxOverflow" . | quote }}}
{{ include "dify.secretEnv" (dict "root" . "name" "DB_PASSWORD" "key" "DB_PASSWORD") }}
- {name: REDIS_HOST, value: {{ include "dify.redisHost" . | quote }}}
- {name: REDIS_PORT, value: {{ include "dify.redisPort" . | quote }}}
- {name: REDIS_DB, value: "0"}
- {name: REDIS_USE_SSL, value: "false"}
{{- if or .Values.global.existingSecret .Values.redis.auth.password }}
{{ include "dify.secretEnv" (dict "root" . "name" "REDIS_PASSWORD" "key" "REDIS_PASSWORD") }}
- {name: CELERY_BROKER_URL, value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%s/1" (include "dify.redisHost" .) (include "dify.redisPort" .) | quote }}}
{{- else }}
- {name: CELERY_BROKER_URL, value: {{ printf "redis://%s:%s/1" (include "dify.redisHost" .) (include "dify.redisPort" .) | quote }}}
{{- end }}
{{ include "dify.secretEnv" (dict "root" . "name" "SECRET_KEY" "key" "SECRET_KEY") }}
{{ include "dify.secretEnv" (dict "root" . "name" "INIT_PASSWORD" "key" "INIT_PASSWORD") }}
{{- if .Values.dify.fileStorage.s3.enabled }}
- {name: STORAGE_TYPE, value: s3}
- {name: S3_ENDPOINT, value: {{ .Values.dify.fileStorage.s3.endpoint | quote }}}
- {name: S3_BUCKET_NAME, value: {{ .Values.dify.fileStorage.s3.bucket | quote }}}
- {name: S3_REGION, value: {{ default "us-east-1" .Values.dify.fileStorage.s3.region | quote }}}
- {name: S3_ADDRESS_STYLE, value: {{ default "path" .Values.dify.fileStorage.s3.addressStyle | quote }}}
- {name: S3_USE_AWS_MANAGED_IAM, value: "false"}
{{ include "dify.secretEnv" (dict "root" . "name" "S3_ACCESS_KEY" "key" "S3_ACCESS_KEY") }}
{{ include "dify.secretEnv" (dict "root" . "name" "S3_SECRET_KEY" "key" "S3_SECRET_KEY") }}
{{- else }}
- {name: STORAGE_TYPE, value: opendal}
- {name: OPENDAL_SCHEME, value: fs}
- {name: OPENDAL_FS_ROOT, value: storage}
{{- end }}
{{- if .Values.weaviate.enabled }}
- {name: VECTOR_STORE, value: weaviate}
- {name: WEAVIATE_ENDPOINT, value: {{ include "dify.serviceURL" (dict "root" . "component" "weaviate") | quote }}}
{{- $grpc := dict "root" . "component" "weaviate" "port" "weaviate-grpc" "scheme" "grpc" }}
- {name: WEAVIATE_GRPC_ENDPOINT, value: {{ include "dify.serviceURL" $grpc | quote }}}
{{ include "dify.secretEnv" (dict "root" . "name" "WEAVIATE_API_KEY" "key" "WEAVIATE_API_KEY") }}
{{- end }}
- {name: CODE_EXECUTION_ENDPOINT, value: {{ include "dify.serviceURL" (dict "root" . "component" "sandbox") | quote }}}
{{ include "dify.secretEnv" (dict "root" . "name" "CODE_EXECUTION_API_KEY" "key" "CODE_EXECUTION_API_KEY") }}
- {name: PLUGIN_DAEMON_URL, value: {{ include "dify.serviceURL" (dict "root" . "component" "plugin-daemon") | quote }}}
{{ include "dify.secretEnv" (dict "root" . "name" "PLUGIN_DAEMON_KEY" "key" "PLUGIN_DAEMON_KEY") }}
{{ include "dify.secretEnv" (dict "root" . "name" "INNER_API_KEY_FOR_PLUGIN" "key" "INNER_API_KEY_FOR_PLUGIN") }}
- {name: PLUGIN_MAX_PACKAGE_SIZE, value: {{ include "dify.pluginMaxPackageSize" . | quote }}}
- {name: MARKETPLACE_ENABLED, value: {{ .Values.dify.marketplaceEnabled | quote }}}
- {name: MARKETPLACE_API_URL, value: {{ include "dify.marketplaceURL" . | quote }}}
{{- if .Values.ssrfProxy.enabled }}
- {name: SSRF_PROXY_HTTP_URL, value: {{ include "dify.serviceURL" (dict "root" . "component" "ssrf-proxy") | quote }}}
- {name: SSRF_PROXY_HTTPS_URL, value: {{ include "dify.serviceURL" (dict "root" . "component" "ssrf-proxy") | quote }}}
{{- end }}
{{- range $k, $v := .Values.dify.extraEnv }}
- {name: {{ $k }}, value: {{ $v | quote }}}
{{- end }}
{{- end -}}

{{/* Credential values the Dify app reads (for its checksum annotation). */}}
{{- define "dify.appSecretValues" -}}
{{- $s := .Values.secrets -}}
{{- list $s.difySecretKey $s.initPassword $s.pluginDaemonKey $s.pluginInnerApiKey $s.sandboxApiKey $s.weaviateApiKey .Values.postgresql.auth.password .Values.redis.auth.password .Values.dify.fileStorage.s3.accessKey .Values.dify.fileStorage.s3.secretKey | toJson -}}
{{- end -}}

{{/* Volumes of the files storage (api and worker). */}}
{{- define "dify.filesVolume" -}}
{{- if and .Values.dify.fileStorage.enabled (not .Values.dify.fileStorage.s3.enabled) }}
- name: files
  persistentVolumeClaim:
    claimName: {{ include "dify.componentName" (dict "root" . "component" "files") }}
{{- else }}
- name: files
  emptyDir: {}
{{- end }}
{{- end -}}

{{/* "true" when api and worker share a files PVC that only one node can mount (RWO). */}}
{{- define "dify.filesRWO" -}}
{{- if and .Values.dify.fileStorage.enabled (not .Values.dify.fileStorage.s3.enabled) (ne .Values.dify.fileStorage.accessMode "ReadWriteMany") }}true{{ end -}}
{{- end -}}

{{/* api and worker share an RWO volume: every pod that mounts it (api and worker alike)
requires a node that already runs one of them, so the volume is never needed on two nodes.
The first pod schedules freely (a pod matching its own required affinity term may start
when no other pod matches). */}}
{{- define "dify.filesAffinity" -}}
{{- if include "dify.filesRWO" . }}
affinity:
  podAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            app.kubernetes.io/instance: {{ .Release.Name }}
            dify.nkp/files-volume: "true"
{{- end }}
{{- end -}}
