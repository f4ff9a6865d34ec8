//! "Break it": one click turns a safe default of the generated files off and shows what the
//! rules then find, across every file. The settings are not touched.

use std::rc::Rc;

use shipshape_core::Bundle;
use shipshape_core::breakage::{self, Breakage};
use yew::prelude::*;

#[derive(Properties)]
pub struct BreakItProps {
    pub bundle: Rc<Bundle>,
}

impl PartialEq for BreakItProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.bundle, &other.bundle)
    }
}

#[component]
pub fn BreakIt(props: &BreakItProps) -> Html {
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
    let result = (*chosen).map(|b| {
        let (files, found) = breakage::findings(&props.bundle, b);
        let summary = if files.is_empty() {
            "This project has nothing of the kind to break.".to_owned()
        } else {
            let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            format!(
                "{} new {} in {}.",
                found.len(),
                if found.len() == 1 {
                    "finding"
                } else {
                    "findings"
                },
                paths.join(", ")
            )
        };
        html! {
            <div id="break-result" role="status">
                <p class="why">{ b.why() }</p>
                <p id="break-summary">{ summary }</p>
                <ul class="break-findings">
                    { for found.iter().map(|d| html! {
                        <li>
                            <strong>{ format!("{} {}", d.code, d.name) }</strong>
                            { format!(" {}:{}: {}", d.file, d.line, d.message) }
                        </li>
                    }) }
                </ul>
            </div>
        }
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
