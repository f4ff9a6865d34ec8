//! Texts the app fetches from its own site after the first render (the rules' docs, the
//! explanations of generated lines), so that they are not part of the first load. The service
//! worker stores them with the page for offline use.

use std::rc::Rc;

use yew::prelude::*;

/// Where a fetched text is: on its way, here, or not to be had (with why).
#[derive(Clone, PartialEq)]
pub enum OwnText {
    Loading,
    Loaded(Rc<str>),
    Failed(String),
}

/// The text of `path` (relative to the page), fetched once after the component's first
/// render.
#[hook]
pub fn use_own_text(path: &'static str) -> OwnText {
    let text = use_state(|| OwnText::Loading);
    {
        let text = text.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                text.set(match crate::browser::fetch_own_text(path).await {
                    Ok(loaded) => OwnText::Loaded(loaded.into()),
                    Err(why) => OwnText::Failed(why),
                });
            });
        });
    }
    (*text).clone()
}
