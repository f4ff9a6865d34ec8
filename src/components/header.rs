//! The page header: what Shipshape is, the share, reset and theme buttons, and the page-wide
//! message (a link that did not open, saved work that could not be read).

use shipshape_core::model::{self, share};
use yew::prelude::*;

use crate::browser;
use crate::state::{Action, Banner, StateContext};

/// The themes the toggle steps through; "system" follows the operating system's setting.
const THEMES: [(&str, &str); 3] = [
    ("system", "Theme: system"),
    ("light", "Theme: light"),
    ("dark", "Theme: dark"),
];
const THEME_KEY: &str = "shipshape.theme";

/// Applies a theme to the page: `data-theme` on the root element, none for "system".
fn apply(theme: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = match theme {
            "light" | "dark" => root.set_attribute("data-theme", theme),
            _ => root.remove_attribute("data-theme"),
        };
    }
}

#[component]
pub fn Header() -> Html {
    let theme = use_state(|| {
        let saved = browser::load(THEME_KEY).unwrap_or_default();
        let theme = THEMES.iter().position(|(id, _)| *id == saved).unwrap_or(0);
        apply(THEMES[theme].0);
        theme
    });
    let toggle = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = (*theme + 1) % THEMES.len();
            apply(THEMES[next].0);
            // Remembering is a convenience: if storage is off, the choice lasts for this visit.
            let _ = browser::save(THEME_KEY, THEMES[next].0);
            theme.set(next);
        })
    };
    let state = use_context::<StateContext>().expect("Header needs the StateContext");
    let link = use_state(|| None::<String>);
    let copied = use_state(|| None::<String>);

    let share_link = {
        let link = link.clone();
        let copied = copied.clone();
        let project = state.project.clone();
        Callback::from(move |_: MouseEvent| {
            let url = format!("{}#s={}", browser::page_address(), share::encode(&project));
            link.set(Some(url.clone()));
            let copied = copied.clone();
            // Plain values that look like secrets travel in the link: say so before it is sent.
            let warning = shipshape_core::secrets::suspects(&project)
                .into_iter()
                .map(|why| format!(" Careful: {why}, and the link holds it."))
                .collect::<String>();
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(match browser::copy(&url).await {
                    Ok(()) => format!(
                        "Link copied. It holds your settings, never secret values.{warning}"
                    ),
                    Err(why) => {
                        format!("Could not copy ({why}): select the link and copy it.{warning}")
                    }
                }));
            });
        })
    };
    let reset = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            if browser::confirm("Discard your settings and start again from the first preset?") {
                dispatcher.dispatch(Action::LoadPreset(model::PRESETS[0].name.into()));
            }
        })
    };
    let export = {
        let project = state.project.clone();
        Callback::from(move |_: MouseEvent| {
            let name = format!("{}.shipshape.yaml", project.name);
            let _ = browser::download(&name, model::to_yaml(&project).as_bytes(), "text/yaml");
        })
    };
    let import = {
        let dispatcher = state.dispatcher();
        let edited = state.is_edited();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            // The same file may be picked again after it is fixed.
            input.set_value("");
            let dispatcher = dispatcher.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let read = browser::read_file(&file).await.and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| "it is not text".to_owned())
                });
                let loaded =
                    read.and_then(|text| model::from_yaml(&text).map_err(|e| e.to_string()));
                match loaded {
                    Ok(project) => {
                        let question = format!("Replace your settings with those in {name}?");
                        if !edited || browser::confirm(&question) {
                            dispatcher.dispatch(Action::Open(
                                Box::new(project),
                                format!("Imported the settings in {name}."),
                            ));
                        }
                    }
                    // Nothing changes: the message says what to fix in the file.
                    Err(why) => dispatcher.dispatch(Action::Banner(Some(Banner {
                        message: format!(
                            "{name} could not be imported; your settings are unchanged. {}",
                            why.trim_end()
                        ),
                        problem: true,
                        kept: None,
                    }))),
                }
            });
        })
    };
    let banner = state.banner.clone().map(|banner| {
        let dismiss = {
            let dispatcher = state.dispatcher();
            Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Banner(None)))
        };
        let download = banner.kept.clone().map(|kept| {
            Callback::from(move |_: MouseEvent| {
                let _ = browser::download(
                    "shipshape-unreadable-settings.yaml",
                    kept.as_bytes(),
                    "text/yaml",
                );
            })
        });
        html! {
            <div id="banner" class={classes!("banner", banner.problem.then_some("problem"))}
                 role={if banner.problem { "alert" } else { "status" }}>
                <p>{ &banner.message }</p>
                if let Some(download) = download {
                    <button type="button" id="banner-download" class="secondary" onclick={download}>
                        { "Download the unreadable settings" }
                    </button>
                }
                <button type="button" class="secondary" onclick={dismiss}>{ "Dismiss" }</button>
            </div>
        }
    });

    html! {
        <header class="site-header">
            <div class="header-row">
                <div>
                    <h1 class="brand">{ "Shipshape" }</h1>
                    <p class="tagline">
                        { "Describe your service; get the delivery setup a careful engineer would write. Nothing leaves your browser." }
                    </p>
                </div>
                <div class="header-actions">
                    <button type="button" id="share" class="secondary" onclick={share_link}>{ "Share link" }</button>
                    <button type="button" id="export" class="secondary" onclick={export}
                            title="Download the settings as a YAML file">{ "Export settings" }</button>
                    <input type="file" id="import" class="visually-hidden" accept=".yaml,.yml,.json"
                           onchange={import} />
                    <label class="button" for="import" title="Open a settings YAML file">
                        { "Import settings" }
                    </label>
                    <button type="button" id="reset" class="secondary" onclick={reset}>{ "Reset" }</button>
                    <button type="button" id="theme" class="secondary" onclick={toggle}
                            title="Light, dark, or as the system is set">
                        { THEMES[*theme].1 }
                    </button>
                </div>
            </div>
            if let Some(url) = (*link).clone() {
                <div class="share">
                    <label for="share-link">{ "Link to these settings" }</label>
                    <input id="share-link" type="text" readonly=true value={url}
                           onfocus={Callback::from(|e: FocusEvent| {
                               let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                               input.select();
                           })} />
                    <p id="share-status" class="help" role="status">{ (*copied).clone().unwrap_or_default() }</p>
                </div>
            }
            { banner.unwrap_or_default() }
        </header>
    }
}
