{{/* Names: every object is named after the service, as in k8s/<environment>/. */}}
{{- define "app.name" -}}
{{- .Values.name -}}
{{- end -}}

{{- define "app.fullname" -}}
{{- .Values.name -}}
{{- end -}}

{{/* The labels a selector matches: stable for the life of a workload. */}}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Values.instance }}
{{- end -}}

{{/* Every object's labels. */}}
{{- define "app.labels" -}}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/part-of: {{ .Values.partOf }}
app.kubernetes.io/managed-by: shipshape
{{- end -}}

{{/* The image of one workload: by digest once CI has deployed one (per track for blue-green
     and canaries, so each colour keeps its own), else by the branch's tag. */}}
{{- define "app.image" -}}
{{- $root := .root -}}
{{- $digest := (index $root.Values.image.digests (.track | default "")) | default $root.Values.image.digest -}}
{{- if $digest -}}
{{ $root.Values.image.repository }}@{{ $digest }}
{{- else -}}
{{ $root.Values.image.repository }}:{{ $root.Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* The pod template, shared by the Deployments and the Rollout. */}}
{{- define "app.podTemplate" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "app.labels" $root | nindent 4 }}
    {{- with .extraLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "app.fullname" $root }}
  automountServiceAccountToken: false
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
  {{- with $root.Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ include "app.fullname" $root }}
      image: {{ .image | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ $root.Values.port }}
          protocol: TCP
      envFrom:
        - configMapRef:
            name: {{ include "app.fullname" $root }}-config
      {{- with $root.Values.secretKeys }}
      env:
        {{- range . }}
        - name: {{ . }}
          valueFrom:
            secretKeyRef:
              name: {{ include "app.fullname" $root }}-secrets
              key: {{ . }}
        {{- end }}
      {{- end }}
      resources:
        {{- toYaml $root.Values.resources | nindent 8 }}
      startupProbe:
        {{- toYaml $root.Values.probes.startup | nindent 8 }}
      livenessProbe:
        {{- toYaml $root.Values.probes.liveness | nindent 8 }}
      readinessProbe:
        {{- toYaml $root.Values.probes.readiness | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      lifecycle:
        preStop:
          sleep:
            seconds: {{ $root.Values.preStopSleepSeconds }}
      volumeMounts:
        {{- range $index, $path := $root.Values.writableDirs }}
        - name: writable-{{ $index }}
          mountPath: {{ $path }}
        {{- end }}
  volumes:
    {{- range $index, $path := $root.Values.writableDirs }}
    - name: writable-{{ $index }}
      emptyDir:
        sizeLimit: 256Mi
    {{- end }}
{{- end -}}

{{- /* An ExternalSecret's spec for the Secret named .name: the service's keys, and with a
rotated RDS password DATABASE_URL from the master secret, rebuilt at each refresh. */}}
{{- define "app.externalSecretSpec" -}}
refreshInterval: {{ .Values.externalSecret.refreshInterval | quote }}
secretStoreRef:
  name: {{ .Values.externalSecret.storeName }}
  kind: SecretStore
target:
  name: {{ .name }}
  creationPolicy: Owner
  {{- with .Values.externalSecret.database }}
  template:
    engineVersion: v2
    mergePolicy: Merge
    data:
      DATABASE_URL: {{ printf "postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@%s:%v/%s?sslmode=require" (required "externalSecret.database.host is empty: write this environment's `terraform output -json database` into it (docs/RUNBOOK.md, First deploy)" .host) .port .name | quote }}
  {{- end }}
data:
  {{- with .Values.externalSecret.data }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- with .Values.externalSecret.database }}
  {{- $secret := required "externalSecret.database.masterSecretArn is empty: write this environment's `terraform output -json database` into it (docs/RUNBOOK.md, First deploy)" .masterSecretArn }}
  {{- range list "username" "password" }}
  - secretKey: {{ . }}
    remoteRef:
      key: {{ $secret | quote }}
      property: {{ . }}
  {{- end }}
  {{- end }}
{{- end }}
