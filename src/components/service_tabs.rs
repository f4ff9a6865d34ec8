//! Tabs to pick which app service the form edits, and the buttons that add, duplicate, move
//! and remove services.

use shipshape_core::model::{AppService, Runtime};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct ServiceTabsProps {
    pub services: Vec<AppService>,
    pub selected: usize,
    /// Why the last change of shape was refused.
    pub error: Option<AttrValue>,
    pub dispatcher: UseReducerDispatcher<State>,
}

#[component]
pub fn ServiceTabs(props: &ServiceTabsProps) -> Html {
    let selected = props.selected;
    let count = props.services.len();
    let act = |action: fn(usize) -> Action| {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action(selected)))
    };
    let move_to = |to: usize| {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::MoveService(selected, to)))
    };
    // The runtime is read from the list when Add is pressed: nothing to keep in sync.
    let runtime_list = use_node_ref();
    let add = {
        let dispatcher = props.dispatcher.clone();
        let runtime_list = runtime_list.clone();
        Callback::from(move |_: MouseEvent| {
            let chosen = runtime_list
                .cast::<HtmlSelectElement>()
                .map(|select| select.value())
                .unwrap_or_default();
            let runtime = Runtime::ALL
                .iter()
                .find(|r| r.id() == chosen)
                .copied()
                .unwrap_or(Runtime::ALL[0]);
            dispatcher.dispatch(Action::AddService(runtime));
        })
    };
    let name = props
        .services
        .get(selected)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    html! {
        <div class="service-bar">
        <div class="tabs" role="tablist" aria-label="App services">
            { for props.services.iter().enumerate().map(|(index, service)| {
                let selected = index == props.selected;
                let onclick = {
                    let dispatcher = props.dispatcher.clone();
                    Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::SelectService(index)))
                };
                html! {
                    <button type="button" role="tab" id={format!("service-tab-{index}")}
                        class={classes!("tab", selected.then_some("open"))}
                        aria-selected={selected.to_string()} aria-controls="service-fields" {onclick}>
                        { &service.name }
                    </button>
                }
            }) }
        </div>
        <div class="service-actions">
            <button type="button" id="service-duplicate" class="secondary" onclick={act(Action::DuplicateService)}>
                { format!("Duplicate {name}") }
            </button>
            <button type="button" id="service-left" class="secondary" disabled={selected == 0}
                    aria-label={format!("Move {name} left")} onclick={move_to(selected.saturating_sub(1))}>{ "←" }</button>
            <button type="button" id="service-right" class="secondary" disabled={selected + 1 >= count}
                    aria-label={format!("Move {name} right")} onclick={move_to((selected + 1).min(count.saturating_sub(1)))}>{ "→" }</button>
            <button type="button" id="service-remove" class="secondary" disabled={count <= 1}
                    onclick={act(Action::RemoveService)}>{ format!("Remove {name}") }</button>
        </div>
        <div class="service-add">
            <label for="service-add-runtime">{ "New service" }</label>
            <select id="service-add-runtime" ref={runtime_list}>
                { for Runtime::ALL.iter().map(|r| html! {
                    <option value={r.id()}>{ r.label() }</option>
                }) }
            </select>
            <button type="button" id="service-add" class="secondary" onclick={add}>{ "Add" }</button>
        </div>
        if let Some(error) = props.error.clone() {
            <p id="service-structure-error" class="error" role="alert">{ error }</p>
        }
        </div>
    }
}
