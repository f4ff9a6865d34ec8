//! The user's project, the checks that keep every value usable, presets, and loading saved
//! settings of any schema version.

mod drafts;
mod edit;
mod field;
mod load;
mod presets;
mod project;
mod read;
mod runtime;
mod service;
pub mod share;
mod structure;
mod validate;

pub use drafts::{drafts_from_yaml, drafts_to_yaml};
pub use field::{
    CommandKind, EnvironmentField, Field, ProbeKind, ProbeSetting, ServiceField, Stage,
};
pub use load::{LoadError, from_yaml, to_yaml};
pub use presets::{PRESETS, Preset, preset};
pub use project::{
    Aws, Branches, CHECKLIST, CheckItem, DeployTool, Environment, Environments, EvictionPolicy,
    Kubernetes, Observability, Postgres, Project, Redis, Registry, RegistryKind, Repository,
    SCHEMA_VERSION, SecretsProvider, SecretsStore, StateLocking,
};
pub use runtime::{PackageManager, Runtime};
pub use service::{
    AppService, Autoscaling, CanaryEngine, Commands, EnvVar, Health, Ingress, ProbeTiming, Probes,
    Resources, Rollout, Strategy, replace_references, url_references,
};
pub use structure::Part;
pub use validate::{FieldError, command as check_command, dns_label, http_path, parse_port};
pub(crate) use validate::{bytes, millicores};
