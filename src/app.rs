//! The page: header, the settings form, the live preview of the generated files, a place
//! to check the user's own files with the same rules, and the rules' catalogue.

use std::rc::Rc;

use shipshape_core::{generate, rules};
use yew::prelude::*;

use crate::components::{Header, OwnFiles, Preview, RuleCatalogue, SettingsForm};
use crate::state::{State, StateContext};

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    // Files and their findings are derived from the project, never stored beside it;
    // regenerated only when the project changes, not on keystrokes that leave it as it was.
    let checked = use_memo(state.project.clone(), |project| {
        let bundle = generate(project);
        let findings = rules::lint_project(project, &bundle);
        (Rc::new(bundle), Rc::new(findings))
    });
    let (bundle, findings) = (&checked.0, &checked.1);
    let stale_fields = state.error_count();

    html! {
        <ContextProvider<StateContext> context={state}>
            <Header />
            <main class="workspace">
                <SettingsForm />
                <Preview bundle={Rc::clone(bundle)} findings={Rc::clone(findings)} {stale_fields} />
            </main>
            <OwnFiles />
            <RuleCatalogue />
        </ContextProvider<StateContext>>
    }
}
