//! The app mounted in headless Chromium (wasm-bindgen-test): typing into the form changes the
//! preview, and a refused value stays in its field with a message beside it.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use shipshape::app::{App, AppProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement,
    HtmlTextAreaElement, InputEvent, InputEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh app in its own element, without saving or links (tests run side by side in
/// one page), and waits for the first render.
async fn mount() -> Element {
    mount_with(false).await
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Mounts an app that reads and saves like the real page, as a reload would.
async fn mount_as_is() -> Element {
    mount_with(true).await
}

async fn mount_with(persist: bool) -> Element {
    // The page's second module, from this test binary: the test server serves no site.
    shipshape::lazy::register();
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { persist }).render();
    eventually(|| {
        root.query_selector("#preview-file")
            .unwrap()
            .is_none()
            .then(|| "no preview yet".into())
    })
    .await;
    root
}

/// Polls `failure` until it returns None (the expected state was reached), or fails with its
/// last reason after five seconds. Renders are asynchronous, and a loaded machine is slow.
async fn eventually(mut failure: impl FnMut() -> Option<String>) {
    for _ in 0..250 {
        if failure().is_none() {
            return;
        }
        yew::platform::time::sleep(Duration::from_millis(20)).await;
    }
    if let Some(reason) = failure() {
        panic!("{reason}");
    }
}

fn query(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

fn find(root: &Element, selector: &str) -> Element {
    query(root, selector).unwrap_or_else(|| panic!("no element matches {selector}"))
}

/// Clicks the element `selector` finds, as a user would.
fn click(root: &Element, selector: &str) {
    find(root, selector)
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn text(root: &Element, selector: &str) -> String {
    query(root, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn preview(root: &Element) -> String {
    text(root, "#preview-file")
}

/// Waits until the preview shows `expected`.
async fn preview_shows(root: &Element, expected: &str) {
    eventually(|| {
        let shown = preview(root);
        (!shown.contains(expected))
            .then(|| format!("the preview never showed {expected:?}:\n{shown}"))
    })
    .await;
}

/// Types `text` into the input as a user would: the value changes, then an `input` event bubbles.
fn type_into(root: &Element, selector: &str, text: &str) {
    let input: HtmlInputElement = find(root, selector).dyn_into().unwrap();
    input.set_value(text);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&InputEvent::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

/// Pastes `text` into a text area: the value changes, then an `input` event bubbles.
fn paste_into(root: &Element, selector: &str, text: &str) {
    let area: HtmlTextAreaElement = find(root, selector).dyn_into().unwrap();
    area.set_value(text);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(&InputEvent::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

fn choose(root: &Element, selector: &str, value: &str) {
    let select: HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
}

fn tab_count(root: &Element) -> usize {
    root.query_selector_all("#preview-tabs [data-path]")
        .unwrap()
        .length() as usize
}

/// The paths of the files the tree lists, one per line.
fn listed(root: &Element) -> String {
    let files = root
        .query_selector_all("#preview-tabs [data-path]")
        .unwrap();
    (0..files.length())
        .filter_map(|i| files.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .filter_map(|file| file.get_attribute("data-path"))
        .collect::<Vec<_>>()
        .join("\n")
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
    type_into(&root, "#services-0-name", "api");
    preview_shows(&root, "# Service: api").await;
    type_into(&root, "#services-0-port", "3000");
    preview_shows(&root, "EXPOSE 3000").await;
}

#[wasm_bindgen_test]
async fn a_refused_value_stays_in_the_field_with_its_message() {
    let root = mount().await;
    type_into(&root, "#services-0-name", "Payments API");
    eventually(|| {
        (!text(&root, "#services-0-name-error").contains("Use lowercase"))
            .then(|| "no message".into())
    })
    .await;

    let input: HtmlInputElement = find(&root, "#services-0-name").dyn_into().unwrap();
    assert_eq!(input.value(), "Payments API", "the typed text is kept");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(text(&root, ".stale").contains("1 field needs fixing"));
    assert!(
        preview(&root).contains("# Service: backend"),
        "the preview keeps the last valid name"
    );

    type_into(&root, "#services-0-name", "payments-api");
    preview_shows(&root, "# Service: payments-api").await;
    // The form may render a moment after the preview.
    eventually(|| {
        let error = text(&root, "#services-0-name-error");
        (!error.is_empty()).then(|| format!("the message stays: {error}"))
    })
    .await;
    assert!(query(&root, ".stale").is_none());
}

#[wasm_bindgen_test]
async fn choosing_a_runtime_changes_the_build() {
    let root = mount().await;
    choose(&root, "#services-0-runtime", "go");
    preview_shows(&root, "FROM golang:1.25").await;
    // The form is its own component and may render a moment after the preview.
    eventually(|| {
        let version: HtmlSelectElement = find(&root, "#services-0-version").dyn_into().unwrap();
        (version.value() != "1.25").then(|| {
            format!(
                "the version list follows the runtime: {:?}",
                version.value()
            )
        })
    })
    .await;
}

#[wasm_bindgen_test]
async fn choosing_a_preset_replaces_the_project() {
    let root = mount().await;
    choose(&root, "#preset", "go-api");
    preview_shows(&root, "# Project: catalog").await;
    let expected =
        shipshape_core::generate(&shipshape_core::model::preset("go-api").unwrap().project());
    assert_eq!(
        tab_count(&root),
        expected.files().len(),
        "one tab per generated file"
    );
}

#[wasm_bindgen_test]
async fn service_tabs_switch_the_fields() {
    let root = mount().await;
    click(&root, "#service-tab-1");
    eventually(|| {
        let name = query(&root, "#services-1-name")?
            .dyn_into::<HtmlInputElement>()
            .ok()?
            .value();
        (name != "frontend").then(|| format!("the second service's name field shows {name:?}"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn file_tabs_open_each_generated_file() {
    let root = mount().await;
    let expected = shipshape_core::generate(&shipshape_core::model::PRESETS[0].project());
    assert_eq!(
        tab_count(&root),
        expected.files().len(),
        "one tab per generated file"
    );
    let workflow: HtmlElement = find(
        &root,
        "#preview-tabs [data-path='.github/workflows/backend.yml']",
    )
    .dyn_into()
    .unwrap();
    workflow.click();
    preview_shows(&root, "deploy-production:").await;
    assert_eq!(
        workflow.get_attribute("aria-current").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn a_canary_strategy_adds_its_step_manifests() {
    let root = mount().await;
    assert!(query(&root, "#services-0-rollout-canary-steps").is_none());
    choose(&root, "#services-0-rollout-strategy", "canary");
    eventually(|| {
        let tabs = listed(&root);
        (!tabs.contains("k8s/staging/backend-canary-step-01-10.yaml"))
            .then(|| format!("no step manifests in {tabs}"))
    })
    .await;
    let steps: HtmlInputElement = find(&root, "#services-0-rollout-canary-steps")
        .dyn_into()
        .unwrap();
    assert_eq!(steps.value(), "10, 50, 100");

    type_into(&root, "#services-0-rollout-canary-steps", "20, 10, 100");
    eventually(|| {
        let error = text(&root, "#services-0-rollout-canary-steps-error");
        (!error.contains("more traffic than the one before")).then(|| format!("message: {error:?}"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn without_a_secrets_store_each_service_gets_a_secret_to_fill_in() {
    let root = mount().await;
    assert!(!listed(&root).contains("backend-secret.yaml"));
    choose(&root, "#secrets-provider", "none");
    eventually(|| {
        let tabs = listed(&root);
        (!tabs.contains("k8s/staging/backend-secret.yaml") || tabs.contains("secret-store.yaml"))
            .then(|| format!("tabs: {tabs}"))
    })
    .await;
    // The form may render a moment after the preview.
    eventually(|| {
        query(&root, "#secrets-store-address").map(|_| "no store, yet an address field".into())
    })
    .await;
    choose(&root, "#secrets-provider", "vault");
    eventually(|| {
        let address = query(&root, "#secrets-store-address")?
            .dyn_into::<HtmlInputElement>()
            .ok()?
            .value();
        (address != "https://vault.example.com:8200")
            .then(|| format!("address field shows {address:?}"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_pasted_dockerfile_shows_its_findings_at_their_lines() {
    let root = mount().await;
    paste_into(
        &root,
        "#own-0-text",
        "FROM node:22-alpine\nWORKDIR app\nCOPY . .\nCMD npm start\n",
    );
    eventually(|| {
        let findings = text(&root, "#own-0-findings");
        (!findings.contains("SD008")).then(|| format!("findings: {findings:?}"))
    })
    .await;
    assert!(text(&root, "#own-0-summary").starts_with("Read as Dockerfile:"));
    let items = root.query_selector_all("#own-0-findings li").unwrap();
    let found: Vec<String> = (0..items.length())
        .map(|i| items.item(i).unwrap().text_content().unwrap())
        .collect();
    let at = |code: &str| {
        found
            .iter()
            .find(|f| f.contains(code))
            .unwrap_or_else(|| panic!("no {code} in {found:#?}"))
            .clone()
    };
    let relative = at("SD008");
    assert!(relative.starts_with("Line 2, column 1"), "{relative}");
    assert!(relative.contains("2 | WORKDIR app"), "{relative}");
    let shell_form = at("SD007");
    assert!(shell_form.starts_with("Line 4"), "{shell_form}");
    assert!(shell_form.contains("4 | CMD npm start"), "{shell_form}");

    // Each finding links to its rule's entry in the catalogue, which names it and its fix
    // while its docs load (the end-to-end suite reads the docs, served with the site).
    assert!(query(&root, "#own-0-findings a[href='#rule-SD008']").is_some());
    let entry = text(&root, "#rule-SD008");
    assert!(
        entry.contains("relative-workdir") && entry.contains("Fix: "),
        "{entry}"
    );

    // Nothing typed is lost when a second file joins it.
    click(&root, "#own-add");
    eventually(|| {
        query(&root, "#own-1-text")
            .is_none()
            .then(|| "no second file".into())
    })
    .await;
    let first: HtmlTextAreaElement = find(&root, "#own-0-text").dyn_into().unwrap();
    assert!(first.value().starts_with("FROM node:22-alpine"));
}

#[wasm_bindgen_test]
async fn pasted_broken_yaml_is_reported_where_it_breaks() {
    let root = mount().await;
    type_into(&root, "#own-0-name", "k8s/deployment.yaml");
    paste_into(
        &root,
        "#own-0-text",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [api\n",
    );
    eventually(|| {
        let findings = text(&root, "#own-0-findings");
        (!findings.contains("SY000")).then(|| format!("findings: {findings:?}"))
    })
    .await;
    // The flow sequence opened on line 4 is still open where the text ends, on line 5.
    let findings = text(&root, "#own-0-findings");
    assert!(findings.starts_with("Line 5, column 1"), "{findings}");
}

#[wasm_bindgen_test]
async fn the_catalogue_lists_every_rule_by_family() {
    let root = mount().await;
    let entries = root
        .query_selector_all(".rule-catalogue details.rule")
        .unwrap()
        .length() as usize;
    assert_eq!(entries, shipshape_core::rules::catalogue().len());
    assert!(entries >= 60, "{entries} rules");
    let families = text(&root, ".rule-catalogue");
    for family in [
        "Dockerfile",
        "Kubernetes",
        "GitHub Actions",
        "docker-compose",
        "Terraform",
        "Across files",
    ] {
        assert!(families.contains(family), "no {family} section");
    }
}

#[wasm_bindgen_test]
async fn a_finding_opens_its_line_and_focuses_the_setting_behind_it() {
    let root = mount().await;
    // The rules run in the second module, once the page has rendered.
    eventually(|| {
        let summary = text(&root, "#problems-summary");
        summary.starts_with("Checking").then_some(summary)
    })
    .await;
    // No error or warning: no finding at all, or only info.
    let summary = text(&root, "#problems-summary");
    assert!(
        summary.starts_with("Every rule passes") || summary.contains("0 errors, 0 warnings"),
        "{summary}"
    );

    click(&root, "#service-tab-1");
    eventually(|| {
        query(&root, "#services-1-replicas")
            .is_none()
            .then(|| "no replicas field".into())
    })
    .await;
    type_into(&root, "#services-1-replicas", "1");
    eventually(|| {
        let summary = text(&root, "#problems-summary");
        (!summary.contains("0 errors, 2 warnings")).then(|| format!("summary: {summary}"))
    })
    .await;

    // Away from the field, then back through the finding.
    click(&root, "#service-tab-0");
    let problems = root
        .query_selector_all("#problems-list .problem-go")
        .unwrap();
    let single = (0..problems.length())
        .map(|i| problems.item(i).unwrap().dyn_into::<HtmlElement>().unwrap())
        .find(|p| p.text_content().unwrap_or_default().contains("SK016"))
        .expect("a single-replica finding");
    let shown = single.text_content().unwrap_or_default();
    assert!(shown.contains("Setting: Replicas"), "{shown}");
    let (file, line) = shown
        .rsplit_once("Setting")
        .and_then(|(before, _)| before.rsplit_once(".yaml:"))
        .map(|(_, line)| line)
        .and_then(|line| line.parse::<usize>().ok())
        .map(|line| (shown.clone(), line))
        .expect("file:line in the finding");
    single.click();
    eventually(|| {
        let open = find(&root, "#preview-file")
            .get_attribute("aria-label")
            .unwrap_or_default();
        (!file.contains(&format!("{open}:{line}")))
            .then(|| format!("the open file is {open}, not the finding's ({file})"))
    })
    .await;
    eventually(|| {
        let marked = query(&root, &format!("#L{line}"))
            .map(|l| l.class_name())
            .unwrap_or_default();
        (!(marked.contains("target") && marked.contains("sev-warning")))
            .then(|| format!("line {line} is not marked: {marked:?}"))
    })
    .await;
    eventually(|| {
        let focused = web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .active_element()
            .map(|e| e.id())
            .unwrap_or_default();
        (focused != "services-1-replicas").then(|| format!("focus is on {focused:?}"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_picked_zip_is_unpacked_and_checked() {
    let root = mount().await;
    let archive = shipshape_core::zip::write([
        (
            "repo/Dockerfile",
            b"FROM node:latest\nCMD node server.js\n".as_slice(),
        ),
        (
            "repo/k8s/app.yaml",
            b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n".as_slice(),
        ),
        ("repo/logo.png", &[0x89, b'P', b'N', b'G']),
    ]);
    pick_file(&root, "#own-pick", "repo.zip", &archive);
    eventually(|| {
        let notes = text(&root, "#own-notes");
        (!notes.contains("Read 2 files from 1 picked.")).then(|| format!("notes: {notes:?}"))
    })
    .await;
    // The archive's Dockerfile is checked under its own path, with its findings.
    eventually(|| {
        let name = query(&root, "#own-0-name")?
            .dyn_into::<HtmlInputElement>()
            .ok()?
            .value();
        let findings = text(&root, "#own-0-findings");
        (!(name == "repo/Dockerfile" && findings.contains("SD002")))
            .then(|| format!("first file {name:?}: {findings}"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_whole_bundle_downloads_as_a_zip() {
    let root = mount().await;
    click(&root, "#download-zip");
    eventually(|| {
        let notice = text(&root, "#file-notice");
        (!notice.starts_with("Downloaded assistant.zip:")).then(|| format!("notice: {notice:?}"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_theme_toggle_steps_through_system_light_and_dark() {
    let root = mount().await;
    let page = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap();
    let button: HtmlElement = find(&root, "#theme").dyn_into().unwrap();
    let start = button.text_content().unwrap_or_default();
    let mut seen = Vec::new();
    for _ in 0..3 {
        button.click();
        eventually(|| {
            let label = button.text_content().unwrap_or_default();
            (label == seen.last().cloned().unwrap_or_else(|| start.clone()))
                .then(|| format!("the label stayed {label:?}"))
        })
        .await;
        seen.push(button.text_content().unwrap_or_default());
        let theme = page.get_attribute("data-theme");
        let label = seen.last().unwrap();
        match theme.as_deref() {
            Some("light") => assert_eq!(label, "Theme: light"),
            Some("dark") => assert_eq!(label, "Theme: dark"),
            None => assert_eq!(label, "Theme: system"),
            other => panic!("data-theme {other:?}"),
        }
    }
    assert_eq!(seen.last(), Some(&start), "three steps come back round");
}

#[wasm_bindgen_test]
async fn services_can_be_added_duplicated_moved_and_removed() {
    let root = mount().await;
    // The buttons act on the service they name; wait until they name the expected one.
    let acting_on = |name: &'static str| {
        let root = root.clone();
        async move {
            eventually(|| {
                let label = text(&root, "#service-duplicate");
                (label != format!("Duplicate {name}"))
                    .then(|| format!("the buttons act on {label:?}"))
            })
            .await;
        }
    };
    choose(&root, "#service-add-runtime", "go");
    click(&root, "#service-add");
    eventually(|| {
        let listed = listed(&root);
        (!listed.contains(".github/workflows/go.yml"))
            .then(|| format!("no go workflow in\n{listed}"))
    })
    .await;
    // The new service is shown, with its own fields.
    eventually(|| {
        let name = query(&root, "#services-2-name")?
            .dyn_into::<HtmlInputElement>()
            .ok()?
            .value();
        (name != "go").then(|| format!("the third service's name field shows {name:?}"))
    })
    .await;

    acting_on("go").await;
    click(&root, "#service-duplicate");
    eventually(|| (!listed(&root).contains("go-copy/Dockerfile")).then(|| "no copy".into())).await;
    acting_on("go-copy").await;
    click(&root, "#service-left");
    eventually(|| {
        let tab = text(&root, "#service-tab-2");
        (tab != "go-copy").then(|| format!("the third tab is {tab:?}"))
    })
    .await;
    acting_on("go-copy").await;
    click(&root, "#service-remove");
    eventually(|| {
        listed(&root)
            .contains("go-copy/Dockerfile")
            .then(|| "still there".into())
    })
    .await;

    // Autoscaling off for the backend: a replica count field instead of the HPA's.
    click(&root, "#service-tab-0");
    acting_on("backend").await;
    click(&root, "#services-0-autoscaling-on");
    eventually(|| {
        query(&root, "#services-0-replicas")
            .is_none()
            .then(|| "no replicas field".into())
    })
    .await;
    assert!(query(&root, "#services-0-autoscaling-min-replicas").is_none());
}

#[wasm_bindgen_test]
async fn environment_variables_are_added_named_and_kept_secret() {
    let root = mount().await;
    let count = root
        .query_selector_all("#service-fields .env-row")
        .unwrap()
        .length();
    click(&root, "#services-0-env-add");
    let new = count;
    let name = format!("#services-0-env-{new}-name");
    eventually(|| {
        query(&root, &name)
            .is_none()
            .then(|| "no new variable".into())
    })
    .await;
    type_into(&root, &name, "FEATURE_FLAGS");
    // A plain value goes into the compose file; a secret's name goes to the ExternalSecret.
    type_into(&root, &format!("#services-0-env-{new}-value"), "beta");
    click(&root, "#preview-tabs [data-path='docker-compose.yml']");
    preview_shows(&root, "FEATURE_FLAGS: beta").await;
    click(&root, &format!("#services-0-env-{new}-secret"));
    eventually(|| {
        let refused = text(&root, "#service-structure-error");
        (!refused.contains("Clear the value of FEATURE_FLAGS"))
            .then(|| format!("refusal: {refused:?}"))
    })
    .await;
    type_into(&root, &format!("#services-0-env-{new}-value"), "");
    click(&root, &format!("#services-0-env-{new}-secret"));
    eventually(|| {
        query(&root, &format!("#services-0-env-{new}-value"))
            .is_some()
            .then(|| "a secret has no value field".into())
    })
    .await;
    click(&root, &format!("#services-0-env-{new}-remove"));
    eventually(|| query(&root, &name).is_some().then(|| "still listed".into())).await;
}

#[wasm_bindgen_test]
async fn the_database_comes_and_goes_with_the_services_that_use_it() {
    let root = mount().await;
    assert!(listed(&root).contains("terraform/rds.tf"));
    click(&root, "#services-0-postgres-on");
    eventually(|| {
        listed(&root)
            .contains("terraform/rds.tf")
            .then(|| "the database is still there".into())
    })
    .await;
    // The form may render a moment after the preview.
    eventually(|| {
        query(&root, "#postgres-version").map(|_| "no database, yet a version field".into())
    })
    .await;
}

/// Answers the page's `confirm()` dialogs with `answer` from now on.
fn answer_confirm(answer: bool) {
    let window = web_sys::window().unwrap();
    let reply = wasm_bindgen::closure::Closure::<dyn Fn() -> bool>::new(move || answer);
    js_sys::Reflect::set(&window, &"confirm".into(), reply.as_ref()).unwrap();
    reply.forget();
}

#[wasm_bindgen_test]
async fn a_preset_replaces_edited_settings_only_when_the_user_agrees() {
    let root = mount().await;
    type_into(&root, "#name", "mine");
    preview_shows(&root, "# Project: mine").await;

    answer_confirm(false);
    choose(&root, "#preset", "go-api");
    yew::platform::time::sleep(Duration::from_millis(100)).await;
    preview_shows(&root, "# Project: mine").await;
    let picker: HtmlSelectElement = find(&root, "#preset").dyn_into().unwrap();
    assert_eq!(
        picker.value(),
        "fullstack-fastapi-react",
        "the list shows where the work started"
    );

    answer_confirm(true);
    choose(&root, "#preset", "go-api");
    preview_shows(&root, "# Project: catalog").await;
}

/// Saving, reloading, sharing and the move of a secret share the page's localStorage and
/// address, so they are one test: side by side they would read each other's saves.
#[wasm_bindgen_test]
async fn saving_reloading_and_sharing() {
    work_is_saved_as_it_is_typed_and_comes_back_on_reload().await;
    unreadable_saved_work_is_reported_and_kept().await;
    a_share_link_opens_the_same_settings().await;
    a_full_storage_is_reported_and_the_work_stays().await;
    a_plain_value_that_looks_like_a_secret_is_flagged_and_moved_to_the_store().await;
}

async fn work_is_saved_as_it_is_typed_and_comes_back_on_reload() {
    storage().clear().unwrap();
    let root = mount_as_is().await;
    type_into(&root, "#name", "autosaved");
    eventually(|| {
        let saved = storage()
            .get_item("shipshape.settings")
            .unwrap()
            .unwrap_or_default();
        (!saved.contains("\nname: autosaved\n")).then(|| format!("saved: {saved:.80}"))
    })
    .await;
    let reloaded = mount_as_is().await;
    let name: HtmlInputElement = find(&reloaded, "#name").dyn_into().unwrap();
    assert_eq!(name.value(), "autosaved");

    // A refused value is kept too, and comes back into its field with its message.
    type_into(&reloaded, "#services-0-port", "99999");
    eventually(|| {
        let drafts = storage()
            .get_item("shipshape.drafts")
            .unwrap()
            .unwrap_or_default();
        (!drafts.contains("99999")).then(|| format!("drafts: {drafts:?}"))
    })
    .await;
    let again = mount_as_is().await;
    eventually(|| {
        let port: HtmlInputElement = find(&again, "#services-0-port").dyn_into().unwrap();
        let message = text(&again, "#services-0-port-error");
        (port.value() != "99999" || !message.contains("65535"))
            .then(|| format!("port {:?}, message {message:?}", port.value()))
    })
    .await;
}

async fn a_full_storage_is_reported_and_the_work_stays() {
    storage().clear().unwrap();
    let root = mount_as_is().await;
    // Every write now fails as a full storage does.
    js_sys::eval(
        "window.__setItem = Storage.prototype.setItem;
         Storage.prototype.setItem = function () {
           throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
         };",
    )
    .unwrap();
    type_into(&root, "#name", "unsaved");
    let banner = async {
        eventually(|| {
            let banner = query(&root, "#banner").map(|b| b.text_content().unwrap_or_default());
            (!banner
                .as_deref()
                .is_some_and(|b| b.contains("could not be saved") && b.contains("full")))
            .then(|| format!("banner: {banner:?}"))
        })
        .await
    };
    banner.await;
    js_sys::eval("Storage.prototype.setItem = window.__setItem;").unwrap();
    let name: HtmlInputElement = find(&root, "#name").dyn_into().unwrap();
    assert_eq!(name.value(), "unsaved", "the work stays in the page");
    preview_shows(&root, "# Project: unsaved").await;
}

async fn unreadable_saved_work_is_reported_and_kept() {
    storage().clear().unwrap();
    storage()
        .set_item("shipshape.settings", "{\"schema_version\":1,\"name\":")
        .unwrap();
    let root = mount_as_is().await;
    let banner = text(&root, "#banner");
    assert!(banner.contains("could not be read"), "{banner}");
    assert!(query(&root, "#banner-download").is_some());
    assert_eq!(
        storage()
            .get_item("shipshape.settings.unreadable")
            .unwrap()
            .as_deref(),
        Some("{\"schema_version\":1,\"name\":"),
        "kept out of the autosave's way"
    );
    let name: HtmlInputElement = find(&root, "#name").dyn_into().unwrap();
    assert_eq!(name.value(), "assistant", "defaults meanwhile");
}

async fn a_share_link_opens_the_same_settings() {
    storage().clear().unwrap();
    let root = mount_as_is().await;
    type_into(&root, "#name", "shared");
    eventually(|| {
        query(&root, "#share")
            .is_none()
            .then(|| "no share button".into())
    })
    .await;
    // Wait until the project has the new name before sharing it.
    preview_shows(&root, "# Project: shared").await;
    find(&root, "#share")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    eventually(|| {
        query(&root, "#share-link")
            .is_none()
            .then(|| "no link".into())
    })
    .await;
    let link: HtmlInputElement = find(&root, "#share-link").dyn_into().unwrap();
    let url = link.value();
    let (_, fragment) = url.split_once('#').expect("a fragment");
    assert!(fragment.starts_with("s=s1."), "{url}");

    // Opened elsewhere: nothing saved there, only the link.
    storage().clear().unwrap();
    let window = web_sys::window().unwrap();
    window.location().set_hash(fragment).unwrap();
    let opened = mount_as_is().await;
    let name: HtmlInputElement = find(&opened, "#name").dyn_into().unwrap();
    assert_eq!(name.value(), "shared");
    assert!(text(&opened, "#banner").contains("shared link"));
    assert_eq!(
        window.location().hash().unwrap(),
        "",
        "a reload shows the autosave, not the link"
    );

    // A damaged link says so and keeps what is saved.
    window.location().set_hash("s=s1.AAAA").unwrap();
    let damaged = mount_as_is().await;
    assert!(text(&damaged, "#banner").contains("could not be opened"));
    window.location().set_hash("").unwrap();
}

#[wasm_bindgen_test]
async fn every_setting_has_a_field_including_cloud_probes_and_monitoring() {
    let root = mount().await;
    // The cloud as a whole goes and comes back with its fields.
    assert!(listed(&root).contains("terraform/"));
    click(&root, "#aws");
    eventually(|| {
        listed(&root)
            .contains("terraform/")
            .then(|| "Terraform files without the cloud".into())
    })
    .await;
    eventually(|| query(&root, "#aws-region").map(|_| "region field without AWS".into())).await;
    click(&root, "#aws");
    eventually(|| {
        (!listed(&root).contains("terraform/rds.tf")).then(|| "no Terraform again".into())
    })
    .await;
    eventually(|| {
        query(&root, "#aws-state-locking")
            .is_none()
            .then(|| "no locking field".into())
    })
    .await;

    // A probe timing is checked like any value, and what was typed stays.
    let period = "#services-0-rollout-probes-readiness-period-seconds";
    type_into(&root, period, "0");
    eventually(|| {
        let message = text(
            &root,
            "#services-0-rollout-probes-readiness-period-seconds-error",
        );
        (!message.contains("Period")).then(|| format!("message: {message:?}"))
    })
    .await;
    let input: HtmlInputElement = find(&root, period).dyn_into().unwrap();
    assert_eq!(input.value(), "0");
    type_into(&root, period, "7");
    eventually(|| {
        let message = text(
            &root,
            "#services-0-rollout-probes-readiness-period-seconds-error",
        );
        (!message.is_empty()).then(|| format!("message stays: {message:?}"))
    })
    .await;

    // Monitoring off hides its details.
    assert!(query(&root, "#observability-namespace").is_some());
    click(&root, "#observability-enabled");
    eventually(|| {
        query(&root, "#observability-namespace").map(|_| "namespace field still shown".into())
    })
    .await;

    // Approval before deploying to staging is a checkbox.
    let approval: HtmlInputElement = find(&root, "#environments-staging-approval-required")
        .dyn_into()
        .unwrap();
    assert!(!approval.checked());
    approval.click();
    eventually(|| {
        let approval: HtmlInputElement = find(&root, "#environments-staging-approval-required")
            .dyn_into()
            .unwrap();
        (!approval.checked()).then(|| "still unchecked".into())
    })
    .await;
}

#[wasm_bindgen_test]
async fn reset_asks_before_it_discards_the_work() {
    let root = mount().await;
    type_into(&root, "#name", "mine");
    preview_shows(&root, "# Project: mine").await;
    answer_confirm(false);
    click(&root, "#reset");
    yew::platform::time::sleep(Duration::from_millis(100)).await;
    preview_shows(&root, "# Project: mine").await;
    answer_confirm(true);
    click(&root, "#reset");
    preview_shows(&root, "# Project: assistant").await;
    eventually(|| {
        let name: HtmlInputElement = find(&root, "#name").dyn_into().unwrap();
        (name.value() != "assistant").then(|| format!("name field: {}", name.value()))
    })
    .await;
}

/// Picks a file named `name` holding `bytes` in the file input `selector`.
fn pick_file(root: &Element, selector: &str, name: &str, bytes: &[u8]) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, name).unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = find(root, selector).dyn_into().unwrap();
    input.set_files(Some(&transfer.files().unwrap()));
    let init = EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn settings_are_imported_from_a_yaml_file_or_the_file_is_refused_with_its_line() {
    let root = mount().await;
    // A settings file, as `shipshape init` or the export writes it.
    let project = shipshape_core::model::preset("go-api").unwrap().project();
    let yaml = shipshape_core::model::to_yaml(&project);
    pick_file(&root, "#import", "catalog.shipshape.yaml", yaml.as_bytes());
    preview_shows(&root, "# Project: catalog").await;
    eventually(|| {
        let banner = text(&root, "#banner");
        (!banner.contains("Imported the settings in catalog.shipshape.yaml"))
            .then(|| format!("banner: {banner:?}"))
    })
    .await;

    // A broken one changes nothing and says where it breaks.
    answer_confirm(true);
    let broken = yaml.replace("port: 8080", "port: lots");
    assert_ne!(broken, yaml);
    pick_file(&root, "#import", "broken.yaml", broken.as_bytes());
    eventually(|| {
        let banner = text(&root, "#banner");
        (!(banner.contains("broken.yaml could not be imported")
            && banner.contains("services[0].port")
            && banner.contains("line ")))
        .then(|| format!("banner: {banner:?}"))
    })
    .await;
    preview_shows(&root, "# Project: catalog").await;
}

/// Clicks each file listed under "What changed" until one's diff holds `line`; says whether
/// one did.
async fn a_changed_file_shows(root: &Element, line: &str) -> bool {
    let buttons = root.query_selector_all("#changes-files button").unwrap();
    for i in 0..buttons.length() {
        let button: HtmlElement = buttons.item(i).unwrap().dyn_into().unwrap();
        let path = button.text_content().unwrap_or_default();
        button.click();
        // The second module diffs the picked file once the click settles.
        eventually(|| {
            let shown = text(root, "#changes-file");
            (!shown.starts_with(&format!("{path}:"))).then(|| format!("{path} not shown: {shown}"))
        })
        .await;
        if text(root, "#changes-diff").contains(line) {
            return true;
        }
    }
    false
}

#[wasm_bindgen_test]
async fn what_changed_shows_the_lines_a_setting_brings_in_every_file() {
    let root = mount().await;
    assert!(text(&root, "#changes-summary").contains("Change a setting"));
    // The backend of the default preset scales itself: turning that off removes its HPA...
    click(&root, "#services-0-autoscaling-on");
    eventually(|| {
        let summary = text(&root, "#changes-summary");
        (!summary.contains("changed")).then(|| format!("summary: {summary:?}"))
    })
    .await;
    assert!(
        a_changed_file_shows(&root, "- kind: HorizontalPodAutoscaler").await,
        "files: {}",
        text(&root, "#changes-files")
    );
    // ... and turning it back on adds it again.
    click(&root, "#services-0-autoscaling-on");
    yew::platform::time::sleep(Duration::from_millis(50)).await;
    eventually(|| {
        let summary = text(&root, "#changes-summary");
        (!summary.contains("changed")).then(|| format!("summary: {summary:?}"))
    })
    .await;
    assert!(
        a_changed_file_shows(&root, "+ kind: HorizontalPodAutoscaler").await,
        "files: {}",
        text(&root, "#changes-files")
    );
}

#[wasm_bindgen_test]
async fn break_it_turns_a_default_off_and_shows_what_the_rules_find() {
    let root = mount().await;
    let before = preview(&root);
    click(&root, "#break-root-user");
    eventually(|| {
        let result = text(&root, "#break-result");
        (!(result.contains("SD003") && result.contains("SK005")))
            .then(|| format!("result: {result:.300}"))
    })
    .await;
    assert!(text(&root, "#break-summary").contains("Dockerfile"));
    // A what-if: the settings and the generated files are as they were.
    assert_eq!(preview(&root), before);
    click(&root, "#break-public-database");
    eventually(|| {
        let result = text(&root, "#break-result");
        (!result.contains("ST005")).then(|| format!("result: {result:.300}"))
    })
    .await;
}

/// Issue 11's secrets hygiene: a plain value shaped like a token is flagged next to it, with
/// where it would end up, and one click makes the variable a secret without its value.
/// (Part of `saving_reloading_and_sharing`: it reads the autosave.)
async fn a_plain_value_that_looks_like_a_secret_is_flagged_and_moved_to_the_store() {
    // An app that autosaves, as the page does, so the saved settings can be read.
    storage().clear().unwrap();
    let root = mount_as_is().await;
    let saved = || {
        storage()
            .get_item(shipshape::state::SAVED_KEY)
            .unwrap()
            .unwrap_or_default()
    };
    let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
    assert!(query(&root, "#services-0-env-0-secret-warning").is_none());
    type_into(&root, "#services-0-env-0-value", token);
    eventually(|| {
        let warning = text(&root, "#services-0-env-0-secret-warning");
        (!warning.contains("LOG_LEVEL looks like a GitHub personal access token"))
            .then(|| format!("no warning next to the value: {warning:?}"))
    })
    .await;
    assert!(text(&root, "#services-0-env-0-secret-warning").contains("the share link"));
    // As a plain value it is autosaved like any other setting.
    eventually(|| (!saved().contains(token)).then(|| "the typed value was not saved".into())).await;
    // Sharing now says what the link would carry (whether or not the clipboard took it).
    click(&root, "#share");
    eventually(|| {
        let status = text(&root, "#share-status");
        (!status.contains("Careful: LOG_LEVEL looks like a GitHub personal access token"))
            .then(|| format!("the share link gives no warning: {status:?}"))
    })
    .await;

    click(&root, "#services-0-env-0-secret-move");
    eventually(|| {
        query(&root, "#services-0-env-0-value").map(|_| "the value field is still shown".to_owned())
    })
    .await;
    let secret: HtmlInputElement = find(&root, "#services-0-env-0-secret").dyn_into().unwrap();
    assert!(secret.checked(), "the variable is a secret now");
    assert!(query(&root, "#services-0-env-0-secret-warning").is_none());
    // The move takes it out of the saved settings, and keeps the variable.
    eventually(|| {
        let saved = saved();
        (saved.contains(token) || !saved.contains("LOG_LEVEL"))
            .then(|| format!("the saved settings still hold the token: {saved}"))
    })
    .await;
    storage().clear().unwrap();
}
