//! The preset picker: start from any of core's presets.

use shipshape_core::model::{PRESETS, preset};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::state::{Action, State};

/// The picker, for the preset the work started from; `edited` says the user changed something,
/// so a new preset must ask first. A function: it renders with the form around it anyway.
pub fn preset_picker(
    current: &'static str,
    edited: bool,
    dispatcher: UseReducerDispatcher<State>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        let chosen = select.value();
        let question =
            format!("Start again from {chosen}? Your changes to these settings will be lost.");
        if !edited || crate::browser::confirm(&question) {
            dispatcher.dispatch(Action::LoadPreset(chosen));
        } else {
            // Kept: the list shows the preset the work started from again.
            select.set_value(current);
        }
    });
    let description = preset(current).map(|p| p.description).unwrap_or_default();

    html! {
        <div class="field preset">
            <label for="preset">{ "Start from a preset" }</label>
            <select id="preset" name="preset" aria-describedby="preset-help" {onchange}>
                if preset(current).is_none() {
                    <option value="" selected=true disabled=true>{ "Your own settings" }</option>
                }
                { for PRESETS.iter().map(|p| html! {
                    <option value={p.name} selected={p.name == current}>{ p.name }</option>
                }) }
            </select>
            <p class="help" id="preset-help">{ description }</p>
        </div>
    }
}
