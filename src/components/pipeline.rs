//! "The pipeline": the selected service's workflow as a graph of jobs, read back from the
//! generated file, with the environments it deploys to and the approval gate.

use std::rc::Rc;

use shipshape_core::{Bundle, pipeline};
use yew::prelude::*;

use crate::state::StateContext;

#[derive(Properties)]
pub struct PipelineProps {
    pub bundle: Rc<Bundle>,
}

impl PartialEq for PipelineProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.bundle, &other.bundle)
    }
}

#[component]
pub fn Pipeline(props: &PipelineProps) -> Html {
    let state = use_context::<StateContext>().expect("Pipeline needs the StateContext");
    let Some(graph) = state
        .project
        .services
        .get(state.selected_service)
        .and_then(|service| pipeline::of(&state.project, &props.bundle, service))
    else {
        return Html::default();
    };
    html! {
        <section class="changes pipeline" aria-labelledby="pipeline-title">
            <h2 id="pipeline-title">{ "The pipeline" }</h2>
            <p class="help">
                { "Each job starts once the jobs whose arrows reach it pass. A deploy names its environment and branch; \"approval\" waits for a reviewer." }
            </p>
            // Escaped by `Pipeline::svg`: workflow text is never markup here.
            { Html::from_html_unchecked(graph.svg().into()) }
        </section>
    }
}
