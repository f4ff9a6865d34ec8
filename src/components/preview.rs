//! The preview pane: the generated files as tabs, the open one with line numbers and the rule
//! engine's findings marked in its gutter, and a problems list across every file. A finding
//! opens its file at its line and takes the user to the setting it comes from.

use std::rc::Rc;

use shipshape_core::Bundle;
use shipshape_core::explain::{self, Kind, Why};
use shipshape_core::rules::{Diagnostic, Severity};
use yew::prelude::*;

use crate::browser;
use crate::components::{OwnText, rule_anchor, use_own_text};
use crate::highlight::{self, Class, Lang};
use crate::state::{Action, StateContext};

/// The explanations' texts, as Trunk copies them into the site.
const PROSE_FILE: &str = "explanations.txt";

#[derive(Properties, PartialEq)]
pub struct PreviewProps {
    pub bundle: Rc<Bundle>,
    /// Every finding over the bundle, with the setting each comes from.
    pub findings: Rc<Vec<Diagnostic>>,
    /// Why there are no findings yet: the rules are on their way, or could not load.
    pub checking: Option<String>,
    /// Fields whose typed value is refused; the preview shows the last valid settings meanwhile.
    pub stale_fields: usize,
}

/// Which findings the problems list shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Only(Severity),
}

impl Filter {
    fn keeps(self, diagnostic: &Diagnostic) -> bool {
        match self {
            Filter::All => true,
            Filter::Only(severity) => diagnostic.severity == severity,
        }
    }
}

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "Errors",
        Severity::Warning => "Warnings",
        Severity::Info => "Info",
    }
}

