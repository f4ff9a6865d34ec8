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

async fn text(client: &Client, selector: &str) -> String {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Polls until `check` holds for the text of `selector`, or fails with the last text seen.
async fn wait_for_text(client: &Client, selector: &str, what: &str, check: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let seen = text(client, selector).await;
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

async fn replace_text(client: &Client, selector: &str, text: &str) {
    let input = client.find(Locator::Css(selector)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build and Chromium: run through `cargo xtask test`"]
async fn a_user_edits_the_form_and_the_preview_follows() {
    let site = StaticServer::start(
        PathBuf::from(env("SHIPSHAPE_E2E_DIST")),
        &env("SHIPSHAPE_E2E_PUBLIC_URL"),
    );
    let driver = Driver::start();
    let client = browser(&driver).await;

    open(&client, &site).await;
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
    let site = StaticServer::start(
        PathBuf::from(env("SHIPSHAPE_E2E_DIST")),
        &env("SHIPSHAPE_E2E_PUBLIC_URL"),
    );
    let downloads =
        std::env::temp_dir().join(format!("shipshape-e2e-downloads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&downloads);
    std::fs::create_dir_all(&downloads).unwrap();
    let driver = Driver::start();
    let client = browser_with(&driver, Some(&downloads)).await;
    open(&client, &site).await;

    // A preset, so the zip is of settings the CLI can name.
    choose(&client, "#preset", "go-api").await;
    wait_for_text(&client, "#preview-file", "the Go preset", |t| {
        t.contains("FROM golang:")
    })
    .await;
    client
        .find(Locator::Css("#download-zip"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "#file-notice", "the download notice", |t| {
        t.starts_with("Downloaded catalog.zip")
    })
    .await;
    let file = downloads.join("catalog.zip");
    let deadline = Instant::now() + WAIT;
    while !file.exists() {
        assert!(
            Instant::now() < deadline,
            "no {} after the click",
            file.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Chromium writes a .crdownload first and renames it when complete.
    tokio::time::sleep(Duration::from_millis(200)).await;
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

    // Copy a file, paste it into "Check your own files": the clipboard held the file.
    client
        .find(Locator::Css("#copy-file"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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
    let site = StaticServer::start(
        PathBuf::from(env("SHIPSHAPE_E2E_DIST")),
        &env("SHIPSHAPE_E2E_PUBLIC_URL"),
    );
    let driver = Driver::start();
    let client = browser(&driver).await;
    open(&client, &site).await;
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
    assert!(
        stored.contains(".wasm") && stored.contains(".js"),
        "stored: {stored}"
    );
    assert_eq!(site.failures(), vec![], "sw.js and every asset load");

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
    client.close().await.unwrap();
}
