{{/*
Name of the application: "registry" (the seed's names), overridable with nameOverride.
Used for the `app` and `app.kubernetes.io/name` labels.
*/}}
{{- define "pallet-registry.name" -}}
{{- default "registry" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Name of the Deployment and the Service: "registry" by default, not Helm's usual
<release>-<chart>; fullnameOverride wins.
*/}}
{{- define "pallet-registry.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "pallet-registry.name" . -}}
{{- end -}}
{{- end -}}

{{/* Name of the PersistentVolumeClaim: <fullname>-data ("registry-data"). */}}
{{- define "pallet-registry.pvcName" -}}
{{- printf "%s-data" (include "pallet-registry.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the (cluster-scoped) hostPath PersistentVolume: <pvcName>-<namespace>. */}}
{{- define "pallet-registry.pvName" -}}
{{- printf "%s-%s" (include "pallet-registry.pvcName" .) .Release.Namespace | trunc 253 | trimSuffix "-" -}}
{{- end -}}

{{- define "pallet-registry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: immutable for the life of a release. */}}
{{- define "pallet-registry.selectorLabels" -}}
app: {{ include "pallet-registry.name" . }}
app.kubernetes.io/name: {{ include "pallet-registry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Standard labels on every object. */}}
{{- define "pallet-registry.labels" -}}
{{ include "pallet-registry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/component: registry
app.kubernetes.io/part-of: pallet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "pallet-registry.chart" . }}
{{- end -}}

{{/*
Size of a Kubernetes quantity compared with a minimum, without trusting values.schema.json
(which `--skip-schema-validation` turns off). Fails the render unless the quantity is a
valid, non-negative Kubernetes quantity of at least 100Mi (104857600 bytes).
Input: dict "name" <value path for messages> "value" <quantity>.

Exact up to float64 rounding: the number is parsed once by strconv.ParseFloat (correctly
rounded, hence monotone) and then compared with a threshold that is itself exact in float64:
decimal suffixes are folded into an exponent ("105M" -> "105e6" bytes >= 104857600), binary
suffixes are compared in their own unit (Mi >= 100, Gi >= 0.09765625, ...).
*/}}
{{- define "pallet-registry.requireMin100Mi" -}}
{{- $name := .name -}}
{{- $q := .value -}}
{{- if not (kindIs "string" $q) -}}
{{- fail (printf "%s must be a quantity string such as \"1Gi\" (at least 100Mi), got %v" $name $q) -}}
{{- end -}}
{{- if not (regexMatch `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$` $q) -}}
{{- fail (printf "%s %q is not a Kubernetes quantity (examples: 1Gi, 512Mi, 200M)" $name $q) -}}
{{- end -}}
{{- $num := regexFind `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)` $q -}}
{{- $suffix := trimPrefix $num $q -}}
{{- $binary := dict "Ki" "102400" "Mi" "100" "Gi" "0.09765625" "Ti" "0.0000953674316406250" "Pi" "0.0000000931322574615478515625" "Ei" "0.0000000000909494701772928237915039062500" -}}
{{- $decimal := dict "" "0" "n" "-9" "u" "-6" "m" "-3" "k" "3" "M" "6" "G" "9" "T" "12" "P" "15" "E" "18" -}}
{{- $ok := false -}}
{{- if hasPrefix "-" $num -}}
{{- $ok = false -}}
{{- else if regexMatch `^[eE][-+]?[0-9]+$` $suffix -}}
{{- $ok = ge (float64 $q) 104857600.0 -}}
{{- else if hasKey $binary $suffix -}}
{{- $ok = ge (float64 $num) (float64 (get $binary $suffix)) -}}
{{- else -}}
{{- $ok = ge (float64 (printf "%se%s" $num (get $decimal $suffix))) 104857600.0 -}}
{{- end -}}
{{- if not $ok -}}
{{- fail (printf "%s %q is below the minimum of 100Mi (104857600 bytes) that the registry needs" $name $q) -}}
{{- end -}}
{{- end -}}

{{/*
Template-time validation, a second layer behind values.schema.json.
*/}}
{{- define "pallet-registry.validate" -}}
{{- if lt (int .Values.replicaCount) 1 -}}
{{- fail (printf "replicaCount must be at least 1, got %v" .Values.replicaCount) -}}
{{- end -}}
{{- if and (ne .Values.service.type "ClusterIP") (not (kindIs "invalid" .Values.service.nodePort)) -}}
{{- $np := int .Values.service.nodePort -}}
{{- if or (lt $np 30000) (gt $np 32767) -}}
{{- fail (printf "service.nodePort %v is outside the Kubernetes default NodePort range 30000-32767 (kind maps it to the host port, see README.md)" .Values.service.nodePort) -}}
{{- end -}}
{{- end -}}
{{- if .Values.persistence.enabled -}}
{{- include "pallet-registry.requireMin100Mi" (dict "name" "persistence.size" "value" .Values.persistence.size) -}}
{{- end -}}
{{- end -}}
