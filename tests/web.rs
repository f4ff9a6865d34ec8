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

async fn choose(root: &Element, selector: &str, value: &str) {
    let select: HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    settle().await;
}

fn click(root: &Element, selector: &str) -> web_sys::HtmlElement {
    let element: web_sys::HtmlElement = find(root, selector).dyn_into().unwrap();
    element.click();
    element
}

#[wasm_bindgen_test]
async fn shows_the_first_dockerfile_of_the_default_preset() {
    let root = mount().await;
    let text = preview(&root);
    assert!(text.starts_with("# syntax=docker/dockerfile:1"), "{text}");
    assert!(text.contains("# Service: backend"), "{text}");
    assert!(text.contains("EXPOSE 8000"), "{text}");
}

#[wasm_bindgen_test]
async fn typing_a_service_name_updates_the_preview() {
    let root = mount().await;
    type_into(&root, "#services-0-name", "api").await;
    assert!(
        preview(&root).contains("# Service: api"),
        "{}",
        preview(&root)
    );

    type_into(&root, "#services-0-port", "3000").await;
    assert!(preview(&root).contains("EXPOSE 3000"), "{}", preview(&root));
}

#[wasm_bindgen_test]
async fn a_refused_value_stays_in_the_field_with_its_message() {
    let root = mount().await;
    type_into(&root, "#services-0-name", "Payments API").await;

    let input: HtmlInputElement = find(&root, "#services-0-name").dyn_into().unwrap();
    assert_eq!(input.value(), "Payments API", "the typed text is kept");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let error = find(&root, "#services-0-name-error")
        .text_content()
        .unwrap();
    assert!(error.contains("Use lowercase"), "{error}");
    assert!(
        find(&root, ".stale")
            .text_content()
            .unwrap()
            .contains("1 field needs fixing")
    );
    assert!(
        preview(&root).contains("# Service: backend"),
        "the preview keeps the last valid name"
    );

    type_into(&root, "#services-0-name", "payments-api").await;
    assert_eq!(
        find(&root, "#services-0-name-error")
            .text_content()
            .unwrap(),
        ""
    );
    assert!(root.query_selector(".stale").unwrap().is_none());
    assert!(preview(&root).contains("# Service: payments-api"));
}

#[wasm_bindgen_test]
async fn choosing_a_runtime_changes_the_build() {
    let root = mount().await;
    choose(&root, "#services-0-runtime", "go").await;
    assert!(
        preview(&root).contains("FROM golang:1.25"),
        "{}",
        preview(&root)
    );
    let version: HtmlSelectElement = find(&root, "#services-0-version").dyn_into().unwrap();
    assert_eq!(
        version.value(),
        "1.25",
        "the version list follows the runtime"
    );
}

#[wasm_bindgen_test]
async fn choosing_a_preset_replaces_the_project() {
    let root = mount().await;
    choose(&root, "#preset", "go-api").await;
    assert!(
        preview(&root).contains("# Project: catalog"),
        "{}",
        preview(&root)
    );
    let tabs = root.query_selector_all("#preview-tabs [role=tab]").unwrap();
    assert_eq!(
        tabs.length(),
        4,
        "Dockerfile, .dockerignore, workflow, compose"
    );
}

#[wasm_bindgen_test]
async fn service_tabs_switch_the_fields() {
    let root = mount().await;
    click(&root, "#service-tab-1");
    settle().await;
    let name: HtmlInputElement = find(&root, "#services-1-name").dyn_into().unwrap();
    assert_eq!(name.value(), "frontend");
}

#[wasm_bindgen_test]
async fn file_tabs_open_each_generated_file() {
    let root = mount().await;
    let tabs = root.query_selector_all("#preview-tabs [role=tab]").unwrap();
    assert_eq!(
        tabs.length(),
        7,
        "two services of three files each, and the compose file"
    );
    let workflow = (0..tabs.length())
        .map(|i| {
            tabs.item(i)
                .unwrap()
                .dyn_into::<web_sys::HtmlElement>()
                .unwrap()
        })
        .find(|tab| tab.text_content().as_deref() == Some(".github/workflows/backend.yml"))
        .expect("a workflow tab");
    workflow.click();
    settle().await;
    assert!(
        preview(&root).contains("deploy-production:"),
        "{}",
        preview(&root)
    );
    assert_eq!(
        workflow.get_attribute("aria-selected").as_deref(),
        Some("true")
    );
}
