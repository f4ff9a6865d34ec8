//! The pictures: the selected service's pipeline, read back from its generated workflow, with
//! the environments it deploys to and the approval gate; and the project's architecture, from
//! the users to the data and the secrets store.

use shipshape_core::generate::repository;
use shipshape_core::{Bundle, architecture, pipeline};
use yew::prelude::*;

use crate::state::State;

/// A function rather than a component: it reads the state, which changes with every edit, so
/// a component would render as often, and each component type costs the app its own code.
pub fn pictures(state: &State, bundle: &Bundle) -> Html {
    let project = &state.project;
    let pipeline = project
        .services
        .get(state.selected_service)
        .and_then(|service| pipeline::of(project, bundle, service))
        .map(|graph| graph.svg());
    // Both SVGs are escaped by the core's picture writer: no user text is markup here.
    let svg = |svg: String| Html::from_html_unchecked(svg.into());
    html! {
        <>
            <section class="changes picture" aria-labelledby="pipeline-title">
                <h2 id="pipeline-title">{ "The pipeline" }</h2>
                <p class="help">
                    { "Each job starts once the jobs whose arrows reach it pass. A deploy names its environment and branch; \"approval\" waits for a reviewer." }
                </p>
                { pipeline.map(svg) }
            </section>
            <section class="changes picture" aria-labelledby="branches-title">
                <h2 id="branches-title">{ "The branches" }</h2>
                <p class="help">
                    { "Every change arrives by pull request: one approval into staging, two into production, and the \"All checks passed\" check each time. .github/rulesets/ holds the rules to import under Settings > Rules." }
                </p>
                { svg(repository::picture(project).svg("branches", "Feature branches merge into staging, staging into production.")) }
            </section>
            <section class="changes picture" aria-labelledby="architecture-title">
                <h2 id="architecture-title">{ "The architecture" }</h2>
                <p class="help">
                    { "What runs where in production. Dashed: secrets, from the store through External Secrets." }
                </p>
                { svg(architecture::svg(project)) }
            </section>
        </>
    }
}
