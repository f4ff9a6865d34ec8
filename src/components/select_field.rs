//! A labelled select over a fixed list of options, with its help line and message.

use shipshape_core::Field;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::field_frame::{described_by, field_frame};
use crate::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    pub field: Field,
    /// `(value, label)` pairs, in display order.
    pub options: Vec<(AttrValue, AttrValue)>,
    /// The selected value.
    pub value: AttrValue,
    pub error: Option<AttrValue>,
    pub dispatcher: UseReducerDispatcher<State>,
}

#[component]
pub fn SelectField(props: &SelectFieldProps) -> Html {
    let field = props.field;
    let id = field.id();
    let onchange = {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            dispatcher.dispatch(Action::Set(field, select.value()));
        })
    };
    // Yew diffs the options in place, and an `<option selected>` attribute does not move a
    // selection the browser already holds; setting the select's value after each render does.
    let select_ref = use_node_ref();
    {
        let select_ref = select_ref.clone();
        use_effect_with(
            (props.value.clone(), props.options.clone()),
            move |(value, _)| {
                if let Some(select) = select_ref.cast::<HtmlSelectElement>() {
                    select.set_value(value);
                }
            },
        );
    }
    let control = html! {
        <select ref={select_ref} id={id.clone()} name={id} aria-describedby={described_by(field)} {onchange}>
            { for props.options.iter().map(|(value, label)| html! {
                <option value={value.clone()} selected={*value == props.value}>{ label.clone() }</option>
            }) }
        </select>
    };
    field_frame(field, props.error.clone(), control)
}
