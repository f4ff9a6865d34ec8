//! "Break it": one click turns a safe default of the generated files off and shows what the
//! rules then find, across every file. The settings are not touched. The page's second module
//! (`src/lazy.rs`) breaks the files and runs the rules.

use shipshape_core::breakage::Breakage;
use yew::prelude::*;

use crate::components::extras::{About, Extra, about, take, use_extra, waiting};
use crate::state::StateContext;

#[component]
pub fn BreakIt() -> Html {
    let state = use_context::<StateContext>().expect("BreakIt needs the StateContext");
    let chosen = use_state(|| None::<Breakage>);
    let buttons = Breakage::ALL.iter().map(|&b| {
        let onclick = {
            let chosen = chosen.clone();
            Callback::from(move |_: MouseEvent| chosen.set(Some(b)))
        };
        let pressed = *chosen == Some(b);
        html! {
            <button type="button" id={format!("break-{}", b.id())} class="secondary"
                    aria-pressed={pressed.to_string()} {onclick}>{ b.label() }</button>
        }
    });
    // Only the chosen breakage is worked out, and only while it is chosen.
    let extra = use_extra(
        (*chosen)
            .map(|b| -> About { ("break", state.project.clone(), 0, vec![b.id().to_owned()]) }),
        |asked: &Option<About>| asked.as_ref().map(about).unwrap_or_default(),
    );
    let result = chosen.map(|_| match &extra {
        Extra::Answer(answer) => {
            let (why, rest) = take(answer).unwrap_or_default();
            let (summary, mut rest) = take(rest).unwrap_or_default();
            let mut found = Vec::new();
            while let Some((rule, after)) = take(rest) {
                let Some((at, after)) = take(after) else {
                    break;
                };
                found.push(html! { <li><strong>{ rule }</strong>{ at }</li> });
                rest = after;
            }
            html! {
                <div id="break-result" role="status">
                    <p class="why">{ why }</p>
                    <p id="break-summary">{ summary }</p>
                    <ul class="break-findings">{ for found }</ul>
                </div>
            }
        }
        other => waiting(other),
    });
    html! {
        <section class="changes" aria-labelledby="break-title">
            <h2 id="break-title">{ "Break it" }</h2>
            <p class="help">
                { "Turn a safe default off and see what the rules say. Your settings stay as they are." }
            </p>
            <div class="header-actions">{ for buttons }</div>
            { result.unwrap_or_default() }
        </section>
    }
}
