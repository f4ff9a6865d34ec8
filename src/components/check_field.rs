//! A labelled checkbox for an on/off setting, with its help line and message.

use shipshape_core::Field;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::field_frame::described_by;
use crate::state::{Action, State};

/// The checkbox of `field`. A function: the form renders the few checkboxes it has with itself.
pub fn check_field(
    field: Field,
    checked: bool,
    error: Option<AttrValue>,
    dispatcher: &UseReducerDispatcher<State>,
) -> Html {
    let id = field.id();
    let onchange = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            dispatcher.dispatch(Action::Set(field, input.checked().to_string()));
        })
    };
    html! {
        <div class={classes!("field", "check", error.is_some().then_some("invalid"))}>
            <input type="checkbox" id={id.clone()} checked={checked}
                   aria-describedby={described_by(field)} {onchange} />
            <label for={id.clone()}>{ field.label() }</label>
            <p class="help" id={format!("{id}-help")}>{ field.help() }</p>
            <p class="error" id={format!("{id}-error")} aria-live="polite">
                { error.unwrap_or_default() }
            </p>
        </div>
    }
}
