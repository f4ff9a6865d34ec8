//! The page's second module, `shipshape-extras` (`src/extras.rs`): the rollout simulator, the
//! migration planner and the pictures, which a visit needs only after its first preview. It is
//! loaded once, after the first render, and then answers each section's requests; until then
//! the sections say they are loading, and if it cannot load they say why.

use std::cell::RefCell;
use std::rc::Rc;

use shipshape_core::{Project, model};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// Between the fields of a request or an answer (the module's `SEP`).
pub const SEP: char = '\u{1}';
/// Between a rollout step's picture and its text (the module's `PART`).
pub const PART: char = '\u{2}';

// The module's files carry no hash in their names (Trunk names a worker-type module after its
// binary), so they are found next to the page.
#[wasm_bindgen(inline_js = "export function load_extras() {
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

/// The module's answer to the request for `kind` about the service at `index` of `project`,
/// with the request's own `fields` (see `src/extras.rs`). It is asked once typing pauses, after
/// the render, so a keystroke never waits for it; and again whenever what it depends on changes.
#[hook]
pub fn use_extra(
    kind: &'static str,
    project: &Project,
    index: usize,
    fields: Vec<String>,
) -> Extra {
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
    use_effect_with(
        (project.clone(), index, fields, *ready),
        move |(project, index, fields, ready)| {
            let mut timer = None;
            if *ready {
                let (project, index, fields) = (project.clone(), *index, fields.clone());
                let ask = Closure::once(move || {
                    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
                    let request = request(kind, &model::to_yaml(&project), index, &fields);
                    answer_now.set(match LOADED.with(|l| l.borrow().clone()) {
                        Some(Ok(f)) => {
                            match f.call1(&JsValue::NULL, &JsValue::from_str(&request)) {
                                Ok(text) => {
                                    Extra::Answer(text.as_string().unwrap_or_default().into())
                                }
                                Err(e) => Extra::Failed(crate::browser::js_message(&e)),
                            }
                        }
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
        },
    );
    (*answer).clone()
}

/// The request for `kind` about the service at `index`, with its own `fields`.
fn request(kind: &str, settings: &str, index: usize, fields: &[&str]) -> String {
    let mut out = format!("{kind}{SEP}{settings}{SEP}{index}");
    for field in fields {
        out.push(SEP);
        out.push_str(field);
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
