//! The form pane: the preset picker, project fields, and the fields of one app service.

use shipshape_core::Field;
use shipshape_core::model::{
    CanaryEngine, DeployTool, Runtime, SecretsProvider, ServiceField, Strategy,
};
use yew::prelude::*;

use crate::components::{PresetPicker, SelectField, ServiceTabs, TextField};
use crate::state::StateContext;

#[component]
pub fn SettingsForm() -> Html {
    let state = use_context::<StateContext>().expect("SettingsForm needs the StateContext");
    let dispatcher = state.dispatcher();
    let error = |field: Field| state.error(field).map(|e| AttrValue::from(e.to_owned()));
    let text = |field: Field, input_mode: &'static str| {
        html! {
            <TextField {field} value={AttrValue::from(state.input(field))} error={error(field)}
                input_mode={input_mode} dispatcher={dispatcher.clone()} />
        }
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
    let index = state
        .selected_service
        .min(state.project.services.len().saturating_sub(1));
    let service = state.project.services.get(index);
    let field = |f| Field::Service(index, f);
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
            </div>
        }
    });

    html! {
        <section class="form-pane" aria-labelledby="form-title">
            <h2 id="form-title">{ "Your project" }</h2>
            <form onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())} novalidate=true>
                <PresetPicker current={state.preset} dispatcher={dispatcher.clone()} />
                { text(Field::ProjectName, "text") }
                { text(Field::RepositoryOwner, "text") }
                { text(Field::RepositoryName, "text") }
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
                    <ServiceTabs services={state.project.services.clone()} selected={index} dispatcher={dispatcher.clone()} />
                    { service_fields.unwrap_or_default() }
                </fieldset>
            </form>
        </section>
    }
}