#[component]
pub fn Preview(props: &PreviewProps) -> Html {
    let state = use_context::<StateContext>().expect("Preview needs the StateContext");
    let files = props.bundle.files();
    let selected = use_state(|| {
        props
            .bundle
            .first()
            .map(|f| f.path.clone())
            .unwrap_or_default()
    });
    // The line a finding pointed at, in the open file; a count makes a repeat click scroll again.
    let target = use_state(|| None::<(usize, u32)>);
    let filter = use_state(|| Filter::All);
    // What the last copy or download did, for the status line beside the buttons.
    let notice = use_state(|| None::<(bool, String)>);
    // The line whose explanation shows: the one under the pointer, or moved to with the arrow
    // keys while the file has the focus.
    let why_line = use_state(|| None::<usize>);
    let prose = use_own_text(PROSE_FILE);
    let open = props.bundle.get(&selected).or_else(|| props.bundle.first());

    {
        let target = *target;
        let path = open.map(|f| f.path.clone());
        use_effect_with((target, path), move |(target, _)| {
            if let Some((line, _)) = target {
                browser::scroll_to(&format!("L{line}"));
            }
        });
    }

    // The bundle as a tree of folders; each file a button that opens it.
    let open_path = open.map(|f| f.path.clone()).unwrap_or_default();
    let file_button = |path: &str, name: &str| {
        let is_open = open_path == path;
        let count = props.findings.iter().filter(|d| d.file == path).count();
        let onclick = {
            let selected = selected.clone();
            let target = target.clone();
            let path = path.to_owned();
            let why_line = why_line.clone();
            Callback::from(move |_: MouseEvent| {
                selected.set(path.clone());
                target.set(None);
                why_line.set(None);
            })
        };
        html! {
            <li>
                <button
                    type="button"
                    class={classes!("tree-file", is_open.then_some("open"), (count > 0).then_some("has-findings"))}
                    aria-current={is_open.then_some("true")}
                    aria-controls="preview-file"
                    title={path.to_owned()}
                    data-path={path.to_owned()}
                    {onclick}
                >
                    { name }
                    if count > 0 {
                        <span class="tab-count" aria-label={format!("{count} findings")}>{ count }</span>
                    }
                </button>
            </li>
        }
    };
    let tree =
        Folder::of(files.iter().map(|f| f.path.as_str())).render(&file_button, "", &open_path);
    let go_to = |diagnostic: &Diagnostic| {
        let selected = selected.clone();
        let target = target.clone();
        let dispatcher = state.dispatcher();
        let path = diagnostic.file.clone();
        let line = diagnostic.line;
        let field = diagnostic.field;
        Callback::from(move |_: MouseEvent| {
            selected.set(path.clone());
            let count = target.map_or(0, |(_, count)| count.wrapping_add(1));
            target.set(Some((line, count)));
            if let Some(field) = field {
                dispatcher.dispatch(Action::FocusField(field));
            }
        })
    };

    // Errors first, then by file and position.
    let mut shown: Vec<&Diagnostic> = props.findings.iter().filter(|d| filter.keeps(d)).collect();
    shipshape_core::order::sort_by(&mut shown, |a, b| {
        (
            rank(a.severity),
            &a.file,
            a.line,
            a.column,
            a.code,
            &a.message,
        )
            .cmp(&(
                rank(b.severity),
                &b.file,
                b.line,
                b.column,
                b.code,
                &b.message,
            ))
    });
    let problems = shown.iter().map(|d| {
        let setting = d.field.map(|f| f.label());
        html! {
            <li class={classes!("problem", format!("sev-{}", d.severity.id()))}>
                <button type="button" class="problem-go" onclick={go_to(d)}>
                    <span class="severity">{ d.severity.id() }</span>
                    { " " }
                    <code>{ d.code }</code>
                    { " " }
                    <span class="message">{ &d.message }</span>
                    <span class="where">{ format!("{}:{}", d.file, d.line) }</span>
                    if let Some(setting) = setting {
                        <span class="setting">{ format!("Setting: {setting}") }</span>
                    }
                </button>
                <a class="rule-link" href={format!("#{}", rule_anchor(d.code))}
                   title="What this rule checks and why">{ "Rule" }</a>
            </li>
        }
    });
    let filter_button = |choice: Filter, label: String| {
        let filter_state = filter.clone();
        let pressed = *filter == choice;
        html! {
            <button type="button" class={classes!("filter", pressed.then_some("on"))}
                    aria-pressed={pressed.to_string()}
                    onclick={Callback::from(move |_: MouseEvent| filter_state.set(choice))}>
                { label }
            </button>
        }
    };
    let filters = std::iter::once(filter_button(
        Filter::All,
        format!("All {}", props.findings.len()),
    ))
    .chain(SEVERITIES.iter().map(|&severity| {
        let count = props
            .findings
            .iter()
            .filter(|d| d.severity == severity)
            .count();
        filter_button(
            Filter::Only(severity),
            format!("{} {count}", severity_label(severity)),
        )
    }));

    let actions = open.map(|file| {
        let copy = {
            let notice = notice.clone();
            let path = file.path.clone();
            let text = file.contents.clone();
            Callback::from(move |_: MouseEvent| {
                let notice = notice.clone();
                let path = path.clone();
                let text = text.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match browser::copy(&text).await {
                        Ok(()) => notice.set(Some((true, format!("Copied {path}.")))),
                        Err(why) => {
                            browser::select_contents("preview-file");
                            notice.set(Some((
                                false,
                                format!("Could not copy ({why}); the file is selected: press Ctrl+C (⌘C on a Mac)."),
                            )));
                        }
                    }
                });
            })
        };
        let download_file = {
            let notice = notice.clone();
            let path = file.path.clone();
            let text = file.contents.clone();
            Callback::from(move |_: MouseEvent| {
                let name = path.rsplit('/').next().unwrap_or(&path);
                notice.set(Some(match browser::download(name, text.as_bytes(), "text/plain") {
                    Ok(()) => (true, format!("Downloaded {name}.")),
                    Err(why) => (false, format!("Could not download: {why}")),
                }));
            })
        };
        let download_all = {
            let notice = notice.clone();
            let bundle = Rc::clone(&props.bundle);
            let project = state.project.name.clone();
            Callback::from(move |_: MouseEvent| {
                let bytes = shipshape_core::zip::bundle(&bundle, &project);
                let name = format!("{project}.zip");
                notice.set(Some(match browser::download(&name, &bytes, "application/zip") {
                    Ok(()) => (
                        true,
                        format!(
                            "Downloaded {name}: {} files in {project}/, {} KiB.",
                            bundle.files().len(),
                            bytes.len().div_ceil(1024)
                        ),
                    ),
                    Err(why) => (false, format!("Could not download: {why}")),
                }));
            })
        };
        html! {
            <div class="file-actions">
                <h3 id="open-path" class="open-path">{ &file.path }</h3>
                <button type="button" id="copy-file" class="secondary" onclick={copy}>{ "Copy" }</button>
                <button type="button" id="download-file" class="secondary" onclick={download_file}>{ "Download file" }</button>
                <button type="button" id="download-zip" class="secondary" onclick={download_all}>{ "Download all (.zip)" }</button>
                <span id="file-notice" role="status"
                      class={classes!("notice", notice.as_ref().map(|(ok, _)| if *ok { "ok" } else { "failed" }))}>
                    { notice.as_ref().map(|(_, text)| text.clone()).unwrap_or_default() }
                </span>
            </div>
        }
    });

    let body = open.map(|file| {
        let marks: Vec<&Diagnostic> = props
            .findings
            .iter()
            .filter(|d| d.file == file.path)
            .collect();
        let target_line = target.map(|(line, _)| line);
        let lang = Lang::of(&file.path);
        let kind = Kind::of(&file.path);
        let whys = kind.map(|kind| explain::lines(kind, &file.contents)).unwrap_or_default();
        let count = file.contents.lines().count();
        let current = (*why_line).filter(|&line| line <= count);
        let lines = file.contents.lines().enumerate().map(|(index, text)| {
            let number = index + 1;
            let here: Vec<&&Diagnostic> = marks.iter().filter(|d| d.line == number).collect();
            let worst = here.iter().map(|d| d.severity).min_by_key(|s| rank(*s));
            let title = here
                .iter()
                .map(|d| format!("{} {}: {}", d.severity.id(), d.code, d.message))
                .collect::<Vec<_>>()
                .join("\n");
            html! {
                <span id={format!("L{number}")}
                      class={classes!(
                          "line",
                          worst.map(|s| format!("mark sev-{}", s.id())),
                          (target_line == Some(number)).then_some("target"),
                          (current == Some(number)).then_some("current"),
                          whys.get(index).is_some_and(|w| w.is_some_and(|w| w.line == number)).then_some("explained"),
                      )}
                      title={(!title.is_empty()).then_some(title)}>
                    <span class="ln" aria-hidden="true" data-n={number.to_string()}></span>
                    { for highlight::line(lang, text).into_iter().map(|(class, piece)| match class {
                        Class::Plain => html! { { piece } },
                        class => html! { <span class={class.css()}>{ piece }</span> },
                    }) }
                    { "\n" }
                </span>
            }
        });
        // Pointing at a line, or moving through the file with the arrow keys, picks the line
        // whose explanation shows. Only a real pointer move counts: the hover events a browser
        // sends when the file scrolls under a still pointer would undo the arrow keys.
        let onmousemove = {
            let why_line = why_line.clone();
            Callback::from(move |event: MouseEvent| {
                let line = event
                    .target_dyn_into::<web_sys::Element>()
                    .and_then(|element| element.closest(".line").ok().flatten())
                    .and_then(|line| line.id().strip_prefix('L')?.parse::<usize>().ok());
                if line.is_some() && line != *why_line {
                    why_line.set(line);
                }
            })
        };
        let onkeydown = {
            let why_line = why_line.clone();
            Callback::from(move |event: KeyboardEvent| {
                let step = match event.key().as_str() {
                    "ArrowDown" => 1,
                    "ArrowUp" => -1,
                    _ => return,
                };
                event.prevent_default();
                let line = current
                    .map_or(1, |line| line.saturating_add_signed(step))
                    .clamp(1, count.max(1));
                browser::reveal(&format!("L{line}"));
                why_line.set(Some(line));
            })
        };
        let panel = kind.map(|_| {
            why_panel(
                current.and_then(|line| Some((line, whys.get(line - 1).copied().flatten()?))),
                file,
                &state,
                &prose,
            )
        });
        html! {
            <>
            { panel.unwrap_or_default() }
            <pre id="preview-file" class="file numbered" role="tabpanel" tabindex="0"
                 aria-label={file.path.clone()} aria-describedby={kind.map(|_| "why-panel")}
                 {onmousemove} {onkeydown}><code>{ for lines }</code></pre>
            </>
        }
    });

    html! {
        <section class="preview-pane" aria-labelledby="preview-title">
            <h2 id="preview-title">{ "Generated files" }</h2>
            if props.stale_fields > 0 {
                <p class="stale" role="status">
                    { stale_message(props.stale_fields) }
                </p>
            }
            <div class="preview-body">
            <nav id="preview-tabs" class="file-tree" aria-label="Generated files">
                <p class="tree-count">{ format!("{} files", files.len()) }</p>
                { tree }
            </nav>
            <div class="preview-main">
            <section class="problems" aria-labelledby="problems-title">
                <h3 id="problems-title">{ "Problems" }</h3>
                <p id="problems-summary" class="summary" role="status">
                    { props.checking.clone().unwrap_or_else(|| problems_summary(&props.findings)) }
                </p>
                if !props.findings.is_empty() {
                    <div class="filters" role="group" aria-label="Show findings of">{ for filters }</div>
                    <ol id="problems-list" class="problem-list">{ for problems }</ol>
                }
            </section>
            { actions.unwrap_or_default() }
            { body.unwrap_or_default() }
            </div>
            </div>
        </section>
    }
}

