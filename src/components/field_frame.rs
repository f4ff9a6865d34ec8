//! What every form field shares: the label, the control, the help line and the message.

use shipshape_core::Field;
use yew::prelude::*;

/// The frame around `control` (an input or a select with `id = field.id()`). A function, not
/// a component: it has no state, and its caller already decides when to render.
pub fn field_frame(field: Field, error: Option<AttrValue>, control: Html) -> Html {
    let id = field.id();
    let help = field.help();
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ field.label() }</label>
            { control }
            if !help.is_empty() {
                <p class="help" id={format!("{id}-help")}>{ help }</p>
            }
            <p class="error" id={format!("{id}-error")} aria-live="polite">
                { error.unwrap_or_default() }
            </p>
        </div>
    }
}

/// The ids a control names in `aria-describedby`: its help line and its message.
pub fn described_by(field: Field) -> String {
    let id = field.id();
    format!("{id}-help {id}-error")
}
