//! A labelled text input with its help line and, when the value is refused, the reason.

use shipshape_core::Field;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::field_frame::{described_by, field_frame};
use crate::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub field: Field,
    /// Exactly what the user typed.
    pub value: AttrValue,
    pub error: Option<AttrValue>,
    /// The `inputmode` hint for on-screen keyboards.
    #[prop_or(AttrValue::Static("text"))]
    pub input_mode: AttrValue,
    pub dispatcher: UseReducerDispatcher<State>,
}

#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let field = props.field;
    let id = field.id();
    let oninput = {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            dispatcher.dispatch(Action::Set(field, input.value()));
        })
    };
    let control = html! {
        <input
            id={id.clone()}
            name={id}
            type="text"
            inputmode={props.input_mode.clone()}
            autocomplete="off"
            spellcheck="false"
            value={props.value.clone()}
            aria-invalid={props.error.is_some().to_string()}
            aria-describedby={described_by(field)}
            {oninput}
        />
    };
    field_frame(field, props.error.clone(), control)
}
