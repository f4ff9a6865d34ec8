//! "Plan a schema change": the zero-downtime migration planner for the selected service. It
//! says whether a change suits both the old and the new pods of a rolling update and, where it
//! does not, shows the expand, migrate and contract phases with their SQL, undo, and the
//! service's migration files. What the user typed is kept in this browser. The plan is worked
//! out by the page's second module (`src/extras.rs`).

use shipshape_core::migration::{Change, Input};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser;
use crate::components::extras::{Extra, SEP, about, use_extra, waiting};
use crate::components::field_frame::{frame, ids};
use crate::state::StateContext;

/// Where the planner's inputs are kept: the change's id, then table, column, type and new
/// name, one per line (inputs cannot hold line breaks).
const SAVED_KEY: &str = "shipshape.planner";

/// The inputs, in the order of [`Input`], with their ids and labels.
const INPUTS: [(Input, &str, &str); 4] = [
    (Input::Table, "planner-table", "Table"),
    (Input::Column, "planner-column", "Column"),
    (Input::Type, "planner-type", "Type (PostgreSQL)"),
    (Input::NewName, "planner-new-name", "New name"),
];

#[derive(Clone, PartialEq)]
struct Typed {
    change: Change,
    texts: [String; 4],
}

impl Typed {
    fn restore(saved: Option<String>) -> Typed {
        let saved = saved.unwrap_or_default();
        let mut lines = saved.lines();
        let change = lines.next().and_then(Change::from_id);
        let mut texts = ["users", "country", "text", ""].map(String::from);
        if change.is_some() {
            for text in &mut texts {
                *text = lines.next().unwrap_or_default().to_string();
            }
        }
        Typed {
            change: change.unwrap_or(Change::AddNotNullColumn),
            texts,
        }
    }

    /// Applies `edit` to what is typed, keeps the result in this browser, and shows it.
    fn edit(typed: &UseStateHandle<Typed>, persist: bool, edit: impl FnOnce(&mut Typed)) {
        let mut next = (**typed).clone();
        edit(&mut next);
        next.save(persist);
        typed.set(next);
    }

    fn save(&self, persist: bool) {
        if persist {
            let mut saved = self.change.id().to_string();
            for text in &self.texts {
                saved.push('\n');
                saved.push_str(text);
            }
            // A full storage loses only this scratch text; the settings say so on their own.
            let _ = browser::save(SAVED_KEY, &saved);
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct PlannerProps {
    /// Keep what was typed in localStorage (off in tests that mount many apps).
    pub persist: bool,
}

#[component]
pub fn Planner(props: &PlannerProps) -> Html {
    let state = use_context::<StateContext>().expect("Planner needs the StateContext");
    let persist = props.persist;
    let typed = use_state(|| Typed::restore(persist.then(|| browser::load(SAVED_KEY)).flatten()));
    let [table, column, column_type, new_name] = &typed.texts;
    let change = typed.change;
    let mut fields = vec![change.id().to_owned()];
    fields.extend([table, column, column_type, new_name].map(String::clone));
    let extra = use_extra(
        (
            "plan",
            state.project.clone(),
            state.selected_service,
            fields,
        ),
        about,
    );
    if state.project.services.get(state.selected_service).is_none() {
        return Html::default();
    }
    // `E`, the refused input's place in INPUTS and why; or `O`, whether old code survives,
    // the summary and the plan.
    let answer = match &extra {
        Extra::Answer(text) => Some(text.split(SEP).collect::<Vec<_>>()),
        _ => None,
    };
    let refused = match answer.as_deref() {
        Some([at, why]) if at.starts_with('E') => {
            let at: usize = at[1..].parse().unwrap_or(0);
            INPUTS.get(at).map(|&(input, ..)| (input, why.to_string()))
        }
        _ => None,
    };
    let choose = {
        let typed = typed.clone();
        Callback::from(move |e: Event| {
            let chosen = Change::from_id(&e.target_unchecked_into::<HtmlSelectElement>().value());
            Typed::edit(&typed, persist, |t| t.change = chosen.unwrap_or(t.change));
        })
    };
    let inputs = INPUTS.iter().enumerate().map(|(i, &(input, id, label))| {
        let shown = match input {
            Input::NewName => change == Change::RenameColumn,
            Input::Type => change != Change::AddIndex,
            _ => true,
        };
        if !shown {
            return Html::default();
        }
        let error = refused
            .as_ref()
            .filter(|(at, _)| *at == input)
            .map(|(_, why)| why.clone());
        let oninput = {
            let typed = typed.clone();
            Callback::from(move |e: InputEvent| {
                let text = e.target_unchecked_into::<HtmlInputElement>().value();
                Typed::edit(&typed, persist, |t| t.texts[i] = text);
            })
        };
        let help = match (input, change.needs_type()) {
            (Input::Type, false) => "Optional: what the undo recreates (text if empty).",
            _ => "",
        };
        let control = html! {
            <input id={id} type="text" autocomplete="off" spellcheck="false"
                   value={typed.texts[i].clone()} aria-invalid={error.is_some().to_string()}
                   aria-describedby={ids(id)} {oninput} />
        };
        frame(id, label, help, error.map(AttrValue::from), control)
    });
    // The verdict first and on its own, then the whole plan as the CLI prints it.
    let body = match answer.as_deref() {
        Some([compatible, summary, plan]) => html! {
            <>
                <p id="planner-verdict" class={if compatible.ends_with('1') { "help" } else { "warning" }}>
                    { *summary }
                </p>
                <pre id="planner-plan" tabindex="0">{ *plan }</pre>
            </>
        },
        Some(_) if refused.is_some() => {
            html! { <p class="help">{ "Correct the marked input to see the plan." }</p> }
        }
        Some(_) => Html::default(),
        None => waiting(&extra),
    };
    html! {
        <section class="changes planner" aria-labelledby="planner-title">
            <h2 id="planner-title">{ "Plan a schema change" }</h2>
            <p class="help">
                { "During a rollout old and new pods share one database, so a change must suit both. PostgreSQL, for the service the form shows." }
            </p>
            <div class="field">
                <label for="planner-change">{ "Change" }</label>
                <select id="planner-change" onchange={choose}>
                    { for Change::ALL.iter().map(|c| html! {
                        <option value={c.id()} selected={*c == change}>{ c.label() }</option>
                    }) }
                </select>
            </div>
            { for inputs }
            { body }
        </section>
    }
}
