//! The preview pane: the generated files as tabs, the open one shown in full.

use std::rc::Rc;

use shipshape_core::Bundle;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PreviewProps {
    pub bundle: Rc<Bundle>,
    /// Fields whose typed value is refused; the preview shows the last valid settings meanwhile.
    pub stale_fields: usize,
}

#[component]
pub fn Preview(props: &PreviewProps) -> Html {
    let files = props.bundle.files();
    let selected = use_state(|| {
        props
            .bundle
            .first()
            .map(|f| f.path.clone())
            .unwrap_or_default()
    });
    let open = props.bundle.get(&selected).or_else(|| props.bundle.first());

    let tabs = files.iter().map(|file| {
        let is_open = open.is_some_and(|o| o.path == file.path);
        let onclick = {
            let selected = selected.clone();
            let path = file.path.clone();
            Callback::from(move |_: MouseEvent| selected.set(path.clone()))
        };
        html! {
            <button
                type="button"
                role="tab"
                class={classes!("tab", is_open.then_some("open"))}
                aria-selected={is_open.to_string()}
                aria-controls="preview-file"
                {onclick}
            >
                { &file.path }
            </button>
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
            <div id="preview-tabs" class="tabs" role="tablist" aria-label="Generated files">{ for tabs }</div>
            if let Some(file) = open {
                <pre id="preview-file" class="file" role="tabpanel" tabindex="0"
                     aria-label={file.path.clone()}><code>{ &file.contents }</code></pre>
            }
        </section>
    }
}

fn stale_message(fields: usize) -> String {
    let noun = if fields == 1 {
        "field needs"
    } else {
        "fields need"
    };
    format!("{fields} {noun} fixing; the preview shows the last valid values.")
}
