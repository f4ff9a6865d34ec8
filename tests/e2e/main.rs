//! End-to-end: the release build in real Chromium, driven through chromedriver, served under a
//! sub-path as on GitHub Pages. Run by `cargo xtask test` after the release build, which sets
//! SHIPSHAPE_E2E_DIST, SHIPSHAPE_E2E_PUBLIC_URL and CHROMEDRIVER.
#![cfg(not(target_arch = "wasm32"))]

mod server;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use server::StaticServer;

const WAIT: Duration = Duration::from_secs(20);

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end suite with `cargo xtask test`, which builds the site first")
    })
}

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env("CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session with the project's browser flags (webdriver.json).
async fn browser(driver: &Driver) -> Client {
    browser_with(driver, None).await
}

/// The same, saving downloads into `downloads` when given.
async fn browser_with(driver: &Driver, downloads: Option<&std::path::Path>) -> Client {
    let mut config: serde_json::Value =
        serde_json::from_str(include_str!("../../webdriver.json")).expect("webdriver.json is JSON");
    if let Some(dir) = downloads {
        config["goog:chromeOptions"]["prefs"] = serde_json::json!({
            "download.default_directory": dir,
            "download.prompt_for_download": false,
        });
    }
    // The console's errors, CSP violations among them, are read back by `console_errors`.
    config["goog:loggingPrefs"] = serde_json::json!({ "browser": "ALL" });
    let mut capabilities = config
        .as_object()
        .cloned()
        .expect("webdriver.json is an object");
    capabilities.insert("browserName".into(), "chrome".into());
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("open a Chromium session")
}

/// chromedriver's command for the browser's console log, which fantoccini has no method for.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// The errors on the browser's console since the last call: Content Security Policy
/// violations, failed loads, uncaught exceptions, panics.
async fn console_errors(client: &Client) -> Vec<String> {
    let log = client
        .issue_cmd(BrowserLog)
        .await
        .expect("chromedriver reads the browser's log");
    log.as_array()
        .expect("the log is a list")
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Opens the app and waits for its form, failing with the requests that went unanswered.
async fn open(client: &Client, site: &StaticServer) {
    client.goto(&site.base_url).await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#services-0-name"))
        .await
        .unwrap_or_else(|error| {
            panic!(
                "the form never appeared at {} ({error}); requests not answered 200: {:?}",
                site.base_url,
                site.failures()
            )
        });
}

/// The site served, chromedriver and a Chromium session showing the app's form, saving
/// downloads into `downloads` when given. Keep the driver bound while the client is used.
async fn start(downloads: Option<&std::path::Path>) -> (StaticServer, Driver, Client) {
    let site = StaticServer::start(
        PathBuf::from(env("SHIPSHAPE_E2E_DIST")),
        &env("SHIPSHAPE_E2E_PUBLIC_URL"),
    );
    let driver = Driver::start();
    let client = browser_with(&driver, downloads).await;
    open(&client, &site).await;
    (site, driver, client)
}

/// A new, empty folder in the temporary directory, named for this run.
fn empty_folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

async fn text(client: &Client, selector: &str) -> String {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The text of `selector`, or nothing while the page does not show it yet (sections drawn by
/// the second module appear after it loads).
async fn shown_text(client: &Client, selector: &str) -> String {
    match client.find(Locator::Css(selector)).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Polls until `check` holds for the text of `selector`, or fails with the last text seen.
async fn wait_for_text(client: &Client, selector: &str, what: &str, check: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let seen = shown_text(client, selector).await;
        if check(&seen) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{selector} never showed {what}; last text:\n{seen}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Polls `done` until it holds, or fails after WAIT saying what never happened.
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done().await {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits for Chromium to finish downloading `file`.
async fn downloaded(file: &std::path::Path) {
    until(
        &format!("no {} after the click", file.display()),
        async || file.exists(),
    )
    .await;
    // Chromium writes a .crdownload first and renames it when complete.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// Picks the option `value` of the select `selector`, as a user would.
async fn choose(client: &Client, selector: &str, value: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// Replaces a field's text as a user does: select it all, delete it, type. (WebDriver's
/// `clear` fires no input event, so a component that re-renders meanwhile puts the old text
/// back.)
async fn replace_text(client: &Client, selector: &str, text: &str) {
    let input = client.find(Locator::Css(selector)).await.unwrap();
    client
        .execute(
            "document.querySelector(arguments[0]).select();",
            vec![serde_json::json!(selector)],
        )
        .await
        .unwrap();
    input
        .send_keys(&format!("{}{text}", fantoccini::key::Key::Backspace))
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn a_user_edits_the_form_and_the_preview_follows() {
    let (site, _driver, client) = start(None).await;
    assert_eq!(client.title().await.unwrap(), "Shipshape");
    wait_for_text(&client, "#preview-file", "the default Dockerfile", |t| {
        t.contains("# Service: backend")
    })
    .await;

    // For looking at the page: SHIPSHAPE_E2E_SCREENSHOT=shot.png keeps a picture of it.
    if let Ok(path) = std::env::var("SHIPSHAPE_E2E_SCREENSHOT") {
        std::fs::write(&path, client.screenshot().await.unwrap()).unwrap();
    }

    // A valid name: the preview follows as the user types.
    replace_text(&client, "#services-0-name", "checkout").await;
    wait_for_text(&client, "#preview-file", "the new name", |t| {
        t.contains("# Service: checkout")
    })
    .await;

    // An invalid port: the message appears beside the field, the text stays, and the preview
    // keeps the last valid port, which, typed key by key, was 9999.
    replace_text(&client, "#services-0-port", "99999").await;
    wait_for_text(&client, "#services-0-port-error", "the port message", |t| {
        t.contains("65535")
    })
    .await;
    let port = client.find(Locator::Css("#services-0-port")).await.unwrap();
    assert_eq!(port.prop("value").await.unwrap().as_deref(), Some("99999"));
    let preview = text(&client, "#preview-file").await;
    assert!(preview.contains("EXPOSE 9999"), "{preview}");
    assert!(
        text(&client, ".stale")
            .await
            .contains("1 field needs fixing")
    );

    replace_text(&client, "#services-0-port", "9090").await;
    wait_for_text(&client, "#preview-file", "the new port", |t| {
        t.contains("EXPOSE 9090")
    })
    .await;
    assert_eq!(text(&client, "#services-0-port-error").await, "");

    // Another runtime: another build.
    choose(&client, "#services-0-runtime", "go").await;
    wait_for_text(&client, "#preview-file", "a Go build", |t| {
        t.contains("FROM golang:")
    })
    .await;

    // Every preset, from the picker: its whole bundle, free of errors and warnings.
    client
        .execute("window.confirm = () => true;", vec![])
        .await
        .unwrap();
    for preset in shipshape_core::model::PRESETS {
        choose(&client, "#preset", preset.name).await;
        let project = preset.project();
        let files = shipshape_core::generate(&project).files().len();
        wait_for_text(&client, ".tree-count", "the preset's files", |t| {
            t == format!("{files} files")
        })
        .await;
        // The form is its own component and may render a moment after the preview.
        until(&format!("{}: the name field", preset.name), async || {
            value(&client, "#name").await == project.name
        })
        .await;
        // Free of errors and warnings, as core's tests require of every preset.
        wait_for_text(&client, "#problems-summary", "no errors or warnings", |t| {
            t.starts_with("Every rule passes") || t.starts_with("0 errors, 0 warnings,")
        })
        .await;
    }

    client.close().await.unwrap();
    assert!(site.requests() >= 3, "index, JS and wasm were requested");
    assert_eq!(
        site.failures(),
        vec![],
        "every asset loads under the sub-path"
    );
}

#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn the_zip_the_browser_downloads_is_the_one_the_cli_writes() {
    let downloads = empty_folder("shipshape-e2e-downloads");
    let (site, _driver, client) = start(Some(&downloads)).await;

    // A preset, so the zip is of settings the CLI can name.
    choose(&client, "#preset", "go-api").await;
    wait_for_text(&client, "#preview-file", "the Go preset", |t| {
        t.contains("FROM golang:")
    })
    .await;
    click_on(&client, "#download-zip").await;
    wait_for_text(&client, "#file-notice", "the download notice", |t| {
        t.starts_with("Downloaded catalog.zip")
    })
    .await;
    let file = downloads.join("catalog.zip");
    downloaded(&file).await;
    let from_browser = std::fs::read(&file).unwrap();
    // `shipshape generate --zip` writes core's zip::bundle (tested in the CLI's own suite).
    let project = shipshape_core::model::preset("go-api").unwrap().project();
    let expected = shipshape_core::zip::bundle(&shipshape_core::generate(&project), &project.name);
    assert_eq!(
        from_browser.len(),
        expected.len(),
        "same size as the CLI's zip"
    );
    assert!(from_browser == expected, "byte for byte the CLI's zip");

    // Export the settings: the file reads back as the same project.
    click_on(&client, "#export").await;
    let exported = downloads.join("catalog.shipshape.yaml");
    downloaded(&exported).await;
    let settings = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(
        shipshape_core::model::from_yaml(&settings),
        Ok(project.clone())
    );

    // Copy a file, paste it into "Check your own files": the clipboard held the file.
    click_on(&client, "#copy-file").await;
    wait_for_text(&client, "#file-notice", "the copy notice", |t| {
        !t.is_empty()
    })
    .await;
    let notice = text(&client, "#file-notice").await;
    assert!(notice.starts_with("Copied "), "{notice}");
    let area = client.find(Locator::Css("#own-0-text")).await.unwrap();
    area.click().await.unwrap();
    area.send_keys(&format!("{}v", fantoccini::key::Key::Control))
        .await
        .unwrap();
    wait_for_text(
        &client,
        "#own-0-summary",
        "the pasted Dockerfile read",
        |t| t.starts_with("Read as Dockerfile"),
    )
    .await;
    let pasted = area.prop("value").await.unwrap().unwrap_or_default();
    let bundle = shipshape_core::generate(&project);
    assert_eq!(pasted, bundle.get("Dockerfile").unwrap().contents);

    client.close().await.unwrap();
    assert_eq!(
        site.failures(),
        vec![],
        "nothing but the app's own assets was requested"
    );
    let _ = std::fs::remove_dir_all(&downloads);
}

#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn after_the_first_visit_the_app_works_offline() {
    let (site, _driver, client) = start(None).await;
    // Wait until the service worker has stored the page and its assets and controls the page.
    let ready = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready
               .then(() => new Promise((r) => setTimeout(r, 500)))
               .then(() => caches.open('shipshape'))
               .then((store) => store.keys())
               .then((keys) => done(keys.map((k) => k.url)))
               .catch((e) => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    let stored = ready.to_string();
    // The page names its stylesheet and icon in unquoted attributes (Trunk's minified HTML);
    // they are kept as well as the scripts.
    for asset in [
        ".wasm",
        ".js",
        ".css",
        ".svg",
        "rule-docs.txt",
        "shipshape-extras_bg.wasm",
    ] {
        assert!(stored.contains(asset), "{asset} not stored: {stored}");
    }
    assert_eq!(site.failures(), vec![], "sw.js and every asset load");
    // The rules' docs are not part of the first load (budgets.toml's after_first_render): the
    // page asks for them only once the app (the wasm) has arrived and rendered.
    // Nor is the second module (the rollout simulator, the planner, the pictures).
    for later in ["/rule-docs.txt", "/shipshape-extras_bg.wasm"] {
        let order = client
            .execute(
                "const all = performance.getEntriesByType('resource');
                 const later = all.find((e) => e.name.endsWith(arguments[0]));
                 const wasm = all.find((e) => /shipshape-web-[^/]*_bg[.]wasm$/.test(e.name));
                 return later && wasm ? [later.startTime, wasm.responseEnd] : String(all.map((e) => e.name));",
                vec![serde_json::json!(later)],
            )
            .await
            .unwrap();
        let (asked, arrived) = (order[0].as_f64(), order[1].as_f64());
        assert!(
            asked
                .zip(arrived)
                .is_some_and(|(asked, arrived)| asked >= arrived),
            "{later} was asked for before the app arrived: {order}"
        );
    }

    site.go_offline();
    client.refresh().await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#services-0-name"))
        .await
        .expect("the app opens with the network down");
    wait_for_text(&client, "#preview-file", "the default Dockerfile", |t| {
        t.contains("# Service: backend")
    })
    .await;
    let styled = client
        .execute(
            "return [...document.styleSheets].some((s) => s.href && s.cssRules.length > 20);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        styled,
        serde_json::json!(true),
        "the stylesheet applies offline"
    );
    // The second module comes from the store: the rollout is drawn.
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#rollout-pods g"))
        .await
        .expect("the rollout is drawn offline");
    // A rule's docs, fetched after the first render, come from the store.
    client
        .execute("document.querySelector('#rule-SD008').open = true;", vec![])
        .await
        .unwrap();
    wait_for_text(&client, "#rule-SD008", "the rule's docs offline", |t| {
        t.contains("Why is this bad?")
    })
    .await;
    // Its example is shown as code.
    let example = client
        .execute(
            "return document.querySelector('#rule-SD007 pre').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(example, serde_json::json!("CMD node server.js"));
    client.close().await.unwrap();
}

/// Types `count` new project names into the form, one input event each, and measures in the
/// page, for each, the time from the event to the preview showing the new name (the DOM
/// updated), and to the next frame after that (what the user sees). Returns both lists, ms.
async fn keystrokes(client: &Client, count: usize, prefix: &str) -> (Vec<f64>, Vec<f64>) {
    let result = client
        .execute_async(
            "const [count, prefix, done] = arguments;
             const input = document.querySelector('#name');
             const dom = [], frame = [];
             let i = 0;
             const step = () => {
               if (i >= count) { done([dom, frame]); return; }
               const value = prefix + i;
               const expected = '# Project: ' + value;
               const shown = () => {
                 const file = document.querySelector('#preview-file');
                 return file !== null && file.textContent.includes(expected);
               };
               const start = performance.now();
               let seen = false;
               const finish = () => {
                 if (seen || !shown()) return;
                 seen = true;
                 observer.disconnect();
                 dom.push(performance.now() - start);
                 // The next frame: after rAF, a task runs once that frame is painted.
                 requestAnimationFrame(() => {
                   const channel = new MessageChannel();
                   channel.port1.onmessage = () => {
                     frame.push(performance.now() - start);
                     i += 1;
                     setTimeout(step, 20);
                   };
                   channel.port2.postMessage(null);
                 });
               };
               const observer = new MutationObserver(finish);
               observer.observe(document.body, { subtree: true, childList: true, characterData: true });
               input.value = value;
               input.dispatchEvent(new InputEvent('input', { bubbles: true }));
               finish();
             };
             step();",
            vec![count.into(), prefix.into()],
        )
        .await
        .expect("the keystroke script runs");
    let list = |i: usize| -> Vec<f64> {
        result[i]
            .as_array()
            .expect("a list of times")
            .iter()
            .map(|t| t.as_f64().unwrap())
            .collect()
    };
    (list(0), list(1))
}

/// The median and 95th percentile (nearest rank) of `times`.
fn median_p95(times: &[f64]) -> (f64, f64) {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank =
        |p: f64| sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    (rank(0.5), rank(0.95))
}

/// Runs `ROUNDS` series of `KEYSTROKES` keystrokes and returns the TOML table of their
/// figures: each round's median and p95, to the DOM update and to the next frame, and the best
/// round's p95 (a neighbour's load on a shared machine only ever adds time).
async fn keystroke_rounds(client: &Client, name: &str, prefix: &str) -> String {
    const ROUNDS: usize = 3;
    const KEYSTROKES: usize = 60;
    let mut table = format!("[{name}]\nkeystrokes_per_round = {KEYSTROKES}\n");
    let (mut best_dom, mut best_frame) = (f64::INFINITY, f64::INFINITY);
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        let (dom, frame) = keystrokes(client, KEYSTROKES, &format!("{prefix}-r{round}-")).await;
        let (dom_median, dom_p95) = median_p95(&dom);
        let (frame_median, frame_p95) = median_p95(&frame);
        best_dom = best_dom.min(dom_p95);
        best_frame = best_frame.min(frame_p95);
        rounds.push(format!(
            "{{ dom_median_ms = {dom_median:.1}, dom_p95_ms = {dom_p95:.1}, frame_median_ms = {frame_median:.1}, frame_p95_ms = {frame_p95:.1} }}"
        ));
    }
    table.push_str(&format!(
        "dom_p95_ms = {best_dom:.1}\nframe_p95_ms = {best_frame:.1}\nrounds = [\n  {},\n]\n",
        rounds.join(",\n  ")
    ));
    table
}

/// The browser benchmark of issue 8: time from navigation to an interactive form, and
/// keystroke-to-preview latency for the full-stack preset and for ten app services. Writes
/// its figures as TOML to SHIPSHAPE_BROWSER_BENCH, which `cargo xtask test` prints against
/// budgets.toml.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn browser_speed_benchmark() {
    // First load, from navigation start (the page's time origin) to the form's first render.
    let (site, _driver, client) = start(None).await;
    let ready = client
        .execute(
            "const mark = performance.getEntriesByName('shipshape-form-ready')[0];
             return mark ? mark.startTime : null;",
            vec![],
        )
        .await
        .unwrap();
    let first_load = ready.as_f64().expect("the form marks its first render");

    // The full-stack preset is what the page opens with.
    wait_for_text(&client, "#preview-file", "the project name", |t| {
        t.contains("# Project: ")
    })
    .await;
    let fullstack = keystroke_rounds(&client, "fullstack", "fullstack").await;

    // Ten app services, opened from a share link.
    let mut project = shipshape_core::model::preset("fullstack-fastapi-react")
        .unwrap()
        .project();
    let runtimes = shipshape_core::model::Runtime::ALL;
    for i in 0..8 {
        project
            .add_service(runtimes[i % runtimes.len()])
            .expect("room for ten services");
    }
    assert_eq!(project.services.len(), 10);
    let link = format!(
        "{}#s={}",
        site.base_url,
        shipshape_core::model::share::encode(&project)
    );
    client.goto(&link).await.unwrap();
    client.refresh().await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#service-tab-9"))
        .await
        .expect("the ten services open from the link");
    let ten = keystroke_rounds(&client, "ten_services", "ten").await;
    client.close().await.unwrap();

    let figures = format!("first_load_ms = {first_load:.1}\n\n{fullstack}\n{ten}");
    println!("{figures}");
    let out = std::env::var("SHIPSHAPE_BROWSER_BENCH")
        .unwrap_or_else(|_| "target/browser-bench.toml".into());
    std::fs::write(&out, figures).expect("write the figures");
}

/// The value of the input `selector`.
async fn value(client: &Client, selector: &str) -> String {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Polls until the page's saved settings hold `expected`.
async fn wait_for_saved(client: &Client, expected: &str) {
    until(&format!("never saved {expected:?}"), async || {
        let saved = client
            .execute("return localStorage.getItem('shipshape.settings');", vec![])
            .await
            .unwrap();
        saved.as_str().is_some_and(|s| s.contains(expected))
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn work_survives_a_reload_travels_by_link_and_outlives_a_damaged_save() {
    let site = StaticServer::start(
        PathBuf::from(env("SHIPSHAPE_E2E_DIST")),
        &env("SHIPSHAPE_E2E_PUBLIC_URL"),
    );
    let driver = Driver::start();

    // Typed, then reloaded: the work is still there.
    let mine = browser(&driver).await;
    open(&mine, &site).await;
    replace_text(&mine, "#name", "travelled").await;
    replace_text(&mine, "#services-0-port", "8123").await;
    wait_for_text(&mine, "#preview-file", "the new name", |t| {
        t.contains("# Project: travelled")
    })
    .await;
    wait_for_saved(&mine, "name: travelled").await;
    mine.refresh().await.unwrap();
    open_again(&mine).await;
    assert_eq!(value(&mine, "#name").await, "travelled");
    assert_eq!(value(&mine, "#services-0-port").await, "8123");

    // Shared: the link opens the same settings in another browser profile, with nothing saved.
    click_on(&mine, "#share").await;
    mine.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#share-link"))
        .await
        .unwrap();
    let link = value(&mine, "#share-link").await;
    assert!(link.contains("#s=s1."), "{link}");
    mine.close().await.unwrap();

    let theirs = browser(&driver).await;
    theirs.goto(&site.base_url).await.unwrap();
    let saved = theirs
        .execute("return localStorage.getItem('shipshape.settings');", vec![])
        .await
        .unwrap();
    assert!(
        saved.is_null(),
        "a fresh profile has nothing saved: {saved}"
    );
    theirs.goto(&link).await.unwrap();
    theirs.refresh().await.unwrap();
    open_again(&theirs).await;
    assert_eq!(value(&theirs, "#name").await, "travelled");
    assert_eq!(value(&theirs, "#services-0-port").await, "8123");
    wait_for_text(&theirs, "#banner", "that a link was opened", |t| {
        t.contains("shared link")
    })
    .await;

    // Saved text that cannot be read: a message, a copy to download, and the defaults.
    theirs
        .execute(
            "localStorage.setItem('shipshape.settings', 'schema_version: 1\\nname: [broken');",
            vec![],
        )
        .await
        .unwrap();
    theirs.goto(&site.base_url).await.unwrap();
    theirs.refresh().await.unwrap();
    open_again(&theirs).await;
    wait_for_text(&theirs, "#banner", "that the save was unreadable", |t| {
        t.contains("could not be read")
    })
    .await;
    theirs
        .find(Locator::Css("#banner-download"))
        .await
        .expect("the unreadable text can be downloaded");
    assert_eq!(value(&theirs, "#name").await, "assistant");
    let kept = theirs
        .execute(
            "return localStorage.getItem('shipshape.settings.unreadable');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept.as_str(), Some("schema_version: 1\nname: [broken"));
    theirs.close().await.unwrap();
}

/// Waits for the form after a reload.
async fn open_again(client: &Client) {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#services-0-name"))
        .await
        .expect("the form appears again");
}

/// Runs axe-core over the page and returns its serious and critical violations, one line each.
/// Prints how many rules passed and every lesser violation, for the record.
async fn axe_violations(client: &Client) -> Vec<String> {
    let loaded = client
        .execute("return typeof axe !== 'undefined';", vec![])
        .await
        .unwrap();
    if loaded.as_bool() != Some(true) {
        let source = std::fs::read_to_string(env("SHIPSHAPE_AXE")).expect("read axe-core");
        client
            .execute(&format!("{source}\nreturn true;"), vec![])
            .await
            .expect("inject axe-core");
    }
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document)
               .then((result) => done({
                 passes: result.passes.length,
                 violations: result.violations.map((v) => ({
                   serious: v.impact === 'serious' || v.impact === 'critical',
                   text: `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`,
                 })),
               }))
               .catch((e) => done({ passes: 0, violations: [{ serious: true, text: 'axe failed: ' + e }] }));",
            vec![],
        )
        .await
        .unwrap();
    let passes = found["passes"].as_u64().unwrap_or(0);
    assert!(passes > 0, "axe-core ran no rule: {found}");
    let mut serious = Vec::new();
    let violations = found["violations"].as_array().cloned().unwrap_or_default();
    println!(
        "axe-core: {passes} rules passed, {} violated",
        violations.len()
    );
    for violation in violations {
        let text = violation["text"].as_str().unwrap_or_default().to_owned();
        println!("  {text}");
        if violation["serious"].as_bool() == Some(true) {
            serious.push(text);
        }
    }
    serious
}

async fn click_on(client: &Client, selector: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// axe-core finds no serious or critical accessibility problem on the page, in the states a
/// user sees it in: as it opens, with a refused value and its message, with the share link
/// shown and a message banner, with pasted files and their findings, and in the dark theme.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn axe_finds_no_serious_accessibility_problems() {
    let (_site, _driver, client) = start(None).await;
    let mut report = Vec::new();
    let mut check = async |state: &str, client: &Client| {
        for violation in axe_violations(client).await {
            report.push(format!("{state}: {violation}"));
        }
    };
    check("as opened", &client).await;

    replace_text(&client, "#services-0-port", "99999").await;
    wait_for_text(
        &client,
        "#services-0-port-error",
        "the port's message",
        |t| !t.is_empty(),
    )
    .await;
    click_on(&client, "#share").await;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#share-link"))
        .await
        .unwrap();
    let area = client.find(Locator::Css("#own-0-text")).await.unwrap();
    area.send_keys("FROM node:latest\nRUN curl http://example.com | sh\n")
        .await
        .unwrap();
    wait_for_text(&client, "#own-0-summary", "the pasted file read", |t| {
        t.starts_with("Read as Dockerfile")
    })
    .await;
    check("with a message, the link and findings", &client).await;

    // Light, then dark.
    click_on(&client, "#theme").await;
    click_on(&client, "#theme").await;
    let theme = client
        .execute(
            "return document.documentElement.getAttribute('data-theme');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(theme.as_str(), Some("dark"));
    check("dark theme", &client).await;

    // A 375 px phone: nothing wider than the screen, and still no serious problem.
    client.set_window_size(375, 812).await.unwrap();
    let (width, page) = {
        let sizes = client
            .execute(
                "return [window.innerWidth, document.documentElement.scrollWidth];",
                vec![],
            )
            .await
            .unwrap();
        (sizes[0].as_f64().unwrap(), sizes[1].as_f64().unwrap())
    };
    assert!(
        page <= width,
        "at {width} px wide the page is {page} px wide: it scrolls sideways"
    );
    check("375 px wide", &client).await;
    // Every rule of the catalogue opened, with its examples.
    client
        .execute(
            "document.querySelectorAll('details.rule').forEach((d) => d.open = true);",
            vec![],
        )
        .await
        .unwrap();
    check("375 px wide, every rule's docs open", &client).await;
    // axe injects a script by WebDriver, which the policy does not bind; nothing in these
    // views may log an error or a policy violation.
    let errors = console_errors(&client).await;
    client.close().await.unwrap();
    assert_eq!(
        errors,
        Vec::<String>::new(),
        "console errors in these views"
    );
    assert!(
        report.is_empty(),
        "{} serious or critical:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// Presses `key` in the element that has the focus.
async fn press(client: &Client, key: fantoccini::key::Key) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&key.to_string())
        .await
        .unwrap();
}

/// With the keyboard alone: Tab reaches every control of the form in order, each with a
/// visible focus ring, and typing, Space and the arrow keys change the settings.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn the_form_is_walked_and_used_with_the_keyboard_alone() {
    use fantoccini::key::Key;
    let (_site, _driver, client) = start(None).await;

    // Number every control of the form the user can see; Tab must reach each of them.
    let expected = client
        .execute(
            "const controls = [...document.querySelectorAll(
               '.form-pane input, .form-pane select, .form-pane button, .form-pane textarea')]
               .filter((e) => !e.disabled && e.getClientRects().length > 0);
             controls.forEach((e, i) => e.dataset.walk = String(i));
             document.querySelector('#preset').focus();
             return controls.length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap() as usize;
    assert!(expected > 50, "only {expected} controls in the form?");
    let mut reached = vec![false; expected];
    let mut order = Vec::new();
    let mut unringed = Vec::new();
    for _ in 0..expected * 2 {
        let seen = client
            .execute(
                "const e = document.activeElement;
                 const s = getComputedStyle(e);
                 const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                   || s.boxShadow !== 'none';
                 return [e.dataset.walk ?? null, ring, e.id || e.tagName];",
                vec![],
            )
            .await
            .unwrap();
        if let Some(index) = seen[0].as_str().and_then(|i| i.parse::<usize>().ok()) {
            reached[index] = true;
            order.push(index);
            if seen[1].as_bool() != Some(true) {
                unringed.push(seen[2].to_string());
            }
        }
        if reached.iter().all(|r| *r) {
            break;
        }
        press(&client, Key::Tab).await;
    }
    let missed: Vec<usize> = (0..expected).filter(|i| !reached[*i]).collect();
    assert!(
        missed.is_empty(),
        "Tab never reached controls {missed:?} of {expected}"
    );
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "Tab follows the page's order: {order:?}"
    );
    assert!(unringed.is_empty(), "no visible focus on {unringed:?}");
    println!(
        "keyboard: Tab reached all {expected} form controls in {} presses",
        order.len()
    );

    // Type a name, toggle a part with Space, change a select with the arrow keys.
    client
        .execute("document.querySelector('#name').focus();", vec![])
        .await
        .unwrap();
    press(&client, Key::End).await;
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("x")
        .await
        .unwrap();
    wait_for_text(&client, "#preview-file", "the typed name", |t| {
        t.contains("# Project: assistantx")
    })
    .await;
    client
        .execute(
            "document.querySelector('#services-0-autoscaling-on').focus();",
            vec![],
        )
        .await
        .unwrap();
    let before = value_of_checkbox(&client, "#services-0-autoscaling-on").await;
    press(&client, Key::Space).await;
    until("Space did not toggle autoscaling", async || {
        value_of_checkbox(&client, "#services-0-autoscaling-on").await != before
    })
    .await;
    client
        .execute(
            "document.querySelector('#services-0-rollout-strategy').focus();",
            vec![],
        )
        .await
        .unwrap();
    press(&client, Key::Down).await;
    until("the arrow key did not change the strategy", async || {
        value(&client, "#services-0-rollout-strategy").await != "rolling"
    })
    .await;
    client.close().await.unwrap();
}

async fn value_of_checkbox(client: &Client, selector: &str) -> bool {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap()
        .as_deref()
        == Some("true")
}

/// Opens `path` in the preview as a user does: each closed folder of the tree on the way, then
/// the file.
async fn open_file(client: &Client, path: &str) {
    let parts: Vec<&str> = path.split('/').collect();
    let mut xpath = String::from("//nav[@id='preview-tabs']/ul");
    for folder in &parts[..parts.len() - 1] {
        xpath.push_str(&format!("/li/details[summary='{folder}/']"));
        let details = client.find(Locator::XPath(&xpath)).await.unwrap();
        if details.attr("open").await.unwrap().is_none() {
            details
                .find(Locator::XPath("./summary"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        xpath.push_str("/ul");
    }
    click_on(client, &format!("[data-path='{path}']")).await;
    wait_for_text(client, "#open-path", path, |t| t == path).await;
}

/// Scrolls the first line of the open file that starts with `start` into view and moves the
/// mouse onto it, as a reader pointing at it; returns its line number.
async fn point_at_line(client: &Client, start: &str) -> usize {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction};
    let id = client
        .execute(
            "const line = [...document.querySelectorAll('#preview-file .line')]
               .find((l) => l.textContent.trimStart().startsWith(arguments[0]));
             if (!line) return null;
             line.scrollIntoView({ block: 'center' });
             return line.id;",
            vec![start.into()],
        )
        .await
        .unwrap();
    let id = id
        .as_str()
        .unwrap_or_else(|| panic!("no line starts with {start:?}"))
        .to_owned();
    let element = client.find(Locator::Id(&id)).await.unwrap();
    client
        .perform_actions(
            MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
                element,
                duration: None,
                x: 0.0,
                y: 0.0,
            }),
        )
        .await
        .unwrap();
    id.trim_start_matches('L').parse().unwrap()
}

/// Issue 9's first promise: pointing at a line of the Dockerfile, the Deployment or the
/// workflow says why it is there and what goes wrong without it; the arrow keys do the same
/// from the keyboard; and the explanation leads to the setting that changes the line.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn pointing_at_a_line_explains_it_and_leads_to_its_setting() {
    use fantoccini::key::Key;
    let (_site, _driver, client) = start(None).await;
    wait_for_text(&client, "#preview-file", "the default Dockerfile", |t| {
        t.contains("# Service: backend")
    })
    .await;
    wait_for_text(&client, "#why-panel", "the hint", |t| {
        t.contains("Point at a line")
    })
    .await;

    // The Dockerfile: a line of its own, then the next one by keyboard.
    let user = point_at_line(&client, "USER").await;
    wait_for_text(&client, "#why-panel", "why USER is there", |t| {
        t.contains(&format!("Line {user}"))
            && t.contains("unprivileged user")
            && t.contains("Without it:")
    })
    .await;
    client
        .execute("document.querySelector('#preview-file').focus();", vec![])
        .await
        .unwrap();
    press(&client, Key::Down).await;
    wait_for_text(&client, "#why-panel", "the next line, EXPOSE", |t| {
        t.contains(&format!("Line {}", user + 1)) && t.contains("listens on")
    })
    .await;
    assert!(
        text(&client, &format!("#L{}", user + 1))
            .await
            .starts_with("EXPOSE"),
        "the arrow key moved to the line after USER"
    );

    // The workflow: a step's `with:` is explained by the action that names the step.
    open_file(&client, ".github/workflows/backend.yml").await;
    let with = point_at_line(&client, "persist-credentials").await;
    wait_for_text(&client, "#why-panel", "persist-credentials", |t| {
        t.contains(&format!("Line {with}")) && t.contains("token")
    })
    .await;

    // The Deployment: a probe's field, then a rollout parameter and its setting.
    open_file(&client, "k8s/production/backend.yaml").await;
    let period = point_at_line(&client, "periodSeconds").await;
    wait_for_text(&client, "#why-panel", "a probe field", |t| {
        t.contains(&format!("Line {period}")) && t.contains("How often the probe runs")
    })
    .await;
    let line = point_at_line(&client, "maxUnavailable").await;
    wait_for_text(
        &client,
        "#why-panel",
        "maxUnavailable and its setting",
        |t| t.contains(&format!("Line {line}")) && t.contains("0 keeps full capacity"),
    )
    .await;
    let setting = text(&client, "#why-setting").await;
    assert!(setting.contains("Max unavailable"), "{setting}");
    click_on(&client, "#why-setting").await;
    let field = shipshape_core::model::Field::Service(
        0,
        shipshape_core::model::ServiceField::MaxUnavailable,
    )
    .id();
    until(&format!("the focus never reached #{field}"), async || {
        let active = client.active_element().await.unwrap();
        active.attr("id").await.unwrap().as_deref() == Some(field.as_str())
    })
    .await;
    client.close().await.unwrap();
}

/// Issue 9's rollout simulator: the pods of each step are drawn, one box per pod as the core
/// plan has them, the slider steps through them by keyboard, and with maxUnavailable 0 every
/// step serves the full count; allowing one pod down shows the dip.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn a_rollout_is_watched_step_by_step() {
    use fantoccini::key::Key;
    use shipshape_core::model::{Field, ServiceField};
    let (_site, _driver, client) = start(None).await;

    let project = shipshape_core::model::PRESETS[0].project();
    let service = &project.services[0];
    let replicas = shipshape_core::rollout::production_replicas(&project, service);
    let plan = shipshape_core::rollout::plan(service, replicas);
    let steps = plan.steps.len();
    assert!(steps > 2, "{plan:?}");
    let boxes = async || {
        client
            .find_all(Locator::Css("#rollout-pods g"))
            .await
            .unwrap()
            .len()
    };
    wait_for_text(&client, "#rollout-why", "no downtime", |t| {
        t.contains("maxUnavailable 0") && t.contains("no downtime")
    })
    .await;
    client
        .execute("document.querySelector('#rollout-at').focus();", vec![])
        .await
        .unwrap();
    for (index, step) in plan.steps.iter().enumerate() {
        if index > 0 {
            press(&client, Key::Right).await;
        }
        let expected = format!("Step {} of {steps}.", index + 1);
        wait_for_text(&client, "#rollout-step", &expected, |t| {
            t.starts_with(&expected)
        })
        .await;
        assert_eq!(boxes().await, step.pods.len(), "step {}", index + 1);
        let serving = format!("Serving: {replicas} for {replicas} wanted");
        assert!(
            text(&client, "#rollout-step").await.contains(&serving),
            "step {} loses capacity with maxUnavailable 0",
            index + 1
        );
    }

    // One pod may be down and none extra: the rollout now dips, and says so.
    for (field, value) in [
        (ServiceField::MaxSurge, "0"),
        (ServiceField::MaxUnavailable, "1"),
    ] {
        replace_text(
            &client,
            &format!("#{}", Field::Service(0, field).id()),
            value,
        )
        .await;
    }
    wait_for_text(&client, "#rollout-why", "the dip", |t| {
        t.contains(&format!("only {} of {replicas} serve", replicas - 1))
    })
    .await;
    client.close().await.unwrap();
}

/// Issue 9's pictures. The pipeline: for each service, one box per job of the workflow the app
/// generated (in the core's order), one arrow per `needs`, and the approval gate on the
/// production deploy; it follows the settings, so turning the approval off removes the gate
/// and a new staging branch shows on the staging deploy. The architecture: the core's boxes
/// (one per service) and arrows, and a new service gets its box.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn the_pipeline_and_architecture_are_drawn_from_the_settings() {
    use shipshape_core::model::{EnvironmentField, Field, Stage};
    let (_site, _driver, client) = start(None).await;
    let project = shipshape_core::model::PRESETS[0].project();
    let bundle = shipshape_core::generate(&project);
    // Read in one script: the pictures are redrawn whenever the second module answers, so
    // elements found one call earlier may already be gone.
    let drawn = async |selector: &str, attribute: &str| -> Vec<String> {
        let found = client
            .execute(
                "return [...document.querySelectorAll(arguments[0])].map((e) => e.getAttribute(arguments[1]) || '');",
                vec![serde_json::json!(selector), serde_json::json!(attribute)],
            )
            .await
            .unwrap();
        serde_json::from_value(found).unwrap()
    };
    assert!(project.services.len() > 1);
    for (index, service) in project.services.iter().enumerate() {
        click_on(&client, &format!("#service-tab-{index}")).await;
        let graph = shipshape_core::pipeline::of(&project, &bundle, service).unwrap();
        let ids: Vec<String> = graph.jobs.iter().map(|j| j.id.clone()).collect();
        until(
            &format!("{}: the jobs {ids:?} are not drawn", service.name),
            async || drawn("#pipeline-graph g.job", "data-node").await == ids,
        )
        .await;
        let needs: usize = graph.jobs.iter().map(|j| j.needs.len()).sum();
        assert_eq!(drawn("#pipeline-graph path.need", "d").await.len(), needs);
        assert_eq!(
            drawn("#pipeline-graph g.gate", "data-node").await,
            ["deploy-production"],
            "{}",
            service.name
        );
    }
    let picture = shipshape_core::architecture::picture(&project);
    let boxes: Vec<String> = picture.nodes.iter().map(|n| n.id.clone()).collect();
    assert_eq!(
        drawn("#architecture g[data-node]", "data-node").await,
        boxes
    );
    assert_eq!(
        drawn("#architecture g[data-node^=service-]", "data-node").await,
        ["service-backend", "service-frontend"]
    );
    assert_eq!(
        drawn("#architecture path.link, #architecture path.secret", "d")
            .await
            .len(),
        picture.edges.len()
    );
    assert_eq!(
        drawn("#branches g[data-node]", "data-node").await,
        ["feature", "staging", "production"]
    );
    click_on(&client, "#service-add").await;
    until(
        "the new service has no box in the architecture",
        async || {
            drawn("#architecture g[data-node^=service-]", "data-node")
                .await
                .len()
                == 3
        },
    )
    .await;

    let approval = Field::Environment(Stage::Production, EnvironmentField::ApprovalRequired);
    click_on(&client, &format!("#{}", approval.id())).await;
    until(
        "the gate stays after the approval is turned off",
        async || {
            drawn("#pipeline-graph g.gate", "data-node")
                .await
                .is_empty()
        },
    )
    .await;
    replace_text(
        &client,
        &format!("#{}", Field::StagingBranch.id()),
        "develop",
    )
    .await;
    wait_for_text(
        &client,
        "#pipeline-graph [data-node=deploy-staging]",
        "the new branch",
        |t| t.contains("on develop"),
    )
    .await;
    assert!(console_errors(&client).await.is_empty());
    client.close().await.unwrap();
}

/// Issue 9's migration planner in the page: a NOT NULL column is planned in three phases with
/// the service's tool, exactly as the core (and so the CLI) plans it; a type that would break
/// the SQL is refused next to its input and kept as typed; a rename asks for the new name; and
/// what was typed survives a reload.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn a_not_null_column_is_planned_in_phases_in_the_page() {
    use shipshape_core::migration::{self, Change, Request};
    let (_site, _driver, client) = start(None).await;
    let project = shipshape_core::model::PRESETS[0].project();
    let service = &project.services[0];
    replace_text(&client, "#planner-table", "orders").await;
    replace_text(&client, "#planner-column", "customer_id").await;
    replace_text(&client, "#planner-type", "bigint").await;
    let request = Request {
        change: Change::AddNotNullColumn,
        table: "orders".into(),
        column: "customer_id".into(),
        column_type: "bigint".into(),
        new_name: String::new(),
    };
    let expected = migration::plan(service, &request)
        .unwrap()
        .text(&service.name);
    assert!(expected.contains("## 3. Contract") && expected.contains("(Alembic)"));
    wait_for_text(&client, "#planner-plan", "the core's plan", |shown| {
        shown.trim_end() == expected.trim_end()
    })
    .await;
    assert!(
        text(&client, "#planner-verdict")
            .await
            .starts_with("Not backward compatible")
    );

    let hostile = "text); DROP TABLE users; --";
    replace_text(&client, "#planner-type", hostile).await;
    wait_for_text(&client, "#planner-type-error", "a refusal", |t| {
        t.starts_with("Type ")
    })
    .await;
    assert_eq!(value(&client, "#planner-type").await, hostile);
    assert!(client.find(Locator::Css("#planner-plan")).await.is_err());
    replace_text(&client, "#planner-type", "bigint").await;

    assert!(
        client
            .find(Locator::Css("#planner-new-name"))
            .await
            .is_err()
    );
    choose(&client, "#planner-change", "rename-column").await;
    replace_text(&client, "#planner-new-name", "Customer").await;
    wait_for_text(&client, "#planner-new-name-error", "a refusal", |t| {
        t.starts_with("New name ")
    })
    .await;
    replace_text(&client, "#planner-new-name", "buyer_id").await;
    wait_for_text(&client, "#planner-plan", "the rename", |t| {
        t.contains("ADD COLUMN buyer_id bigint;")
    })
    .await;
    // Kept in this browser: a reload brings the same inputs back.
    client.refresh().await.unwrap();
    wait_for_text(&client, "#planner-plan", "the plan after a reload", |t| {
        t.contains("ADD COLUMN buyer_id bigint;")
    })
    .await;
    assert_eq!(value(&client, "#planner-change").await, "rename-column");
    assert!(console_errors(&client).await.is_empty());
    client.close().await.unwrap();
}

/// Issue 9's deployment checklist: ticks are part of the settings, so they are autosaved in
/// checklist order, survive a reload, and clear again.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn the_deployment_checklist_is_saved_with_the_settings() {
    let (_site, _driver, client) = start(None).await;
    let total = shipshape_core::model::CHECKLIST.len();
    wait_for_text(&client, "#checklist-count", "nothing done", |t| {
        t.starts_with(&format!("0 of {total} done"))
    })
    .await;
    click_on(&client, "#check-health").await;
    click_on(&client, "#check-digest").await;
    wait_for_text(&client, "#checklist-count", "two done", |t| {
        t.starts_with(&format!("2 of {total} done"))
    })
    .await;
    wait_for_saved(&client, "checklist:\n  - digest\n  - health\n").await;
    client.refresh().await.unwrap();
    wait_for_text(
        &client,
        "#checklist-count",
        "two done after a reload",
        |t| t.starts_with(&format!("2 of {total} done")),
    )
    .await;
    assert!(value_of_checkbox(&client, "#check-digest").await);
    assert!(!value_of_checkbox(&client, "#check-ci-green").await);
    click_on(&client, "#check-digest").await;
    wait_for_text(&client, "#checklist-count", "one done", |t| {
        t.starts_with(&format!("1 of {total} done"))
    })
    .await;
    assert!(console_errors(&client).await.is_empty());
    client.close().await.unwrap();
}

/// Issue 11's promise that nothing leaves the browser: a user works through every view (typing,
/// a preset, the share link, the settings export, the zip, Break it, pasted files, the
/// explanations, the rollout, a rule's docs) and the page loads nothing but the site's own
/// files: every resource the browser timed is on the site's origin, and every request the
/// site saw was answered.
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn nothing_leaves_the_browser_while_a_user_works() {
    use fantoccini::key::Key;
    let downloads = empty_folder("shipshape-e2e-quiet");
    let (site, _driver, client) = start(Some(&downloads)).await;
    client
        .execute("window.confirm = () => true;", vec![])
        .await
        .unwrap();

    replace_text(&client, "#services-0-name", "quiet").await;
    wait_for_text(&client, "#preview-file", "the typed name", |t| {
        t.contains("# Service: quiet")
    })
    .await;
    choose(&client, "#preset", "go-api").await;
    wait_for_text(&client, "#preview-file", "the Go preset", |t| {
        t.contains("FROM golang:")
    })
    .await;
    click_on(&client, "#share").await;
    until("no share link shown", async || {
        value(&client, "#share-link").await.contains("#s=")
    })
    .await;
    click_on(&client, "#export").await;
    click_on(&client, "#download-zip").await;
    downloaded(&downloads.join("catalog.zip")).await;
    click_on(&client, "button[id^='break-']").await;
    until("Break it showed no findings", async || {
        client.find(Locator::Css("#break-summary")).await.is_ok()
    })
    .await;
    click_on(&client, "#own-add").await;
    client
        .find(Locator::Css(
            "section[aria-labelledby='own-files-title'] textarea",
        ))
        .await
        .unwrap()
        .send_keys("FROM node:latest\n")
        .await
        .unwrap();
    point_at_line(&client, "FROM").await;
    wait_for_text(&client, "#why-panel", "an explanation", |t| {
        t.contains("Line ")
    })
    .await;
    client
        .execute("document.querySelector('#rollout-at').focus();", vec![])
        .await
        .unwrap();
    press(&client, Key::Right).await;
    wait_for_text(&client, "#rollout-step", "the second step", |t| {
        t.starts_with("Step 2 of")
    })
    .await;
    click_on(&client, "details.rule summary").await;

    let elsewhere = client
        .execute(
            "return performance.getEntries()
               .filter((e) => e.entryType === 'resource' || e.entryType === 'navigation')
               .map((e) => e.name)
               .filter((url) => !url.startsWith(location.origin + '/')
                 && !url.startsWith('blob:' + location.origin + '/'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        elsewhere,
        serde_json::json!([]),
        "the page loaded something from elsewhere"
    );
    let timed = client
        .execute(
            "return performance.getEntriesByType('resource').length;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        timed.as_u64().unwrap() >= 2,
        "JS and wasm are timed: {timed}"
    );
    assert_eq!(
        console_errors(&client).await,
        Vec::<String>::new(),
        "no policy violation or error on the console in any view"
    );
    client.close().await.unwrap();
    assert_eq!(site.failures(), vec![], "every request was the site's own");
}

/// Issue 11's Content Security Policy is in force, from the page's `<meta>` tag and from the
/// `_headers` file (which this suite's server applies as a static host does): an injected
/// inline script does not run, an injected stylesheet is not applied, a request to another port
/// is blocked before it is sent, and each of those lands on the console, where
/// `console_errors` finds it. (`eval` cannot be tried from here: WebDriver's scripts run with
/// the debugger's rights, which the policy does not bind; the test reads the policy text for it.)
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn the_content_security_policy_blocks_scripts_and_requests_it_does_not_name() {
    let (site, _driver, client) = start(None).await;
    assert_eq!(
        console_errors(&client).await,
        Vec::<String>::new(),
        "the app starts under its policy without a violation"
    );
    let policies = client
        .execute(
            "const meta = document.querySelector('meta[http-equiv=Content-Security-Policy]');
             const header = (await fetch(location.href)).headers.get('Content-Security-Policy');
             return [meta && meta.content, header];",
            vec![],
        )
        .await
        .unwrap();
    let meta = policies[0].as_str().expect("a CSP <meta> tag");
    let header = policies[1].as_str().expect("a CSP header from _headers");
    for policy in [meta, header] {
        for directive in [
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "'wasm-unsafe-eval'",
        ] {
            assert!(policy.contains(directive), "{directive} in {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
    }
    assert!(header.contains("frame-ancestors 'none'"), "{header}");

    // An unused port: the request must be refused by the policy, not by the network.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = elsewhere.local_addr().unwrap().port();
    let outcome = client
        .execute(
            &format!(
                "const script = document.createElement('script');
                 script.textContent = 'window.injected = true;';
                 document.head.append(script);
                 const style = document.createElement('style');
                 style.textContent = 'body {{ outline: 3px solid red; }}';
                 document.head.append(style);
                 const styled = getComputedStyle(document.body).outlineStyle === 'solid';
                 let fetched = 'refused';
                 try {{ await fetch('http://127.0.0.1:{port}/'); fetched = 'sent'; }} catch (e) {{}}
                 return [window.injected === true, styled, fetched];"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(outcome, serde_json::json!([false, false, "refused"]));
    let errors = console_errors(&client).await;
    for what in [
        "Executing inline script violates",
        "Applying inline style violates",
        &format!("Connecting to 'http://127.0.0.1:{port}/' violates"),
    ] {
        assert!(
            errors.iter().any(|e| e.contains(what)),
            "the console names the violation {what:?}: {errors:#?}"
        );
    }
    drop(elsewhere);
    client.close().await.unwrap();
    assert_eq!(site.failures(), vec![]);
}

/// Issue 11 in the browser: hostile text typed into every text field of the form is kept as
/// typed, is either taken or explained next to the field, and never runs: no injected element
/// appears, no handler fires, and the console stays clean. (The core's tests/hostile.rs checks
/// every generated file for the same strings and more.)
#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn hostile_text_in_every_field_is_kept_refused_with_a_reason_or_used_and_never_runs() {
    let (site, _driver, client) = start(None).await;
    let report = client
        .execute(
            "const hostile = [
               '<img src=x onerror=\"window.pwned = 1\">',
               '<script>window.pwned = 2</script>',
               '${{ github.token }} {{ .Values.x }} $(id) ${HOME} %{ if x }',
               '\"\\'\\\\: # --- & * ! | > ? [ ] { }',
               '\\u202Egnp.exe \\u200B 🚢',
               'x'.repeat(10000),
             ];
             const frame = () => new Promise((r) => setTimeout(r, 0));
             const fields = [...document.querySelectorAll('.form-pane form input[type=text]')];
             const problems = [];
             let refused = 0, taken = 0;
             for (const input of fields) {
               const original = input.value;
               for (const text of hostile) {
                 const field = document.getElementById(input.id);
                 field.value = text;
                 field.dispatchEvent(new Event('input', { bubbles: true }));
                 await frame();
                 const now = document.getElementById(input.id);
                 if (now.value !== text) problems.push(input.id + ': the field lost what was typed');
                 const error = document.getElementById(input.id + '-error');
                 const message = error ? error.textContent.trim() : '';
                 if (now.getAttribute('aria-invalid') === 'true') {
                   refused++;
                   if (!message) problems.push(input.id + ': refused without a reason');
                 } else {
                   taken++;
                   if (message) problems.push(input.id + ': taken, yet an error shows');
                 }
               }
               const field = document.getElementById(input.id);
               field.value = original;
               field.dispatchEvent(new Event('input', { bubbles: true }));
               await frame();
             }
             if (window.pwned) problems.push('an injected handler ran: ' + window.pwned);
             if (document.querySelector('img[src=x], body script:not([type])')) {
               problems.push('typed markup became an element');
             }
             return { fields: fields.length, refused, taken, problems };",
            vec![],
        )
        .await
        .unwrap();
    println!("hostile text in the browser: {report}");
    assert_eq!(report["problems"], serde_json::json!([]), "{report}");
    assert!(report["fields"].as_u64().unwrap() >= 20, "{report}");
    assert!(report["refused"].as_u64().unwrap() > 0 && report["taken"].as_u64().unwrap() > 0);
    // The form took some of it: the preview shows such text as text.
    wait_for_text(&client, "#preview-file", "the restored preview", |t| {
        t.contains("# Service: backend")
    })
    .await;
    assert_eq!(console_errors(&client).await, Vec::<String>::new());
    client.close().await.unwrap();
    assert_eq!(site.failures(), vec![]);
}
