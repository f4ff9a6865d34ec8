//! The Kubernetes object shapes the generator writes: only the fields it sets, named and
//! ordered as `kubectl get -o yaml` shows them, so output reads like a hand-written manifest.
//! Checked against the real schemas by `kubernetes-validate --strict` in conformance.

use crate::yaml::Map;
use crate::yaml::Scalar;
use serde::Serialize;

/// Labels (or any short string map) in insertion order.
pub type Labels = crate::yaml::Map<String, String>;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Object<T: Serialize> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: Metadata,
    #[serde(flatten)]
    pub body: T,
}

#[derive(Serialize, Default, Clone)]
pub struct Metadata {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub annotations: Map<String, String>,
}

/// For kinds whose whole content is their metadata (Namespace).
#[derive(Serialize)]
pub struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountBody {
    pub automount_service_account_token: bool,
}

#[derive(Serialize)]
pub struct ConfigMapBody {
    pub data: Map<String, String>,
}

#[derive(Serialize)]
pub struct Spec<T: Serialize> {
    pub spec: T,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    pub match_labels: Labels,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    /// Omitted when a HorizontalPodAutoscaler owns the count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    pub revision_history_limit: u32,
    pub selector: LabelSelector,
    pub strategy: DeploymentStrategy,
    pub template: PodTemplate,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStrategy {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub rolling_update: RollingUpdate,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdate {
    /// A count or a percentage: Kubernetes' IntOrString.
    pub max_surge: Scalar,
    pub max_unavailable: Scalar,
}

#[derive(Serialize, Clone)]
pub struct PodTemplate {
    pub metadata: TemplateMetadata,
    pub spec: PodSpec,
}

#[derive(Serialize, Clone)]
pub struct TemplateMetadata {
    pub labels: Labels,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    pub service_account_name: String,
    pub automount_service_account_token: bool,
    pub security_context: PodSecurityContext,
    pub termination_grace_period_seconds: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub topology_spread_constraints: Vec<TopologySpread>,
    pub containers: Vec<Container>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext {
    pub run_as_non_root: bool,
    pub run_as_user: u32,
    pub run_as_group: u32,
    pub fs_group: u32,
    pub seccomp_profile: SeccompProfile,
}

#[derive(Serialize, Clone)]
pub struct SeccompProfile {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct TopologySpread {
    pub max_skew: u32,
    pub topology_key: &'static str,
    pub when_unsatisfiable: &'static str,
    pub label_selector: LabelSelector,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    pub image: String,
    pub image_pull_policy: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    pub ports: Vec<ContainerPort>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFrom>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    pub resources: Resources,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    pub liveness_probe: Probe,
    pub readiness_probe: Probe,
    pub security_context: ContainerSecurityContext,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    pub name: &'static str,
    pub container_port: u16,
    pub protocol: &'static str,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct EnvFrom {
    pub config_map_ref: NameRef,
}

#[derive(Serialize, Clone)]
pub struct NameRef {
    pub name: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    pub name: String,
    pub value_from: ValueFrom,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ValueFrom {
    pub secret_key_ref: SecretKeyRef,
}

#[derive(Serialize, Clone)]
pub struct SecretKeyRef {
    pub name: String,
    pub key: String,
}

#[derive(Serialize, Clone)]
pub struct Resources {
    pub requests: Quantities,
    pub limits: Quantities,
}

#[derive(Serialize, Clone)]
pub struct Quantities {
    pub cpu: String,
    pub memory: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    #[serde(skip_serializing_if = "is_zero")]
    pub initial_delay_seconds: u32,
    pub period_seconds: u32,
    pub timeout_seconds: u32,
    pub failure_threshold: u32,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

#[derive(Serialize, Clone)]
pub struct HttpGet {
    pub path: String,
    /// The container port's name, so probes follow the port when it changes.
    pub port: &'static str,
}

#[derive(Serialize, Clone)]
pub struct ExecAction {
    pub command: Vec<String>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSecurityContext {
    pub allow_privilege_escalation: bool,
    pub read_only_root_filesystem: bool,
    pub run_as_non_root: bool,
    pub capabilities: Capabilities,
}

#[derive(Serialize, Clone)]
pub struct Capabilities {
    pub drop: Vec<&'static str>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    pub pre_stop: PreStop,
}

#[derive(Serialize, Clone)]
pub struct PreStop {
    pub sleep: Sleep,
}

#[derive(Serialize, Clone)]
pub struct Sleep {
    pub seconds: u32,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    pub name: String,
    pub mount_path: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    pub empty_dir: EmptyDir,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct EmptyDir {
    pub size_limit: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "clusterIP")]
    pub cluster_ip: Option<&'static str>,
    pub selector: Labels,
    pub ports: Vec<ServicePort>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    pub name: &'static str,
    pub port: u16,
    pub target_port: &'static str,
    pub protocol: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    pub ingress_class_name: String,
    pub tls: Vec<IngressTls>,
    pub rules: Vec<IngressRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressTls {
    pub hosts: Vec<String>,
    pub secret_name: String,
}

#[derive(Serialize)]
pub struct IngressRule {
    pub host: String,
    pub http: IngressHttp,
}

#[derive(Serialize)]
pub struct IngressHttp {
    pub paths: Vec<IngressPath>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressPath {
    pub path: String,
    pub path_type: &'static str,
    pub backend: IngressBackend,
}

#[derive(Serialize)]
pub struct IngressBackend {
    pub service: IngressServiceBackend,
}

#[derive(Serialize)]
pub struct IngressServiceBackend {
    pub name: String,
    pub port: NamedPort,
}

#[derive(Serialize)]
pub struct NamedPort {
    pub name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaSpec {
    pub scale_target_ref: ScaleTarget,
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub metrics: Vec<Metric>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTarget {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub name: String,
}

#[derive(Serialize)]
pub struct Metric {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub resource: ResourceMetric,
}

#[derive(Serialize)]
pub struct ResourceMetric {
    pub name: &'static str,
    pub target: MetricTarget,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTarget {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub average_utilization: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdbSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_available: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<u32>,
    pub selector: LabelSelector,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    pub pod_selector: PodSelector,
    pub policy_types: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<PolicyRule>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<PolicyRule>,
}

/// A pod selector that may be empty (`{}` selects every pod in the namespace).
#[derive(Serialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodSelector {
    #[serde(skip_serializing_if = "Labels::is_empty")]
    pub match_labels: Labels,
}

#[derive(Serialize, Default)]
pub struct PolicyRule {
    /// `from` for ingress rules, `to` for egress rules.
    #[serde(rename = "from", skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<Peer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Peer>,
    pub ports: Vec<PolicyPort>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Peer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<PodSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<PodSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
}

#[derive(Serialize)]
pub struct IpBlock {
    pub cidr: &'static str,
}

#[derive(Serialize)]
pub struct PolicyPort {
    pub protocol: &'static str,
    pub port: u16,
}

#[derive(Serialize)]
pub struct QuotaSpec {
    pub hard: Map<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetSpec {
    pub service_name: String,
    pub replicas: u32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
    pub volume_claim_templates: Vec<ClaimTemplate>,
}

#[derive(Serialize)]
pub struct ClaimTemplate {
    pub metadata: NameRef,
    pub spec: ClaimSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimSpec {
    pub access_modes: Vec<&'static str>,
    pub resources: ClaimResources,
}

#[derive(Serialize)]
pub struct ClaimResources {
    pub requests: Map<&'static str, &'static str>,
}
