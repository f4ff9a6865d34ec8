//! The page: header, the settings form, the live preview of the generated files, a place
//! to check the user's own files with the same rules, and the rules' catalogue.

use std::rc::Rc;

use shipshape_core::generate;
use yew::prelude::*;

use crate::browser;
use crate::components::extras::{Extra, about, findings, use_extra};
use crate::components::{
    BreakIt, Changed, Changes, Header, OwnFiles, Pictures, Planner, Preview, Rollout,
    RuleCatalogue, SettingsForm, checklist,
};
use crate::state::{
    Action, Banner, SAVED_DRAFTS_KEY, SAVED_KEY, SAVED_PRESET_KEY, State, StateContext,
    UNREADABLE_KEY,
};

/// How long typing must pause before the settings are saved.
const SAVE_AFTER_MS: u64 = 400;

/// The state the page opens with: a share link's settings, the autosaved ones, or defaults.
fn opening_state() -> State {
    let fragment = browser::fragment();
    let state = State::restore(
        &fragment,
        browser::load(SAVED_KEY).as_deref(),
        browser::load(SAVED_PRESET_KEY).as_deref(),
        browser::load(SAVED_DRAFTS_KEY).as_deref(),
    );
    if fragment.starts_with("s=") {
        // Opened once; from now on a reload shows the user's autosaved work.
        browser::drop_fragment();
    }
    if let Some(kept) = state.banner.as_ref().and_then(|b| b.kept.as_deref()) {
        // Out of the autosave's way, so the next save cannot erase what could not be read.
        let _ = browser::save(UNREADABLE_KEY, kept);
    }
    state
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// Open share links and keep the settings in localStorage. Off only in tests, which mount
    /// many apps in one page.
    #[prop_or(true)]
    pub persist: bool,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let persist = props.persist;
    let state = use_reducer(move || {
        if persist {
            opening_state()
        } else {
            State::default()
        }
    });

    // Autosave: once typing pauses, the settings go to localStorage, and beside them the text
    // of fields whose value was refused, so a reload loses neither. A failure is said on the
    // page; the work stays in memory.
    let generation = use_mut_ref(|| 0u64);
    {
        let dispatcher = state.dispatcher();
        let generation = generation.clone();
        let preset = state.preset;
        use_effect_with(
            (state.project.clone(), state.drafts()),
            move |(project, drafts)| {
                if !persist {
                    return;
                }
                *generation.borrow_mut() += 1;
                let mine = *generation.borrow();
                let settings = shipshape_core::model::to_yaml(project);
                let drafts = shipshape_core::model::drafts_to_yaml(drafts);
                wasm_bindgen_futures::spawn_local(async move {
                    yew::platform::time::sleep(std::time::Duration::from_millis(SAVE_AFTER_MS))
                        .await;
                    if *generation.borrow() != mine {
                        return;
                    }
                    let saved = browser::save(SAVED_KEY, &settings)
                        .and_then(|()| browser::save(SAVED_PRESET_KEY, preset))
                        .and_then(|()| browser::save(SAVED_DRAFTS_KEY, &drafts));
                    if let Err(why) = saved {
                        dispatcher.dispatch(Action::Banner(Some(Banner {
                        message: format!(
                            "Your settings could not be saved in this browser ({why}). They stay \
                             in this tab; share a link or download the files to keep them."
                        ),
                        problem: true,
                        kept: None,
                    })));
                    }
                });
            },
        );
    }
    // Files and their findings are derived from the project, never stored beside it;
    // regenerated only when the project changes, not on keystrokes that leave it as it was.
    let bundle = use_memo(state.project.clone(), |project| Rc::new(generate(project)));
    // The rules run in the page's second module, once typing pauses: the preview never waits
    // for them, and the first load carries none of their code.
    let linted = use_extra(("findings", state.project.clone(), 0, Vec::new()), about);
    let found = {
        let project = state.project.clone();
        use_memo(linted.clone(), move |linted| match linted {
            Extra::Answer(answer) => (Rc::new(findings(&project, answer)), None),
            Extra::Loading => (Rc::default(), Some("Checking the files…".to_owned())),
            Extra::Failed(why) => (
                Rc::default(),
                Some(format!(
                    "The rules could not be loaded ({why}). Reload the page to try again."
                )),
            ),
        })
    };
    let (findings, checking) = (&found.0, &found.1);
    let stale_fields = state.error_count();
    // What the last change of settings changed: the project before it and after it.
    let previous = use_mut_ref(|| None::<Rc<shipshape_core::Project>>);
    let changed = use_memo(state.project.clone(), move |project| {
        let after = Rc::new(project.clone());
        let before = previous.borrow_mut().replace(Rc::clone(&after))?;
        Some(Changed { before, after })
    });

    let ticks = checklist(&state, &state.dispatcher());
    html! {
        <ContextProvider<StateContext> context={state}>
            <Header />
            <main class="workspace">
                <SettingsForm />
                <Preview bundle={Rc::clone(&*bundle)} findings={Rc::clone(findings)}
                         checking={checking.clone()} {stale_fields} />
            </main>
            <Changes changed={(*changed).clone()} />
            <BreakIt />
            <Pictures />
            <Rollout />
            <Planner {persist} />
            { ticks }
            <OwnFiles />
            <RuleCatalogue />
        </ContextProvider<StateContext>>
    }
}
