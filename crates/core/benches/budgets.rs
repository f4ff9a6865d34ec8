//! The speed budgets of issue 7, as a criterion benchmark:
//! `cargo bench -p shipshape-core --bench budgets`.
//!
//! - `full-stack/generate+lint`: what every keystroke in the app costs, generating the
//!   full-stack preset's whole bundle and running every rule over it (budget in budgets.toml).
//! - `pasted/lint-1MiB-yaml`: linting a 1 MiB Kubernetes manifest pasted into "Check your own
//!   files" (budget in budgets.toml).
//!
//! `full-stack/generate` and `full-stack/lint` split the first figure, to show where time goes.
//! `cargo xtask test` runs this (1 s warm-up, 3 s of samples) and prints the fastest sample and
//! the median of each against its budget.

// criterion builds natively only; on wasm32 (clippy --all-targets) this is an empty program.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{Criterion, criterion_group};
    use shipshape_core::model::preset;
    use shipshape_core::{generate, rules};
    use std::hint::black_box;

    fn full_stack(c: &mut Criterion) {
        let project = preset("fullstack-fastapi-react")
            .expect("the preset exists")
            .project();
        let bundle = generate(&project);
        let mut group = c.benchmark_group("full-stack");
        group.bench_function("generate+lint", |b| {
            b.iter(|| rules::lint_bundle(&generate(black_box(&project))))
        });
        group.bench_function("generate", |b| b.iter(|| generate(black_box(&project))));
        group.bench_function("lint", |b| {
            b.iter(|| rules::lint_bundle(black_box(&bundle)))
        });
        group.finish();
    }

    fn pasted(c: &mut Criterion) {
        let project = preset("fullstack-fastapi-react")
            .expect("the preset exists")
            .project();
        let bundle = generate(&project);
        let manifest = &bundle
            .get("k8s/production/backend.yaml")
            .expect("generated")
            .contents;
        // Whole copies of a real manifest, as a user would paste a long file of many objects.
        let big = manifest.repeat((1 << 20) / manifest.len() + 1);
        assert!(big.len() >= 1 << 20);
        let mut group = c.benchmark_group("pasted");
        group.sample_size(20);
        group.bench_function("lint-1MiB-yaml", |b| {
            b.iter(|| rules::lint_file("k8s/pasted.yaml", black_box(&big)))
        });
        group.finish();
    }

    criterion_group!(benches, full_stack, pasted);
}
