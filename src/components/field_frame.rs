//! What every form field shares: the label, the control, the help line and the message.

use shipshape_core::Field;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldFrameProps {
    pub field: Field,
    pub error: Option<AttrValue>,
    /// The control: an input or a select with `id = field.id()`.
    pub children: Html,
}

#[component]
pub fn FieldFrame(props: &FieldFrameProps) -> Html {
    let id = props.field.id();
    let help = props.field.help();
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ props.field.label() }</label>
            { props.children.clone() }
            if !help.is_empty() {
                <p class="help" id={format!("{id}-help")}>{ help }</p>
            }
            <p class="error" id={format!("{id}-error")} aria-live="polite">
                { props.error.clone().unwrap_or_default() }
            </p>
        </div>
    }
}

/// The ids a control names in `aria-describedby`: its help line and its message.
pub fn described_by(field: Field) -> String {
    let id = field.id();
    format!("{id}-help {id}-error")
}
