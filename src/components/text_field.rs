//! A labelled text input with its help line and, when the value is refused, the reason.

use shipshape_core::Field;
use web_sys::HtmlInputElement;
use yew::prelude::*;

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
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let help = field.help();

    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ field.label() }</label>
            <input
                id={id.clone()}
                name={id}
                type="text"
                inputmode={props.input_mode.clone()}
                autocomplete="off"
                spellcheck="false"
                value={props.value.clone()}
                aria-invalid={props.error.is_some().to_string()}
                aria-describedby={format!("{help_id} {error_id}")}
                {oninput}
            />
            if !help.is_empty() {
                <p class="help" id={help_id}>{ help }</p>
            }
            <p class="error" id={error_id} aria-live="polite">
                { props.error.clone().unwrap_or_default() }
            </p>
        </div>
    }
}
