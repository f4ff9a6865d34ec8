//! "What changed": after each change of settings, every file it changed, with a summary and
//! the line diff of the file the user picks. Turning autoscaling on shows exactly the lines
//! that brings, in every file. The page's second module (`src/lazy.rs`) works it out.
//!
//! Only the shown file is diffed line by line: renaming the project changes nearly every
//! file, and diffing them all on each change doubled its cost.

use std::rc::Rc;

use shipshape_core::{Project, model};
use yew::prelude::*;

use crate::components::extras::{Extra, request, take, use_extra, waiting};

/// One change of settings: the project before it and after it.
#[derive(Clone, PartialEq)]
pub struct Changed {
    pub before: Rc<Project>,
    pub after: Rc<Project>,
}

#[derive(Properties, PartialEq)]
pub struct ChangesProps {
    /// None before the first change of settings.
    pub changed: Option<Changed>,
}

/// Files listed before "Show all": renaming the project changes nearly every file, and a list
/// of sixty is neither readable nor free to redraw on every keystroke.
const LISTED: usize = 12;

type Asked = (Changed, Option<String>);

fn ask(asked: &Asked) -> String {
    let (changed, picked) = asked;
    let before = model::to_yaml(&changed.before);
    request(
        "changes",
        &model::to_yaml(&changed.after),
        0,
        &[&before, picked.as_deref().unwrap_or("")],
    )
}

/// The module's answer: the summary, the changed files with their kind, and the shown file's
/// path, header and marked lines.
struct Answer<'a> {
    summary: &'a str,
    files: Vec<(&'a str, &'a str)>,
    shown: Option<(&'a str, &'a str, &'a str)>,
}

fn read(answer: &str) -> Option<Answer<'_>> {
    let (summary, rest) = take(answer)?;
    let (count, mut rest) = take(rest)?;
    let mut files = Vec::new();
    for _ in 0..count.parse::<usize>().ok()? {
        let (path, after) = take(rest)?;
        let (kind, after) = take(after)?;
        files.push((path, kind));
        rest = after;
    }
    let shown = match take(rest) {
        Some((path, after)) => {
            let (header, after) = take(after)?;
            let (lines, _) = take(after)?;
            Some((path, header, lines))
        }
        None => None,
    };
    Some(Answer {
        summary,
        files,
        shown,
    })
}

#[component]
pub fn Changes(props: &ChangesProps) -> Html {
    let picked = use_state(|| None::<String>);
    let all = use_state(|| false);
    let extra = use_extra(
        props
            .changed
            .clone()
            .map(|changed| (changed, (*picked).clone())),
        |asked: &Option<Asked>| asked.as_ref().map(ask).unwrap_or_default(),
    );
    let body = match (&props.changed, &extra) {
        (None, _) => html! {
            <p id="changes-summary" class="summary">
                { "Change a setting to see here the lines it changes, in every file." }
            </p>
        },
        (Some(_), Extra::Answer(answer)) => match read(answer) {
            None => Html::default(),
            Some(answer) => {
                let listed = if *all { answer.files.len() } else { LISTED };
                let hidden = answer.files.len().saturating_sub(listed);
                let show_all = {
                    let all = all.clone();
                    Callback::from(move |_: MouseEvent| all.set(true))
                };
                let shown = answer.shown.map(|(path, ..)| path);
                let files = answer.files.iter().take(listed).map(|&(path, kind)| {
                    let onclick = {
                        let picked = picked.clone();
                        let path = path.to_owned();
                        Callback::from(move |_: MouseEvent| picked.set(Some(path.clone())))
                    };
                    let current = shown == Some(path);
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
                html! {
                    <>
                        <p id="changes-summary" class="summary" role="status">{ answer.summary }</p>
                        <ul id="changes-files" class="change-files">{ for files }</ul>
                        if hidden > 0 {
                            <button type="button" id="changes-all" class="secondary" onclick={show_all}>
                                { format!("Show all {} files", answer.files.len()) }
                            </button>
                        }
                        if let Some((path, header, lines)) = answer.shown {
                            <p id="changes-file" class="help">{ header }</p>
                            <pre id="changes-diff" class="diff" tabindex="0"
                                 aria-label={format!("Changes to {path}")}>
                                { for lines.lines().map(|line| match line.split_at_checked(1) {
                                    Some(("@", hunk)) => html! { <span class="hunk">{ hunk }</span> },
                                    Some(("-", text)) => html! { <del>{ format!("- {text}") }</del> },
                                    Some(("+", text)) => html! { <ins>{ format!("+ {text}") }</ins> },
                                    _ => html! { <span>{ format!(" {line}") }</span> },
                                }) }
                            </pre>
                        }
                    </>
                }
            }
        },
        (Some(_), other) => waiting(other),
    };
    html! {
        <section class="changes" aria-labelledby="changes-title">
            <h2 id="changes-title">{ "What changed" }</h2>
            { body }
        </section>
    }
}
