//! The app mounted in headless Chromium (wasm-bindgen-test): typing into the form changes the
//! preview, and a refused value stays in its field with a message beside it.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use shipshape::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, HtmlInputElement, HtmlSelectElement, InputEvent, InputEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh app in its own element and waits for the first render.
async fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    root
}

/// Lets Yew's scheduler run the pending renders.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

/// Types `text` into the input as a user would: the value changes, then an `input` event bubbles.
async fn type_into(root: &Element, selector: &str, text: &str) {
    let input: HtmlInputElement = find(root, selector).dyn_into().unwrap();
    input.set_value(text);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
    settle().await;
}

fn preview(root: &Element) -> String {
    find(root, "#preview-file")
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn shows_a_dockerfile_for_the_default_settings() {
    let root = mount().await;
    let text = preview(&root);
    assert!(text.starts_with("# syntax=docker/dockerfile:1"), "{text}");
    assert!(text.contains("service api"), "{text}");
    assert!(text.contains("EXPOSE 8080"), "{text}");
}

#[wasm_bindgen_test]
async fn typing_a_service_name_updates_the_preview() {
    let root = mount().await;
    type_into(&root, "#service-name", "payments").await;
    assert!(
        preview(&root).contains("service payments"),
        "{}",
        preview(&root)
    );

    type_into(&root, "#port", "3000").await;
    assert!(preview(&root).contains("EXPOSE 3000"), "{}", preview(&root));
}

#[wasm_bindgen_test]
async fn a_refused_value_stays_in_the_field_with_its_message() {
    let root = mount().await;
    type_into(&root, "#service-name", "Payments API").await;

    let input: HtmlInputElement = find(&root, "#service-name").dyn_into().unwrap();
    assert_eq!(input.value(), "Payments API", "the typed text is kept");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let error = find(&root, "#service-name-error").text_content().unwrap();
    assert!(error.contains("Use lowercase"), "{error}");
    assert!(
        find(&root, ".stale")
            .text_content()
            .unwrap()
            .contains("1 field needs fixing")
    );
    assert!(
        preview(&root).contains("service api"),
        "the preview keeps the last valid name"
    );

    type_into(&root, "#service-name", "payments-api").await;
    assert_eq!(
        find(&root, "#service-name-error").text_content().unwrap(),
        ""
    );
    assert!(root.query_selector(".stale").unwrap().is_none());
    assert!(preview(&root).contains("service payments-api"));
}

#[wasm_bindgen_test]
async fn choosing_a_runtime_changes_the_build() {
    let root = mount().await;
    let select: HtmlSelectElement = find(&root, "#runtime").dyn_into().unwrap();
    select.set_value("go");
    let init = EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    settle().await;
    assert!(
        preview(&root).contains("FROM golang:"),
        "{}",
        preview(&root)
    );
}

#[wasm_bindgen_test]
async fn tabs_open_each_generated_file() {
    let root = mount().await;
    let tabs = root.query_selector_all("[role=tab]").unwrap();
    assert_eq!(tabs.length(), 2);
    let dockerignore = (0..tabs.length())
        .map(|i| {
            tabs.item(i)
                .unwrap()
                .dyn_into::<web_sys::HtmlElement>()
                .unwrap()
        })
        .find(|tab| tab.text_content().as_deref() == Some(".dockerignore"))
        .expect("a .dockerignore tab");
    dockerignore.click();
    settle().await;
    assert!(
        preview(&root).contains("node_modules"),
        "{}",
        preview(&root)
    );
    assert_eq!(
        dockerignore.get_attribute("aria-selected").as_deref(),
        Some("true")
    );
}
