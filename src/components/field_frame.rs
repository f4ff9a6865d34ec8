//! What every form field shares: the label, the control, the help line and the message.

use shipshape_core::Field;
use yew::prelude::*;

/// The frame around `control` (an input or a select with `id = field.id()`). A function, not
/// a component: it has no state, and its caller already decides when to render.
pub fn field_frame(field: Field, error: Option<AttrValue>, control: Html) -> Html {
    frame(&field.id(), field.label(), field.help(), error, control)
}

/// The frame around a control with id `id` that is not one of the settings (the migration
/// planner's inputs): the same label, help line and message.
pub fn frame(
    id: &str,
    label: &'static str,
    help: &'static str,
    error: Option<AttrValue>,
    control: Html,
) -> Html {
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.to_owned()}>{ label }</label>
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
    ids(&field.id())
}

/// `aria-describedby` for the control with id `id`.
pub fn ids(id: &str) -> String {
    format!("{id}-help {id}-error")
}
