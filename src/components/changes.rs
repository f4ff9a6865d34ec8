//! "What changed": after each change of settings, every file it changed, with a summary and
//! the line diff of the file the user picks. Turning autoscaling on shows exactly the lines
//! that brings, in every file.
//!
//! Only the shown file is diffed line by line: renaming the project changes nearly every
//! file, and diffing them all on each keystroke doubled the keystroke's cost.

use std::rc::Rc;

use shipshape_core::Bundle;
use shipshape_core::diff::{self, Change, Line};
use yew::prelude::*;

/// What one change of settings changed: the bundles before and after, and the files that
/// differ.
pub struct Changed {
    pub before: Rc<Bundle>,
    pub after: Rc<Bundle>,
    pub files: Vec<(String, Change)>,
}

#[derive(Properties)]
pub struct ChangesProps {
    /// None before the first change of settings.
    pub changed: Option<Rc<Changed>>,
}

/// The same when it is the same change: comparing bundles on every render would cost more
/// than rendering.
impl PartialEq for ChangesProps {
    fn eq(&self, other: &Self) -> bool {
        match (&self.changed, &other.changed) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

/// Files listed before "Show all": renaming the project changes nearly every file, and a list
/// of sixty is neither readable nor free to redraw on every keystroke.
const LISTED: usize = 12;

#[component]
pub fn Changes(props: &ChangesProps) -> Html {
    let picked = use_state(|| None::<String>);
    let all = use_state(|| false);
    let body = match props.changed.as_deref() {
        None => html! {
            <p id="changes-summary" class="summary">
                { "Change a setting to see here the lines it changes, in every file." }
            </p>
        },
        Some(changed) => {
            // The picked file if it changed this time, else the first that did.
            let shown = changed
                .files
                .iter()
                .find(|(path, _)| Some(path) == picked.as_ref())
                .or(changed.files.first());
            let listed = if *all { changed.files.len() } else { LISTED };
            let hidden = changed.files.len().saturating_sub(listed);
            let show_all = {
                let all = all.clone();
                Callback::from(move |_: MouseEvent| all.set(true))
            };
            let files = changed.files.iter().take(listed).map(|(path, change)| {
                let onclick = {
                    let picked = picked.clone();
                    let path = path.clone();
                    Callback::from(move |_: MouseEvent| picked.set(Some(path.clone())))
                };
                let kind = match change {
                    Change::Added => "added",
                    Change::Removed => "removed",
                    Change::Modified => "modified",
                };
                let current = shown.is_some_and(|(p, _)| p == path);
                html! {
                    <li>
                        <button type="button" class={classes!("change-file", current.then_some("open"))}
                                aria-pressed={current.to_string()} {onclick}>
                            { path }
                        </button>
                        { format!(" {kind}") }
                    </li>
                }
            });
            let diff = shown
                .map(|(path, change)| diff::file(&changed.before, &changed.after, path, *change));
            html! {
                <>
                    <p id="changes-summary" class="summary" role="status">{ diff::summary(&changed.files) }</p>
                    <ul id="changes-files" class="change-files">{ for files }</ul>
                    if hidden > 0 {
                        <button type="button" id="changes-all" class="secondary" onclick={show_all}>
                            { format!("Show all {} files", changed.files.len()) }
                        </button>
                    }
                    if let Some(file) = diff {
                        <p id="changes-file" class="help">
                            { format!("{}: +{} −{} lines", file.path, file.added, file.removed) }
                        </p>
                        <pre id="changes-diff" class="diff" tabindex="0"
                             aria-label={format!("Changes to {}", file.path)}>
                            { for file.hunks.iter().map(|hunk| html! {
                                <>
                                    <span class="hunk">
                                        { format!("@@ line {} before, line {} now @@", hunk.before_start, hunk.after_start) }
                                    </span>
                                    { for hunk.lines.iter().map(|line| match line {
                                        Line::Same(text) => html! { <span>{ format!("  {text}") }</span> },
                                        Line::Removed(text) => html! { <del>{ format!("- {text}") }</del> },
                                        Line::Added(text) => html! { <ins>{ format!("+ {text}") }</ins> },
                                    }) }
                                </>
                            }) }
                        </pre>
                    }
                </>
            }
        }
    };
    html! {
        <section class="changes" aria-labelledby="changes-title">
            <h2 id="changes-title">{ "What changed" }</h2>
            { body }
        </section>
    }
}
