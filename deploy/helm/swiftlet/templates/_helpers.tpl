{{- define "swiftlet.name" -}}
{{- default .Release.Name .Values.nameOverride | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "swiftlet.labels" -}}
app.kubernetes.io/name: {{ include "swiftlet.name" . }}
app.kubernetes.io/part-of: swiftlet
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "swiftlet.selector" -}}
app.kubernetes.io/name: {{ include "swiftlet.name" . }}
{{- end -}}
