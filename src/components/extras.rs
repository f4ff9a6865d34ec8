//! The page's second module, `shipshape-extras` (`src/lazy.rs`): the rollout simulator, the
//! migration planner, the pictures and "Check your own files", which a visit needs only after
//! its first preview. It is
//! loaded once, after the first render, and then answers each section's requests; until then
//! the sections say they are loading, and if it cannot load they say why.

use std::cell::RefCell;
use std::rc::Rc;

use shipshape_core::{Project, model};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

pub use crate::lazy::{PART, SEP, put, take};

// The module's files carry no hash in their names (Trunk names a worker-type module after its
// binary), so they are found next to the page.
#[wasm_bindgen(inline_js = "export function load_extras() {
  if (globalThis.shipshapeExtras) return Promise.resolve(globalThis.shipshapeExtras);
  const at = (name) => new URL(name, document.baseURI);
  return import(at('shipshape-extras.js'))
    .then((m) => m.default({ module_or_path: at('shipshape-extras_bg.wasm') }))
    .then(() => globalThis.shipshapeExtras);
}")]
extern "C" {
    fn load_extras() -> js_sys::Promise;
}

/// The module once it has loaded (or why it could not), shared by every section.
type Loaded = Result<js_sys::Function, String>;

thread_local! {
    static LOADING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

async fn module() -> Loaded {
    if let Some(loaded) = LOADED.with(|l| l.borrow().clone()) {
        return loaded;
    }
    let promise = LOADING.with(|l| l.borrow_mut().get_or_insert_with(load_extras).clone());
    let loaded = match JsFuture::from(promise).await {
        Ok(f) if f.is_function() => Ok(f.unchecked_into()),
        Ok(_) => Err("its module started without its interface".into()),
        Err(e) => Err(crate::browser::js_message(&e)),
    };
    LOADED.with(|l| *l.borrow_mut() = Some(loaded.clone()));
    loaded
}

/// What the module answered a section.
#[derive(Clone, PartialEq)]
pub enum Extra {
    Loading,
    Answer(Rc<str>),
    Failed(String),
}

/// How long typing must pause before a section asks the module again.
const PAUSE_MS: i32 = 60;

/// The module's answer to `request(deps)` (see `src/extras.rs`). It is asked once typing
/// pauses, after the render, so a keystroke never waits for it; and again whenever `deps`
/// change.
#[hook]
pub fn use_extra<D: PartialEq + Clone + 'static>(deps: D, request: fn(&D) -> String) -> Extra {
    let answer = use_state(|| Extra::Loading);
    let ready = use_state(|| LOADED.with(|l| l.borrow().is_some()));
    {
        let ready = ready.clone();
        use_effect_with((), move |()| {
            if !*ready {
                wasm_bindgen_futures::spawn_local(async move {
                    module().await.ok();
                    ready.set(true);
                });
            }
        });
    }
    let answer_now = answer.clone();
    use_effect_with((deps, *ready), move |(deps, ready)| {
        let mut timer = None;
        if *ready {
            let deps = deps.clone();
            let ask = Closure::once(move || {
                let request = request(&deps);
                answer_now.set(match LOADED.with(|l| l.borrow().clone()) {
                    Some(Ok(f)) => match f.call1(&JsValue::NULL, &JsValue::from_str(&request)) {
                        Ok(text) => Extra::Answer(text.as_string().unwrap_or_default().into()),
                        Err(e) => Extra::Failed(crate::browser::js_message(&e)),
                    },
                    Some(Err(why)) => Extra::Failed(why),
                    None => Extra::Loading,
                });
            });
            let window = web_sys::window().expect("a window");
            let id = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    ask.as_ref().unchecked_ref(),
                    PAUSE_MS,
                )
                .ok();
            timer = Some((window, id, ask));
        }
        // A newer keystroke cancels the question not yet asked.
        move || {
            if let Some((window, Some(id), _ask)) = timer {
                window.clear_timeout_with_handle(id);
            }
        }
    });
    (*answer).clone()
}

/// What a section about the shown service asks: its kind, the project, the service's index and
/// the request's own fields.
pub type About = (&'static str, Project, usize, Vec<String>);

/// The request `about` makes (see `src/extras.rs`).
pub fn about(deps: &About) -> String {
    let (kind, project, index, fields) = deps;
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    request(kind, &model::to_yaml(project), *index, &fields)
}

/// The request for `kind` about the service at `index`, with its own `fields`.
pub fn request(kind: &str, settings: &str, index: usize, fields: &[&str]) -> String {
    let mut out = format!("{kind}{SEP}{settings}{SEP}{index}");
    for field in fields {
        out.push(SEP);
        out.push_str(field);
    }
    out
}

/// The findings in the module's answer to "findings", for `project`: each rule's name and fix
/// from the catalogue, and the setting each comes from. Codes the catalogue lacks (a file that
/// could not be read) keep their code as their name.
pub fn findings(project: &Project, answer: &str) -> Vec<shipshape_core::rules::Diagnostic> {
    use shipshape_core::rules::{self, Diagnostic, Severity};
    let mut out = Vec::new();
    let mut rest = answer;
    while !rest.is_empty() {
        let mut fields = [""; 8];
        for field in &mut fields {
            let Some((value, after)) = take(rest) else {
                return out;
            };
            *field = value;
            rest = after;
        }
        let [
            code,
            severity,
            message,
            file,
            line,
            column,
            end_line,
            end_column,
        ] = fields;
        let number = |text: &str| text.parse().unwrap_or(1);
        let info = rules::find(code);
        let mut diagnostic = Diagnostic {
            code: info.map_or("S000", |i| i.code),
            name: info.map_or("unreadable", |i| i.name),
            severity: Severity::from_id(severity).unwrap_or(Severity::Error),
            message: message.to_owned(),
            file: file.to_owned(),
            line: number(line),
            column: number(column),
            end_line: number(end_line),
            end_column: number(end_column),
            fix: info.map_or("", |i| i.fix),
            field: None,
        };
        diagnostic.field = rules::fields::field_for(project, &diagnostic);
        out.push(diagnostic);
    }
    out
}

/// What a section shows while the module loads, or when it cannot.
pub fn waiting(extra: &Extra) -> Html {
    match extra {
        Extra::Failed(why) => html! {
            <p class="warning" role="status">
                { format!("This part of the page could not be loaded ({why}). Reload the page to try again.") }
            </p>
        },
        _ => html! { <p class="help" role="status">{ "Loading…" }</p> },
    }
}
