{{/* Deployment of an api-image component: (dict "root" $ "component" "api" "mode" "api" "replicas" n "values" .Values.api "port" bool "files" bool "recreate" bool) */}}
{{- define "dify.appDeployment" -}}
{{- $root := .root -}}
{{- $ctx := dict "root" $root "component" .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "dify.componentName" $ctx }}
  labels: {{- include "dify.labels" $ctx | nindent 4 }}
spec:
  replicas: {{ .replicas }}
  revisionHistoryLimit: 3
  {{- /* Recreate: beat must never run twice; api and worker on an RWO files volume are
  pinned to one node, where a surge pod may not fit next to the old ones. */}}
  {{- if or .recreate (and .files (include "dify.filesRWO" $root)) }}
  strategy:
    type: Recreate
  {{- end }}
  selector:
    matchLabels: {{- include "dify.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "dify.labels" $ctx | nindent 8 }}
        {{- if .files }}
        dify.nkp/files-volume: "true"
        {{- end }}
      annotations:
        checksum/credentials: {{ include "dify.checksum" (dict "root" $root "values" (include "dify.appSecretValues" $root)) }}
    spec:
      {{- include "dify.podDefaults" (dict "root" $root "uid" 1001) | nindent 6 }}
      {{- if .files }}
      {{- include "dify.filesAffinity" $root | nindent 6 }}
      {{- end }}
      initContainers: {{- include "dify.waitForData" $root | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "dify.apiImage" $root }}
          imagePullPolicy: {{ include "dify.pullPolicy" $root }}
          env: {{- include "dify.apiEnv" (merge (dict "mode" .mode) $root) | nindent 12 }}
          {{- if .port }}
          ports:
            - {name: http, containerPort: {{ include "dify.port" "api" }}, protocol: TCP}
          startupProbe:
            httpGet: {path: {{ include "dify.healthPath" (dict "root" $root "component" "api") }}, port: http}
            periodSeconds: 5
            failureThreshold: 60
          readinessProbe:
            httpGet: {path: {{ include "dify.healthPath" (dict "root" $root "component" "api") }}, port: http}
            periodSeconds: 10
            timeoutSeconds: 5
          livenessProbe:
            httpGet: {path: {{ include "dify.healthPath" (dict "root" $root "component" "api") }}, port: http}
            periodSeconds: 20
            timeoutSeconds: 5
            failureThreshold: 6
          {{- else }}
          {{- /* worker and beat: Dify 1.11.4 has no Celery health check, and celery is PID 1
          (the container ends when it dies); a probe would only add load. */}}
          {{- end }}
          securityContext: {{- include "dify.containerSecurityContext" $root | nindent 12 }}
          resources: {{- include "dify.resources" (dict "component" .component "values" .values.resources
            "sizing" $root.Values.global.sizing) | nindent 12 }}
          volumeMounts:
            - {name: files, mountPath: /app/api/storage}
      volumes:
        {{- if .files }}
        {{- include "dify.filesVolume" $root | nindent 8 }}
        {{- else }}
        - name: files
          emptyDir: {}
        {{- end }}
{{- end -}}