/// Why the picked line is there, what goes wrong without it, and the setting that changes it.
fn why_panel(
    picked: Option<(usize, Why)>,
    file: &shipshape_core::GeneratedFile,
    state: &StateContext,
    prose: &OwnText,
) -> Html {
    let body = match picked {
        // Comments explain themselves.
        None => html! {
            <p class="hint">{ "Point at a line, or focus the file and press ↑ or ↓, to see why it is there." }</p>
        },
        Some((line, why)) => {
            let field = explain::field(&state.project, &file.path, &file.contents, &why);
            let place = if why.line == line {
                format!("Line {line}")
            } else {
                format!("Line {line}, part of line {}", why.line)
            };
            let change = field.map(|field| {
                let dispatcher = state.dispatcher();
                html! {
                    <button type="button" id="why-setting" class="secondary"
                            onclick={Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::FocusField(field)))}>
                        { format!("Change it: {}", field.label()) }
                    </button>
                }
            });
            html! {
                <>
                <p class="where"><strong>{ place }</strong>{ ": " }<code>{ why.topic.key }</code></p>
                { match prose {
                    OwnText::Loaded(text) => match explain::prose_in_asset(text, why.topic) {
                        Some((reason, without)) => html! {
                            <>
                            <p>{ reason }</p>
                            <p><strong>{ "Without it: " }</strong>{ without }</p>
                            </>
                        },
                        None => html! { <p>{ "This line's explanation is missing from " }{ PROSE_FILE }</p> },
                    },
                    OwnText::Loading => html! { <p>{ "Loading the explanation…" }</p> },
                    OwnText::Failed(why) => html! { <p>{ why.as_str() }</p> },
                } }
                { change.unwrap_or_default() }
                </>
            }
        }
    };
    html! {
        <section id="why-panel" class="why-panel" aria-live="polite" aria-label="Why this line">
            { body }
        </section>
    }
}

