//! Tabs to pick which app service the form edits.

use shipshape_core::model::AppService;
use yew::prelude::*;

use crate::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct ServiceTabsProps {
    pub services: Vec<AppService>,
    pub selected: usize,
    pub dispatcher: UseReducerDispatcher<State>,
}

#[component]
pub fn ServiceTabs(props: &ServiceTabsProps) -> Html {
    html! {
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
    }
}
