//! The page header: product name and what it does, in one line, and the theme toggle.

use yew::prelude::*;

use crate::browser;

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
    html! {
        <header class="site-header">
            <div class="header-row">
                <div>
                    <h1 class="brand">{ "Shipshape" }</h1>
                    <p class="tagline">
                        { "Describe your service; get the delivery setup a careful engineer would write. Nothing leaves your browser." }
                    </p>
                </div>
                <button type="button" id="theme" class="secondary" onclick={toggle}
                        title="Light, dark, or as the system is set">
                    { THEMES[*theme].1 }
                </button>
            </div>
        </header>
    }
}
