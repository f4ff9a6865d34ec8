//! Measures what issue 7's budgets are about, in a release build:
//! `cargo run --release -p shipshape-core --example measure`.
//!
//! Prints the median time to generate and lint the full-stack preset, to generate it alone,
//! and to lint a 1 MiB Kubernetes manifest. (A criterion benchmark with the budgets is still
//! to come; this is the measurement it will start from.)

use std::time::Instant;

use shipshape_core::model::preset;
use shipshape_core::{generate, rules};

/// Median milliseconds of `runs` runs of `work`.
fn median_ms(runs: usize, mut work: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn main() {
    let project = preset("fullstack-fastapi-react")
        .expect("the preset exists")
        .project();
    let both = median_ms(50, || {
        std::hint::black_box(rules::lint_bundle(&generate(&project)));
    });
    let alone = median_ms(50, || {
        std::hint::black_box(generate(&project));
    });
    let bundle = generate(&project);
    let manifest = &bundle
        .get("k8s/production/backend.yaml")
        .expect("generated")
        .contents;
    let big = manifest.repeat((1 << 20) / manifest.len() + 1);
    let yaml = median_ms(10, || {
        std::hint::black_box(rules::lint_file("k8s/big.yaml", &big));
    });
    println!(
        "generate + lint, full stack ({} files): {both:.2} ms",
        bundle.files().len()
    );
    println!("generate alone: {alone:.2} ms");
    println!(
        "lint {} KiB of Kubernetes YAML: {yaml:.2} ms",
        big.len() / 1024
    );
}
