//! The form pane: one field per setting, each wired to the reducer.

use shipshape_core::Field;
use yew::prelude::*;

use crate::components::{RuntimeField, TextField};
use crate::state::StateContext;

#[component]
pub fn SettingsForm() -> Html {
    let state = use_context::<StateContext>().expect("SettingsForm needs the StateContext");
    let dispatcher = state.dispatcher();
    let text_field = |field: Field, input_mode: &'static str| {
        html! {
            <TextField
                {field}
                value={AttrValue::from(state.input(field).to_owned())}
                error={state.error(field).map(|e| AttrValue::from(e.to_owned()))}
                input_mode={input_mode}
                dispatcher={dispatcher.clone()}
            />
        }
    };

    html! {
        <section class="form-pane" aria-labelledby="form-title">
            <h2 id="form-title">{ "Your service" }</h2>
            <form onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())} novalidate=true>
                { text_field(Field::ServiceName, "text") }
                <RuntimeField
                    value={AttrValue::from(state.input(Field::Runtime).to_owned())}
                    error={state.error(Field::Runtime).map(|e| AttrValue::from(e.to_owned()))}
                    dispatcher={dispatcher.clone()}
                />
                { text_field(Field::Port, "numeric") }
                { text_field(Field::HealthPath, "url") }
            </form>
        </section>
    }
}
