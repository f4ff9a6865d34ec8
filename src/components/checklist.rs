//! The deployment checklist: before, during and after a release. What is ticked is part of
//! the settings, so it is autosaved, exported and shared with them.

use shipshape_core::model::CHECKLIST;
use yew::prelude::*;

use crate::state::{Action, State};

/// A function: it reads the state, so it would render with every edit as a component too.
pub fn checklist(state: &State, dispatcher: &UseReducerDispatcher<State>) -> Html {
    let done = &state.project.checklist;
    let items = CHECKLIST.iter().map(|item| {
        let id = format!("check-{}", item.id);
        let ticked = done.iter().any(|d| d == item.id);
        let onchange = {
            let dispatcher = dispatcher.clone();
            let item = item.id;
            Callback::from(move |_: Event| dispatcher.dispatch(Action::ToggleCheck(item)))
        };
        html! {
            <li class="field check">
                <input type="checkbox" id={id.clone()} checked={ticked} {onchange} />
                <label for={id}><strong>{ item.phase }{ ": " }</strong>{ item.text }</label>
            </li>
        }
    });
    html! {
        <section class="changes" aria-labelledby="checklist-title">
            <h2 id="checklist-title">{ "Deployment checklist" }</h2>
            <p class="help" id="checklist-count">
                { format!("{} of {} done. Saved, exported and shared with the settings; docs/RUNBOOK.md has the same list.", done.len(), CHECKLIST.len()) }
            </p>
            <ul class="checklist">{ for items }</ul>
        </section>
    }
}
