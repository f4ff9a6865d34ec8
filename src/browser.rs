//! The few browser services the app uses, each behind a small function: downloading bytes as
//! a file, copying text, reading files the user picked or dropped, and fetching one of the
//! site's own text files. Downloads are `blob:` URLs made from memory; the only request is to
//! the page's own origin, which the Content Security Policy (`connect-src 'self'`) enforces.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Offers `bytes` to the user as a file named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let fail = |what: &str, e: JsValue| format!("{what} failed: {e:?}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| fail("Making the file", e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| fail("Making a link to the file", e))?;
    let document = document().ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| fail("Making a link", e))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    let body = document.body().ok_or("no body")?;
    body.append_child(&link)
        .map_err(|e| fail("Adding the link", e))?;
    link.click();
    link.remove();
    // The click has started the download; the URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Copies `text` with the Clipboard API. Fails where the browser refuses (no permission, or
/// not a secure context); the caller then offers the text selected for Ctrl+C.
pub async fn copy(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let navigator = window.navigator();
    let has_clipboard =
        js_sys::Reflect::has(&navigator, &JsValue::from_str("clipboard")).unwrap_or(false);
    if !has_clipboard {
        return Err("this browser offers no clipboard here".into());
    }
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| format!("the browser refused: {}", js_message(&e)))
}

/// Selects every character of the element with `id`, so Ctrl+C copies it.
pub fn select_contents(id: &str) {
    let Some(element) = document().and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    if let Some(selection) = web_sys::window().and_then(|w| w.get_selection().ok().flatten()) {
        let _ = selection.select_all_children(&element);
    }
}

/// The text of a JS error, or a description of any other value.
pub fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// The bytes of a file the user picked or dropped.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{} could not be read: {}", file.name(), js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The text of `path`, a file of the site itself (relative to the page), through the service
/// worker's store when the page is offline.
pub async fn fetch_own_text(path: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|e| format!("{path} could not be loaded: {}", js_message(&e)))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "{path} could not be loaded: the site answered {}",
            response.status()
        ));
    }
    let text = response.text().map_err(|e| js_message(&e))?;
    JsFuture::from(text)
        .await
        .map_err(|e| format!("{path} could not be read: {}", js_message(&e)))?
        .as_string()
        .ok_or_else(|| format!("{path} is not text"))
}

/// The value saved under `key` in localStorage, if any and if storage is available.
pub fn load(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

/// Saves `value` under `key` in localStorage; the error says why not (full, or disabled).
pub fn save(key: &str, value: &str) -> Result<(), String> {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or("this browser keeps no local storage for the page (private mode?)")?;
    storage.set_item(key, value).map_err(|e| {
        let message = js_message(&e);
        if message.to_ascii_lowercase().contains("quota") {
            "the browser's storage for this page is full".to_owned()
        } else {
            message
        }
    })
}

/// Registers the service worker (`sw.js`, next to the page) that keeps the app working
/// without a network after the first visit. Where the browser has none (not a secure
/// context), the app simply needs the network.
pub fn work_offline() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    // A failed registration (a build served without sw.js) only means no offline copy.
    let _ = navigator.service_worker().register("sw.js");
}

/// The page's fragment without its `#`.
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|hash| hash.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}

/// The page's address without its fragment.
pub fn page_address() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or("").to_owned())
        .unwrap_or_default()
}

/// Removes the fragment from the address bar without reloading, so a reload shows the
/// autosaved work rather than the link's settings again.
pub fn drop_fragment() {
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&page_address()));
    }
}

/// Asks the user to confirm; `false` where the browser cannot ask.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

/// Scrolls the element with `id` to the middle of the view, and returns it.
pub fn scroll_to(id: &str) -> Option<web_sys::Element> {
    let element = document()?.get_element_by_id(id)?;
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Center);
    element.scroll_into_view_with_scroll_into_view_options(&options);
    Some(element)
}

/// Scrolls the element with `id` just into view, if it is not: for a cursor moved by keys.
pub fn reveal(id: &str) {
    if let Some(element) = document().and_then(|d| d.get_element_by_id(id)) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

/// Brings the control with `id` into view and moves the keyboard focus to it.
pub fn focus(id: &str) {
    if let Some(element) = scroll_to(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// Adds a named moment to the page's performance timeline (`performance.mark`).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