/// Files grouped by folder, for the tree.
#[derive(Default)]
struct Folder<'a> {
    /// Sub-folders by name, sorted.
    folders: Vec<(&'a str, Folder<'a>)>,
    /// (name, full path), in bundle order.
    files: Vec<(&'a str, &'a str)>,
}

impl<'a> Folder<'a> {
    fn of(paths: impl Iterator<Item = &'a str>) -> Folder<'a> {
        let mut root = Folder::default();
        for path in paths {
            let mut folder = &mut root;
            let mut parts = path.split('/').peekable();
            while let Some(part) = parts.next() {
                if parts.peek().is_none() {
                    folder.files.push((part, path));
                } else {
                    let at = match folder.folders.binary_search_by(|(name, _)| name.cmp(&part)) {
                        Ok(at) => at,
                        Err(at) => {
                            folder.folders.insert(at, (part, Folder::default()));
                            at
                        }
                    };
                    folder = &mut folder.folders[at].1;
                }
            }
        }
        root
    }

    /// Folders first, then files. Top-level folders start open, and so does every folder on
    /// the way to the open file.
    fn render(&self, file: &dyn Fn(&str, &str) -> Html, prefix: &str, open_path: &str) -> Html {
        let folders = self.folders.iter().map(|(name, folder)| {
            let path = format!("{prefix}{name}/");
            let open = prefix.is_empty() || open_path.starts_with(&path);
            html! {
                <li>
                    <details {open}>
                        <summary>{ format!("{name}/") }</summary>
                        { folder.render(file, &path, open_path) }
                    </details>
                </li>
            }
        });
        html! {
            <ul class="tree">
                { for folders }
                { for self.files.iter().map(|(name, path)| file(path, name)) }
            </ul>
        }
    }
}

/// Errors first in a gutter mark.
fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

fn problems_summary(findings: &[Diagnostic]) -> String {
    if findings.is_empty() {
        return "Every rule passes on every generated file.".into();
    }
    let count = |severity| findings.iter().filter(|d| d.severity == severity).count();
    // Files counted once each, at their first finding.
    let files = findings
        .iter()
        .enumerate()
        .filter(|(i, d)| !findings[..*i].iter().any(|e| e.file == d.file))
        .count();
    format!(
        "{} errors, {} warnings, {} info in {files} {}. Pick one to open its line and its setting.",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        if files == 1 { "file" } else { "files" }
    )
}

fn stale_message(fields: usize) -> String {
    let noun = if fields == 1 {
        "field needs"
    } else {
        "fields need"
    };
    format!("{fields} {noun} fixing; the preview shows the last valid values.")
}
