//! The form pane: the preset picker, project fields, and the fields of one app service.

use shipshape_core::Field;
use shipshape_core::model::{
    CanaryEngine, CommandKind, DeployTool, EnvironmentField, EvictionPolicy, Part, ProbeKind,
    ProbeSetting, RegistryKind, Runtime, SecretsProvider, ServiceField, Stage, StateLocking,
    Strategy,
};
use yew::prelude::*;

use crate::components::{SelectField, ServiceTabs, TextField, check_field, preset_picker};
use crate::state::{Action, StateContext};

#[component]
pub fn SettingsForm() -> Html {
    let state = use_context::<StateContext>().expect("SettingsForm needs the StateContext");
    let dispatcher = state.dispatcher();
    // A finding asked for a field: focus it once this render has shown it.
    use_effect_with(state.focus, |focus| {
        if let Some((field, _)) = focus {
            crate::browser::focus(&field.id());
        }
    });
    // Marks when the form is first on the page, for the load-time benchmark to read.
    use_effect_with((), |()| crate::browser::mark("shipshape-form-ready"));
    let error = |field: Field| state.error(field).map(|e| AttrValue::from(e.to_owned()));
    let text = |field: Field, input_mode: &'static str| {
        html! {
            <TextField {field} value={AttrValue::from(state.input(field))} error={error(field)}
                input_mode={input_mode} dispatcher={dispatcher.clone()} />
        }
    };
    let check = |field: Field| {
        check_field(
            field,
            state.project.text(field) == "true",
            error(field),
            &dispatcher,
        )
    };
    // Options whose label is their id (Redis and Terraform name them so in their docs).
    let ids = |ids: &[&'static str]| -> Vec<(AttrValue, AttrValue)> {
        ids.iter()
            .map(|id| (AttrValue::from(*id), AttrValue::from(*id)))
            .collect()
    };
    let select = |field: Field, options: Vec<(AttrValue, AttrValue)>| {
        html! {
            <SelectField {field} {options} value={AttrValue::from(state.input(field))} error={error(field)}
                dispatcher={dispatcher.clone()} />
        }
    };

    let providers = SecretsProvider::ALL
        .iter()
        .map(|p| (p.id().into(), p.label().into()))
        .collect();
    let deploy_tools = DeployTool::ALL
        .iter()
        .map(|t| (t.id().into(), t.label().into()))
        .collect();
    let registries = RegistryKind::ALL
        .iter()
        .map(|r| (r.id().into(), r.label().into()))
        .collect();
    let environments = Stage::ALL.map(|stage| {
        let field = |f| Field::Environment(stage, f);
        html! {
            <fieldset>
                <legend>{ format!("Environment: {}", state.project.environment(stage).name) }</legend>
                { text(field(EnvironmentField::Name), "text") }
                { text(field(EnvironmentField::Namespace), "text") }
                { text(field(EnvironmentField::Hostname), "url") }
                { text(field(EnvironmentField::Replicas), "numeric") }
                { check(field(EnvironmentField::ApprovalRequired)) }
            </fieldset>
        }
    });
    let backing = html! {
        <fieldset>
            <legend>{ "Database, cache and cluster" }</legend>
            if state.project.postgres.is_some() {
                { text(Field::PostgresVersion, "numeric") }
                { text(Field::PostgresDatabase, "text") }
                { check(Field::PostgresPgvector) }
                { check(Field::PostgresInCluster) }
            }
            if state.project.redis.is_some() {
                { text(Field::RedisVersion, "text") }
                { text(Field::RedisMaxMemory, "text") }
                { select(Field::RedisEvictionPolicy, ids(&EvictionPolicy::ALL.map(EvictionPolicy::id))) }
                { check(Field::RedisAppendOnly) }
            }
            { text(Field::IngressClass, "text") }
            { text(Field::IngressNamespace, "text") }
            { text(Field::ClusterIssuer, "text") }
        </fieldset>
    };
    let observability = html! {
        <fieldset>
            <legend>{ "Observability" }</legend>
            { check(Field::ObservabilityEnabled) }
            if state.project.observability.enabled {
                { text(Field::ObservabilityNamespace, "text") }
                { text(Field::PrometheusRelease, "text") }
            }
        </fieldset>
    };
    let cloud = html! {
        <fieldset>
            <legend>{ "Cloud and Terraform" }</legend>
            { check(Field::Aws) }
            if state.project.aws.is_some() {
                { text(Field::AwsRegion, "text") }
                { text(Field::AwsZones, "numeric") }
                { text(Field::AwsVpcCidr, "text") }
                { text(Field::AwsClusterVersion, "text") }
                { text(Field::AwsNodeType, "text") }
                { text(Field::AwsDbClass, "text") }
                { text(Field::AwsCacheType, "text") }
                { text(Field::AwsPublicEndpointCidrs, "text") }
                { select(Field::AwsStateLocking, StateLocking::ALL.iter().map(|l| (l.id().into(), l.label().into())).collect()) }
            }
        </fieldset>
    };
    let index = state
        .selected_service
        .min(state.project.services.len().saturating_sub(1));
    let service = state.project.services.get(index);
    let field = |f| Field::Service(index, f);
    let add_env = |index: usize| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::AddEnv(index)))
    };
    let env_row = |index: usize, variable: usize, var: &shipshape_core::model::EnvVar| {
        let secret = var.secret;
        let field = |f| Field::Service(index, f);
        let remove = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |_: MouseEvent| {
                dispatcher.dispatch(Action::RemoveEnv(index, variable))
            })
        };
        let set_secret = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |e: Event| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                dispatcher.dispatch(Action::SetEnvSecret(index, variable, input.checked()));
            })
        };
        let id = format!("services-{index}-env-{variable}-secret");
        // A plain value that looks like a secret: say where it would end up, offer the move.
        let suspicion = shipshape_core::secrets::plain_suspicion(var);
        let to_store = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |_: MouseEvent| {
                dispatcher.dispatch(Action::MoveEnvToStore(index, variable))
            })
        };
        html! {
            <div class="env-row">
                { text(field(ServiceField::EnvName(variable)), "text") }
                if !secret {
                    { text(field(ServiceField::EnvValue(variable)), "text") }
                }
                if let Some(why) = suspicion {
                    <p class="warning" id={format!("{id}-warning")} role="status">
                        { format!("{} {why}: as plain text it goes into the manifests, the zip and the share link. ", var.name) }
                        <button type="button" class="secondary" id={format!("{id}-move")} onclick={to_store}>
                            { "Make it a secret (clears the value here)" }
                        </button>
                    </p>
                }
                <div class="env-controls">
                    <input type="checkbox" id={id.clone()} checked={secret} onchange={set_secret} />
                    <label for={id}>{ "Secret (from the store)" }</label>
                    <button type="button" class="secondary" id={format!("services-{index}-env-{variable}-remove")}
                            onclick={remove}>{ "Remove" }</button>
                </div>
            </div>
        }
    };
    let toggle = |index: usize, part: Part, on: bool, label: &'static str, help: &'static str| {
        let dispatcher = dispatcher.clone();
        let id = format!(
            "services-{index}-{}",
            match part {
                Part::Autoscaling => "autoscaling-on",
                Part::Ingress => "ingress-on",
                Part::Database => "postgres-on",
                Part::Cache => "redis-on",
            }
        );
        let onchange = Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            dispatcher.dispatch(Action::SetPart(index, part, input.checked()));
        });
        html! {
            <div class="field check">
                <input type="checkbox" id={id.clone()} checked={on} {onchange}
                       aria-describedby={format!("{id}-help")} />
                <label for={id.clone()}>{ label }</label>
                <p class="help" id={format!("{id}-help")}>{ help }</p>
            </div>
        }
    };
    let service_fields = service.map(|service| {
        let runtime = service.runtime;
        let runtimes = Runtime::ALL.iter().map(|r| (r.id().into(), r.label().into())).collect();
        let versions = runtime.versions().iter().map(|v| (AttrValue::from(*v), AttrValue::from(*v))).collect();
        let managers = runtime.package_managers().iter().map(|pm| (pm.id().into(), pm.label().into())).collect();
        let strategies = Strategy::ALL.iter().map(|s| (s.id().into(), s.label().into())).collect();
        let engines = CanaryEngine::ALL.iter().map(|e| (e.id().into(), e.label().into())).collect();
        html! {
            <div id="service-fields" role="tabpanel" aria-labelledby={format!("service-tab-{index}")}>
                { text(field(ServiceField::Name), "text") }
                { text(field(ServiceField::Path), "text") }
                { select(field(ServiceField::Runtime), runtimes) }
                { select(field(ServiceField::Version), versions) }
                { select(field(ServiceField::PackageManager), managers) }
                { text(field(ServiceField::Port), "numeric") }
                { text(field(ServiceField::LivenessPath), "url") }
                { text(field(ServiceField::ReadinessPath), "url") }
                { text(field(ServiceField::StartupPath), "url") }
                { text(field(ServiceField::Image), "text") }
                { toggle(index, Part::Database, service.uses_postgres, "Uses PostgreSQL", "Adds the database to compose, the cluster or the cloud, and its connection settings to this service.") }
                { toggle(index, Part::Cache, service.uses_redis, "Uses Redis", "Adds the cache likewise, with its address for this service.") }
                <h3 class="subsection">{ "Environment variables" }</h3>
                { for service.env.iter().enumerate().map(|(variable, var)| env_row(index, variable, var)) }
                <button type="button" id={format!("services-{index}-env-add")} class="secondary"
                        onclick={add_env(index)}>{ "Add a variable" }</button>
                <h3 class="subsection">{ "Build and CI" }</h3>
                { text(field(ServiceField::TestVersions), "text") }
                { for CommandKind::ALL.iter().map(|kind| text(field(ServiceField::Command(*kind)), "text")) }
                <h3 class="subsection">{ "Scaling and resources" }</h3>
                { toggle(index, Part::Autoscaling, service.autoscaling.is_some(), "Autoscaling", "An HPA adds pods under load, between a minimum and a maximum.") }
                if service.autoscaling.is_some() {
                    { text(field(ServiceField::AutoscalingMin), "numeric") }
                    { text(field(ServiceField::AutoscalingMax), "numeric") }
                    { text(field(ServiceField::AutoscalingCpu), "numeric") }
                    { text(field(ServiceField::AutoscalingMemory), "numeric") }
                } else {
                    { text(field(ServiceField::Replicas), "numeric") }
                }
                { text(field(ServiceField::CpuRequest), "text") }
                { text(field(ServiceField::CpuLimit), "text") }
                { text(field(ServiceField::MemoryRequest), "text") }
                { text(field(ServiceField::MemoryLimit), "text") }
                <h3 class="subsection">{ "Ingress" }</h3>
                { toggle(index, Part::Ingress, service.ingress.is_some(), "Reachable from outside", "An Ingress with TLS routes a host and path to this service.") }
                if service.ingress.is_some() {
                    { text(field(ServiceField::IngressHost), "text") }
                    { text(field(ServiceField::IngressPath), "url") }
                }
                <h3 class="subsection">{ "Kubernetes rollout" }</h3>
                { select(field(ServiceField::Strategy), strategies) }
                if service.rollout.strategy != Strategy::BlueGreen {
                    { text(field(ServiceField::MaxSurge), "text") }
                    { text(field(ServiceField::MaxUnavailable), "text") }
                }
                if service.rollout.strategy == Strategy::Canary {
                    { select(field(ServiceField::CanaryEngine), engines) }
                    { text(field(ServiceField::CanarySteps), "text") }
                }
                { text(field(ServiceField::TerminationGrace), "numeric") }
                <h3 class="subsection">{ "Probe timings" }</h3>
                <div class="probe-grid">
                    { for ProbeKind::ALL.iter().flat_map(|kind| ProbeSetting::ALL.map(|setting| {
                        text(field(ServiceField::Probe(*kind, setting)), "numeric")
                    })) }
                </div>
            </div>
        }
    });

    html! {
        <section class="form-pane" aria-labelledby="form-title">
            <h2 id="form-title">{ "Your project" }</h2>
            <form onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())} novalidate=true>
                { preset_picker(state.preset, state.is_edited(), dispatcher.clone()) }
                { text(Field::ProjectName, "text") }
                { text(Field::RepositoryOwner, "text") }
                { text(Field::RepositoryName, "text") }
                <fieldset>
                    <legend>{ "Repository and registry" }</legend>
                    { text(Field::ProductionBranch, "text") }
                    { text(Field::StagingBranch, "text") }
                    { text(Field::FeaturePrefix, "text") }
                    { select(Field::RegistryKind, registries) }
                    { text(Field::RegistryAddress, "text") }
                </fieldset>
                <fieldset>
                    <legend>{ "Delivery" }</legend>
                    { select(Field::DeployTool, deploy_tools) }
                    { select(Field::SecretsProvider, providers) }
                    if state.project.secrets_provider != SecretsProvider::None {
                        { text(Field::SecretsStoreAddress, "text") }
                    }
                    if matches!(state.project.secrets_provider, SecretsProvider::Vault | SecretsProvider::AzureKeyVault | SecretsProvider::GcpSecretManager) {
                        { text(Field::SecretsStoreIdentity, "text") }
                    }
                </fieldset>
                <fieldset>
                    <legend>{ "App services" }</legend>
                    <ServiceTabs services={state.project.services.clone()} selected={index}
                        error={state.structure_error.clone().map(AttrValue::from)} dispatcher={dispatcher.clone()} />
                    { service_fields.unwrap_or_default() }
                </fieldset>
                { backing }
                { for environments }
                { observability }
                { cloud }
            </form>
        </section>
    }
}
