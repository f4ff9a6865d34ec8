//! The runtime picker: a select over every runtime core knows.

use shipshape_core::{Field, Runtime};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct RuntimeFieldProps {
    /// The selected runtime's id.
    pub value: AttrValue,
    pub error: Option<AttrValue>,
    pub dispatcher: UseReducerDispatcher<State>,
}

#[component]
pub fn RuntimeField(props: &RuntimeFieldProps) -> Html {
    let field = Field::Runtime;
    let id = field.id();
    let onchange = {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            dispatcher.dispatch(Action::Set(field, select.value()));
        })
    };
    let help_id = format!("{id}-help");

    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={id}>{ field.label() }</label>
            <select {id} name={id} aria-describedby={help_id.clone()} {onchange}>
                { for Runtime::ALL.into_iter().map(|runtime| html! {
                    <option value={runtime.id()} selected={props.value == runtime.id()}>
                        { runtime.label() }
                    </option>
                }) }
            </select>
            <p class="help" id={help_id}>{ field.help() }</p>
            <p class="error" id={format!("{id}-error")} aria-live="polite">
                { props.error.clone().unwrap_or_default() }
            </p>
        </div>
    }
}
