{{/* Names and labels shared by every template. */}}

{{- define "kubetune.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release name alone when it already contains the chart name ("kubetune"), as most charts do. */}}
{{- define "kubetune.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kubetune.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubetune.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "kubetune.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "kubetune.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kubetune.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kubetune.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository:tag, the tag defaulting to the chart's appVersion. Argument: an image values map and the root. */}}
{{- define "kubetune.image" -}}
{{- $image := index . 0 -}}
{{- $root := index . 1 -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{- define "kubetune.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/*
What the operator does, and nothing more: reconcile FineTuneJobs and EvalJobs into Jobs with a
ConfigMap (the spec) and a ServiceAccount/Role/RoleBinding per job (the trainer's status patches).
The per-job Role grants get/patch on finetunejobs/status and evaljobs/status, so the operator
holds those verbs itself: Kubernetes refuses to let it grant rights it does not have.
*/}}
{{- define "kubetune.operatorRules" -}}
- apiGroups: ["kubetune.io"]
  resources: ["finetunejobs", "evaljobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: ["kubetune.io"]
  resources: ["finetunejobs/status", "evaljobs/status"]
  verbs: ["get", "patch"]
# children carry blockOwnerDeletion owner references, which the OwnerReferencesPermissionEnforcement
# admission plugin allows only to who may update the owner's finalizers
- apiGroups: ["kubetune.io"]
  resources: ["finetunejobs/finalizers", "evaljobs/finalizers"]
  verbs: ["update"]
# patch: the outcome annotation on a finished Job (retries counted across operator restarts)
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["configmaps", "serviceaccounts"]
  # get: on a name clash (409) the operator checks that the object is its own before using it
  verbs: ["get", "create"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "create"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
