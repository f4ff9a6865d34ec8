//! "Check your own files": the user pastes files and sees the same rules' findings as on the
//! generated ones, at their lines. Cross-file rules run across everything pasted together.
//! Files can also be picked or dropped, one by one or as a zip of a whole repository; only the
//! kinds the rules read are taken from an archive. Nothing leaves the page: everything is read
//! and linted where it is.

use std::rc::Rc;

use shipshape_core::rules;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::browser;
use crate::components::extras::{Extra, put, take, use_extra, waiting};
use crate::components::rule_anchor;

/// One pasted file exactly as typed.
#[derive(Clone, Debug, Default, PartialEq)]
struct Pasted {
    name: String,
    text: String,
}

/// A finding, as the page's second module reports it (see `src/extras.rs`).
#[derive(PartialEq)]
struct Found {
    code: String,
    name: String,
    severity: String,
    message: String,
    file: String,
    line: usize,
    column: usize,
    fix: String,
}

/// The pasted files under the paths they are linted as, and every finding across them.
#[derive(PartialEq)]
struct Checked {
    paths: Vec<String>,
    findings: Vec<Found>,
}

/// The module's request: each file's name and text. The rules run there, with the readers of
/// every kind of file, which the first preview does not need.
fn lint_request(files: &Vec<Pasted>) -> String {
    let mut request = String::from("lint\u{1}");
    for file in files {
        put(&mut request, &file.name);
        put(&mut request, &file.text);
    }
    request
}

/// The module's answer: how many files, each one's path, then each finding's fields.
fn read_answer(answer: &str) -> Option<Checked> {
    let (count, mut rest) = take(answer)?;
    let mut paths = Vec::new();
    for _ in 0..count.parse::<usize>().ok()? {
        let (path, after) = take(rest)?;
        paths.push(path.to_owned());
        rest = after;
    }
    let mut findings = Vec::new();
    while !rest.is_empty() {
        let mut fields: [&str; 8] = [""; 8];
        for field in &mut fields {
            let (value, after) = take(rest)?;
            *field = value;
            rest = after;
        }
        let [code, name, severity, message, file, line, column, fix] = fields;
        findings.push(Found {
            code: code.into(),
            name: name.into(),
            severity: severity.into(),
            message: message.into(),
            file: file.into(),
            line: line.parse().ok()?,
            column: column.parse().ok()?,
            fix: fix.into(),
        });
    }
    Some(Checked { paths, findings })
}

/// Turns picked or dropped files into pasted ones: a zip gives each file in it that the rules
/// read; other files are taken as they are. Returns the files and a note for each one skipped.
async fn unpack(picked: Vec<web_sys::File>) -> (Vec<Pasted>, Vec<String>) {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for file in picked {
        let name = file.name();
        let bytes = match browser::read_file(&file).await {
            Ok(bytes) => bytes,
            Err(why) => {
                notes.push(why);
                continue;
            }
        };
        if name.to_ascii_lowercase().ends_with(".zip") {
            let wanted =
                |path: &str| rules::kind_of(path).is_some() && !path.contains("/templates/");
            match shipshape_core::zip::read(&bytes, wanted) {
                Ok(read) => {
                    if read.entries.is_empty() && read.problems.is_empty() {
                        notes.push(format!(
                            "{name}: no Dockerfile, YAML or Terraform file in it."
                        ));
                    }
                    notes.extend(read.problems.into_iter().map(|p| format!("{name}: {p}")));
                    for entry in read.entries {
                        match String::from_utf8(entry.contents) {
                            Ok(text) => files.push(Pasted {
                                name: entry.name,
                                text,
                            }),
                            Err(_) => notes.push(format!(
                                "{name}: {} is not UTF-8 text; skipped.",
                                entry.name
                            )),
                        }
                    }
                }
                Err(error) => notes.push(format!("{name}: {error}")),
            }
        } else if bytes.len() > shipshape_core::zip::MAX_FILE_BYTES {
            notes.push(format!(
                "{name}: over {} MiB; not read.",
                shipshape_core::zip::MAX_FILE_BYTES >> 20
            ));
        } else {
            match String::from_utf8(bytes) {
                Ok(text) => files.push(Pasted { name, text }),
                Err(_) => notes.push(format!("{name} is not UTF-8 text; skipped.")),
            }
        }
    }
    (files, notes)
}

fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default()
}

#[component]
pub fn OwnFiles() -> Html {
    let files = use_state(|| vec![Pasted::default()]);
    let notes = use_state(Vec::<String>::new);
    let dragging = use_state(|| false);
    let extra = use_extra((*files).clone(), lint_request);
    let checked = use_memo(extra.clone(), |extra| match extra {
        Extra::Answer(answer) => read_answer(answer),
        _ => None,
    });

    // Adds picked or dropped files after those already there (an empty first row is replaced).
    let take = {
        let files = files.clone();
        let notes = notes.clone();
        Callback::from(move |picked: Vec<web_sys::File>| {
            let files = files.clone();
            let notes = notes.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let count = picked.len();
                let (added, skipped) = unpack(picked).await;
                let mut next: Vec<Pasted> = (*files)
                    .iter()
                    .filter(|f| !(f.name.is_empty() && f.text.is_empty()))
                    .cloned()
                    .collect();
                let took = added.len();
                next.extend(added);
                if next.is_empty() {
                    next.push(Pasted::default());
                }
                let mut shown = vec![format!(
                    "Read {took} {} from {count} picked.",
                    if took == 1 { "file" } else { "files" }
                )];
                shown.extend(skipped);
                notes.set(shown);
                files.set(next);
            });
        })
    };
    let on_pick = {
        let take = take.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            take.emit(file_list(input.files()));
            // Picking the same file again must fire again.
            input.set_value("");
        })
    };
    let on_drop = {
        let take = take.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            take.emit(file_list(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };

    let edit = |index: usize, change: fn(&mut Pasted, String)| {
        let files = files.clone();
        move |value: String| {
            let mut next = (*files).clone();
            if let Some(file) = next.get_mut(index) {
                change(file, value);
            }
            files.set(next);
        }
    };

    let rows = files.iter().enumerate().map(|(index, file)| {
        let set_name = edit(index, |file, value| file.name = value);
        let set_text = edit(index, |file, value| file.text = value);
        let on_name = Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            set_name(input.value());
        });
        let on_text = Callback::from(move |e: InputEvent| {
            let input: HtmlTextAreaElement = e.target_unchecked_into();
            set_text(input.value());
        });
        let remove = (files.len() > 1).then(|| {
            let files = files.clone();
            Callback::from(move |_: MouseEvent| {
                let mut next = (*files).clone();
                next.remove(index);
                files.set(next);
            })
        });
        let path = checked
            .as_ref()
            .as_ref()
            .and_then(|c| c.paths.get(index).cloned());
        html! {
            <OwnFile
                key={index}
                {index}
                name={file.name.clone()}
                text={file.text.clone()}
                {path}
                checked={Rc::clone(&checked)}
                waiting={waiting(&extra)}
                {on_name}
                {on_text}
                {remove}
            />
        }
    });

    let add = {
        let files = files.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*files).clone();
            next.push(Pasted::default());
            files.set(next);
        })
    };

    html! {
        <section class="own-files" aria-labelledby="own-files-title">
            <h2 id="own-files-title">{ "Check your own files" }</h2>
            <p class="help">
                { "Paste a Dockerfile, Kubernetes manifests, a GitHub Actions workflow, a Compose \
                   file or Terraform. The rules listed below run on it, here in your browser; \
                   files pasted together are also checked against each other." }
            </p>
            <div class={classes!("drop-zone", dragging.then_some("dragging"))}
                 ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
                <label for="own-pick">
                    { "Drop files or a .zip of your repository here, or pick them: " }
                </label>
                <input id="own-pick" type="file" multiple=true
                       accept=".zip,.yaml,.yml,.tf,Dockerfile,.Dockerfile" onchange={on_pick} />
                <p class="help">{ "From a zip, Dockerfiles, YAML and Terraform files are read; everything else is skipped. Nothing is uploaded." }</p>
                if !notes.is_empty() {
                    <ul id="own-notes" class="notes" role="status">
                        { for notes.iter().map(|note| html! { <li>{ note }</li> }) }
                    </ul>
                }
            </div>
            { for rows }
            <button type="button" id="own-add" class="secondary" onclick={add}>
                { "Add another file" }
            </button>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct OwnFileProps {
    index: usize,
    name: AttrValue,
    text: AttrValue,
    /// The path it is linted under, once the module has read it.
    path: Option<String>,
    checked: Rc<Option<Checked>>,
    /// What shows while the module loads, or when it cannot.
    waiting: Html,
    on_name: Callback<InputEvent>,
    on_text: Callback<InputEvent>,
    remove: Option<Callback<MouseEvent>>,
}

#[component]
fn OwnFile(props: &OwnFileProps) -> Html {
    let id = format!("own-{}", props.index);
    let lines: Vec<&str> = props.text.lines().collect();
    let path = props.path.as_deref().unwrap_or("");
    let mut findings: Vec<&Found> = Vec::new();
    if let Some(checked) = props.checked.as_ref() {
        for d in &checked.findings {
            if d.file == path {
                findings.push(d);
            }
        }
    }
    let kind = rules::kind_of(path).map_or("", |k| k.label());

    let items = findings.iter().map(|d| {
        let excerpt = d
            .line
            .checked_sub(1)
            .and_then(|i| lines.get(i))
            .map(|line| line.trim_end());
        html! {
            <li class={classes!("finding", format!("sev-{}", d.severity))}>
                <span class="where">{ format!("Line {}, column {}", d.line, d.column) }</span>
                { " " }
                <span class="severity">{ &d.severity }</span>
                { " " }
                if rules::find(&d.code).is_some() {
                    <a class="code" href={format!("#{}", rule_anchor(&d.code))}
                       title="What this rule checks and why"><code>{ &d.code }</code></a>
                } else {
                    <code class="code">{ &d.code }</code>
                }
                { " " }
                <span class="name">{ &d.name }</span>
                <p class="message">{ &d.message }</p>
                if let Some(excerpt) = excerpt {
                    <pre class="excerpt"><code>{ format!("{:>4} | {excerpt}", d.line) }</code></pre>
                }
                <p class="fix">{ "Fix: " }{ &d.fix }</p>
            </li>
        }
    });

    let summary = if props.text.trim().is_empty() {
        String::from("Paste a file to check it.")
    } else if props.path.is_none() || props.checked.is_none() {
        String::new()
    } else if findings.is_empty() {
        format!("Read as {kind}: no findings.")
    } else {
        let noun = if findings.len() == 1 {
            "finding"
        } else {
            "findings"
        };
        format!("Read as {kind}: {} {noun}.", findings.len())
    };

    html! {
        <div class="own-file" id={id.clone()}>
            <label for={format!("{id}-name")}>{ "File name (optional: the kind is detected from the content)" }</label>
            <input
                id={format!("{id}-name")}
                type="text"
                autocomplete="off"
                spellcheck="false"
                placeholder="e.g. Dockerfile, k8s/deployment.yaml, main.tf"
                value={props.name.clone()}
                oninput={props.on_name.clone()}
            />
            <label for={format!("{id}-text")}>{ "Contents" }</label>
            <textarea
                id={format!("{id}-text")}
                rows="12"
                spellcheck="false"
                autocomplete="off"
                value={props.text.clone()}
                aria-describedby={format!("{id}-summary")}
                oninput={props.on_text.clone()}
            />
            if summary.is_empty() {
                { props.waiting.clone() }
            } else {
                <p id={format!("{id}-summary")} class="summary" role="status">{ summary }</p>
            }
            <ol id={format!("{id}-findings")} class="findings">{ for items }</ol>
            if let Some(remove) = props.remove.clone() {
                <button type="button" class="secondary" onclick={remove}>{ "Remove this file" }</button>
            }
        </div>
    }
}
