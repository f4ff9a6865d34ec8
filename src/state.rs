//! All app state, changed only through [`Action`]s in one reducer.

use std::rc::Rc;

use shipshape_core::Field;
use shipshape_core::model::{self, Part, Project, Runtime, ServiceField, share};
use yew::prelude::*;

/// What the user is editing: the last valid project, plus exactly what they typed in each field
/// (kept even when it is invalid, so nothing typed is ever lost or rewritten under the cursor).
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub project: Project,
    /// The preset the project started from.
    pub preset: &'static str,
    /// The app service whose fields the form shows.
    pub selected_service: usize,
    inputs: Texts,
    errors: Texts,
    /// A form field to move the keyboard focus to, with a count so that asking for the same
    /// field twice focuses it twice.
    pub focus: Option<(Field, u32)>,
    /// Why the last add, duplicate, remove, move or toggle of a service was refused.
    pub structure_error: Option<String>,
    /// A message for the whole page: a link that did not open, saved work that could not be
    /// read, storage that is full.
    pub banner: Option<Banner>,
}

/// A page-wide message, and text of the user's to keep (to download) when it could not be
/// read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Banner {
    pub message: String,
    pub problem: bool,
    pub kept: Option<String>,
}

/// Where the app keeps the user's work in localStorage.
pub const SAVED_KEY: &str = "shipshape.settings";
pub const SAVED_PRESET_KEY: &str = "shipshape.preset";
/// Text the user typed that was refused, by field (see `model::drafts_to_yaml`).
pub const SAVED_DRAFTS_KEY: &str = "shipshape.drafts";
/// Saved text that could not be read is moved here, so the next autosave cannot erase it.
pub const UNREADABLE_KEY: &str = "shipshape.settings.unreadable";

pub enum Action {
    /// The user typed or picked `String` in `Field`.
    Set(Field, String),
    /// Start again from the named preset.
    LoadPreset(String),
    /// Show the fields of the app service at this index.
    SelectService(usize),
    /// Take the user to this field: show its service's fields and focus it.
    FocusField(Field),
    AddService(Runtime),
    DuplicateService(usize),
    RemoveService(usize),
    /// Move the service at the first index to the second.
    MoveService(usize, usize),
    /// Turn a service's autoscaling or ingress on or off.
    SetPart(usize, Part, bool),
    AddEnv(usize),
    /// Remove a service's variable: (service, variable).
    RemoveEnv(usize, usize),
    /// Mark a service's variable secret or plain: (service, variable, secret).
    SetEnvSecret(usize, usize, bool),
    /// Make a plain variable that looks like a secret a secret, dropping its value here.
    MoveEnvToStore(usize, usize),
    /// Tick or untick an item of the deployment checklist, by id.
    ToggleCheck(&'static str),
    /// Show a page-wide message (or clear it with `None`).
    Banner(Option<Banner>),
    /// Open settings read from a file, and say so.
    Open(Box<Project>, String),
}

impl Default for State {
    fn default() -> Self {
        let preset = &model::PRESETS[0];
        State::from_project(preset.name, preset.project())
    }
}

impl State {
    pub fn from_project(preset: &'static str, project: Project) -> Self {
        State {
            project,
            preset,
            selected_service: 0,
            inputs: Texts::default(),
            errors: Texts::default(),
            focus: None,
            banner: None,
            structure_error: None,
        }
    }

    /// Moves what the user typed for service fields along with their services: `map` gives
    /// each old index its new one, or None when the service is gone.
    fn remap_services(&mut self, map: impl Fn(usize) -> Option<usize>) {
        self.remap_fields(|field| match field {
            Field::Service(index, inner) => map(index).map(|new| Field::Service(new, inner)),
            other => Some(other),
        });
    }

    /// Moves (or, with None, drops) what the user typed and the messages, field by field.
    fn remap_fields(&mut self, moved: impl Fn(Field) -> Option<Field>) {
        remap(&mut self.inputs, &moved);
        remap(&mut self.errors, &moved);
    }

    /// Takes the user to `field`: its service's fields are shown and it gets the focus.
    fn focus_on(&mut self, field: Field) {
        if let Field::Service(index, _) = field
            && index < self.project.services.len()
        {
            self.selected_service = index;
        }
        let count = self.focus.map_or(0, |(_, count)| count.wrapping_add(1));
        self.focus = Some((field, count));
    }

    /// Applies a change of shape; a refusal is kept for the form to show.
    fn reshape<T>(&mut self, edit: impl FnOnce(&mut Project) -> Result<T, String>) -> Option<T> {
        match edit(&mut self.project) {
            Ok(result) => {
                self.structure_error = None;
                Some(result)
            }
            Err(message) => {
                self.structure_error = Some(message);
                None
            }
        }
    }

    /// The state to start with: the settings of a share link in the fragment (`s=...`), else
    /// the autosaved ones, else the first preset. Whatever cannot be read is reported, and its
    /// text kept for the user, never silently dropped.
    pub fn restore(
        fragment: &str,
        saved: Option<&str>,
        saved_preset: Option<&str>,
        saved_drafts: Option<&str>,
    ) -> State {
        let mut link_problem = None;
        if let Some(code) = fragment.strip_prefix("s=") {
            match share::decode(code) {
                Ok(project) => {
                    let mut state = State::from_project("", project);
                    state.banner = Some(Banner {
                        message: "Opened the settings from a shared link.".into(),
                        problem: false,
                        kept: None,
                    });
                    return state;
                }
                Err(error) => link_problem = Some(error.to_string()),
            }
        }
        let preset = saved_preset.and_then(model::preset).map_or("", |p| p.name);
        let mut state = match saved.map(model::from_yaml) {
            Some(Ok(project)) => {
                let mut state = State::from_project(preset, project);
                // Refused text goes back into its field, refused again, with its message.
                for (field, text) in
                    model::drafts_from_yaml(&state.project, saved_drafts.unwrap_or(""))
                {
                    state.set(field, text);
                }
                state
            }
            Some(Err(error)) => {
                let mut state = State::default();
                state.banner = Some(Banner {
                    message: format!(
                        "Your saved settings could not be read ({}). They are kept: download them \
                         below. Meanwhile you start from the {} preset.",
                        error.to_string().trim_end(),
                        state.preset
                    ),
                    problem: true,
                    kept: saved.map(str::to_owned),
                });
                state
            }
            None => State::default(),
        };
        if let Some(problem) = link_problem {
            state.banner = Some(Banner {
                message: format!(
                    "This share link could not be opened: {}. Your own settings are kept.",
                    problem.trim_end()
                ),
                problem: true,
                kept: None,
            });
        }
        state
    }

    /// The text shown in `field`: what the user typed, valid or not, else the project's value.
    pub fn input(&self, field: Field) -> String {
        self.inputs
            .get(&field)
            .cloned()
            .unwrap_or_else(|| self.project.text(field))
    }

    /// Why the text in `field` was refused, if it was.
    pub fn error(&self, field: Field) -> Option<&str> {
        self.errors.get(&field).map(String::as_str)
    }

    /// What the user typed into fields whose value was refused, by field.
    pub fn drafts(&self) -> Vec<(Field, String)> {
        self.errors
            .keys()
            .filter_map(|field| Some((*field, self.inputs.get(field)?.clone())))
            .collect()
    }

    /// Whether the user changed anything since the preset was loaded: a different project, or
    /// text in a field that was refused. Loading another preset then needs their say-so.
    pub fn is_edited(&self) -> bool {
        !self.errors.is_empty()
            || model::preset(self.preset).is_none_or(|preset| preset.project() != self.project)
    }

    /// How many fields hold a value that the project (and so the preview) does not reflect yet.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    fn set(&mut self, field: Field, text: String) {
        match self.project.set(field, &text) {
            Ok(()) => {
                self.errors.remove(&field);
                // Other fields may have changed with this one (a new runtime brings its own
                // version and commands): show the project's values there, except where the
                // user's text is still refused.
                let errors = &self.errors;
                self.inputs.retain(|kept, _| errors.contains_key(kept));
                self.retry_refused();
            }
            Err(error) => {
                self.errors.insert(field, error.message);
            }
        }
        self.inputs.insert(field, text);
    }

    /// A refused value may be fine now (the name it duplicated was changed): apply it.
    fn retry_refused(&mut self) {
        let refused: Vec<Field> = self.errors.keys().copied().collect();
        for field in refused {
            let text = self.input(field);
            if self.project.set(field, &text).is_ok() {
                self.errors.remove(&field);
            }
        }
    }
}

/// Text by field, sorted by field. Few fields hold text at once, so a sorted Vec does what a
/// map would, without a map's code in the app for this one key type.
#[derive(Clone, Debug, Default, PartialEq)]
struct Texts(Vec<(Field, String)>);

impl Texts {
    fn find(&self, field: &Field) -> Result<usize, usize> {
        self.0.binary_search_by(|(f, _)| f.cmp(field))
    }

    fn get(&self, field: &Field) -> Option<&String> {
        self.find(field).ok().map(|at| &self.0[at].1)
    }

    fn contains_key(&self, field: &Field) -> bool {
        self.find(field).is_ok()
    }

    fn insert(&mut self, field: Field, text: String) {
        match self.find(&field) {
            Ok(at) => self.0[at].1 = text,
            Err(at) => self.0.insert(at, (field, text)),
        }
    }

    fn remove(&mut self, field: &Field) {
        if let Ok(at) = self.find(field) {
            self.0.remove(at);
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&Field, &String) -> bool) {
        self.0.retain(|(field, text)| keep(field, text));
    }

    fn keys(&self) -> impl Iterator<Item = &Field> {
        self.0.iter().map(|(field, _)| field)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Re-keys `map` by `moved`, dropping what it maps to None, and sorts again.
fn remap(map: &mut Texts, moved: &dyn Fn(Field) -> Option<Field>) {
    for (field, text) in std::mem::take(&mut map.0) {
        if let Some(field) = moved(field) {
            map.insert(field, text);
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Set(field, text) => next.set(field, text),
            Action::LoadPreset(name) => {
                if let Some(preset) = model::preset(&name) {
                    next = State::from_project(preset.name, preset.project());
                }
            }
            Action::SelectService(index) => {
                if index < next.project.services.len() {
                    next.selected_service = index;
                }
            }
            Action::AddService(runtime) => {
                if let Some(index) = next.reshape(|p| p.add_service(runtime)) {
                    next.selected_service = index;
                }
            }
            Action::DuplicateService(index) => {
                if let Some(copy) = next.reshape(|p| p.duplicate_service(index)) {
                    next.remap_services(|old| Some(if old > index { old + 1 } else { old }));
                    next.selected_service = copy;
                }
            }
            Action::RemoveService(index) => {
                if next.reshape(|p| p.remove_service(index)).is_some() {
                    next.remap_services(|old| after_removal(old, index));
                    next.selected_service = index.min(next.project.services.len() - 1);
                }
            }
            Action::MoveService(from, to) => {
                if next.reshape(|p| p.move_service(from, to)).is_some() {
                    next.remap_services(|old| {
                        Some(if old == from {
                            to
                        } else if from < to && old > from && old <= to {
                            old - 1
                        } else if to < from && old >= to && old < from {
                            old + 1
                        } else {
                            old
                        })
                    });
                    next.selected_service = to;
                }
            }
            Action::SetPart(index, part, on) => {
                next.reshape(|p| p.set_part(index, part, on));
                // The fields of that part now show the project's values.
                next.inputs.retain(|field, _| {
                    !matches!(field, Field::Service(i, _) if *i == index)
                        || next.errors.contains_key(field)
                });
            }
            Action::AddEnv(index) => {
                if let Some(variable) = next.reshape(|p| p.add_env(index)) {
                    next.focus_on(Field::Service(index, ServiceField::EnvName(variable)));
                }
            }
            Action::RemoveEnv(index, variable) => {
                if next.reshape(|p| p.remove_env(index, variable)).is_some() {
                    next.remap_fields(|field| match field {
                        Field::Service(i, ServiceField::EnvName(v)) if i == index => {
                            after_removal(v, variable)
                                .map(|v| Field::Service(i, ServiceField::EnvName(v)))
                        }
                        Field::Service(i, ServiceField::EnvValue(v)) if i == index => {
                            after_removal(v, variable)
                                .map(|v| Field::Service(i, ServiceField::EnvValue(v)))
                        }
                        other => Some(other),
                    });
                }
            }
            Action::SetEnvSecret(index, variable, secret) => {
                next.reshape(|p| p.set_env_secret(index, variable, secret));
            }
            Action::MoveEnvToStore(index, variable) => {
                if next
                    .reshape(|p| p.move_env_to_store(index, variable))
                    .is_some()
                {
                    let field = Field::Service(index, ServiceField::EnvValue(variable));
                    next.inputs.remove(&field);
                    next.errors.remove(&field);
                }
            }
            Action::ToggleCheck(id) => next.project.toggle_check(id),
            Action::FocusField(field) => next.focus_on(field),
            Action::Banner(banner) => next.banner = banner,
            Action::Open(project, message) => {
                next = State::from_project("", *project);
                next.banner = Some(Banner {
                    message,
                    problem: false,
                    kept: None,
                });
            }
        }
        Rc::new(next)
    }
}

/// Where the item at `old` is once the one at `removed` is gone: None for that one itself.
fn after_removal(old: usize, removed: usize) -> Option<usize> {
    match old.cmp(&removed) {
        std::cmp::Ordering::Less => Some(old),
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some(old - 1),
    }
}

/// The state and its dispatcher, shared with every component below the app.
pub type StateContext = UseReducerHandle<State>;

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: State, action: Action) -> State {
        Rc::unwrap_or_clone(Rc::new(state).reduce(action))
    }

    fn service(index: usize, field: ServiceField) -> Field {
        Field::Service(index, field)
    }

    #[test]
    fn a_valid_value_updates_the_project() {
        let state = reduce(
            State::default(),
            Action::Set(service(0, ServiceField::Name), "api".into()),
        );
        assert_eq!(state.project.services[0].name, "api");
        assert_eq!(state.input(service(0, ServiceField::Name)), "api");
        assert_eq!(state.error(service(0, ServiceField::Name)), None);
    }

    #[test]
    fn an_invalid_value_is_kept_in_the_field_with_a_message() {
        let port = service(0, ServiceField::Port);
        let state = reduce(State::default(), Action::Set(port, "99999".into()));
        assert_eq!(state.input(port), "99999");
        assert!(state.error(port).unwrap().contains("65535"));
        assert_eq!(
            state.project.services[0].port, 8000,
            "the project keeps the last valid port"
        );
        assert_eq!(state.error_count(), 1);

        let state = reduce(state, Action::Set(port, "9000".into()));
        assert_eq!(state.project.services[0].port, 9000);
        assert_eq!(state.error(port), None);
    }

    #[test]
    fn typed_text_is_never_rewritten() {
        let port = service(0, ServiceField::Port);
        let state = reduce(State::default(), Action::Set(port, "09000".into()));
        assert_eq!(state.input(port), "09000");
        assert_eq!(state.project.services[0].port, 9000);
    }

    #[test]
    fn a_duplicate_name_is_applied_once_the_other_service_is_renamed() {
        let frontend = service(1, ServiceField::Name);
        let backend = service(0, ServiceField::Name);
        let state = reduce(State::default(), Action::Set(frontend, "backend".into()));
        assert!(state.error(frontend).unwrap().contains("already called"));
        let state = reduce(state, Action::Set(backend, "api".into()));
        assert_eq!(state.error(frontend), None);
        assert_eq!(state.project.services[1].name, "backend");
    }

    #[test]
    fn a_port_another_service_uses_is_refused() {
        let port = service(0, ServiceField::Port);
        let state = reduce(State::default(), Action::Set(port, "8080".into()));
        assert!(
            state
                .error(port)
                .unwrap()
                .contains("\"8080\" is already used by service 2 (frontend)"),
            "{:?}",
            state.error(port)
        );
        assert_eq!(state.project.services[0].port, 8000);
    }

    #[test]
    fn a_new_runtime_shows_its_own_defaults() {
        let runtime = service(0, ServiceField::Runtime);
        let state = reduce(State::default(), Action::Set(runtime, "go".into()));
        assert_eq!(state.input(service(0, ServiceField::Version)), "1.25");
        assert_eq!(
            state.input(service(0, ServiceField::PackageManager)),
            "go-modules"
        );
    }

    #[test]
    fn focusing_a_service_field_shows_that_service() {
        let replicas = service(1, ServiceField::Replicas);
        let state = reduce(State::default(), Action::FocusField(replicas));
        assert_eq!(state.selected_service, 1);
        assert_eq!(state.focus, Some((replicas, 0)));
        let again = reduce(state, Action::FocusField(replicas));
        assert_eq!(
            again.focus,
            Some((replicas, 1)),
            "a second request is a new one"
        );
        let project = reduce(again, Action::FocusField(Field::AwsRegion));
        assert_eq!(
            project.selected_service, 1,
            "a project field keeps the service shown"
        );
    }

    #[test]
    fn what_was_typed_moves_with_its_service() {
        // A refused port typed into the frontend (service 1), whose address the backend's
        // CORS origin no longer names (it would keep the frontend from going).
        let cors = service(0, ServiceField::EnvValue(1));
        let state = reduce(
            State::default(),
            Action::Set(cors, "https://app.example.com".into()),
        );
        let port = service(1, ServiceField::Port);
        let state = reduce(state, Action::Set(port, "99999".into()));
        // A copy of the backend goes in at 1: the draft follows the frontend to 2.
        let state = reduce(state, Action::DuplicateService(0));
        assert_eq!(state.selected_service, 1);
        assert_eq!(state.input(service(2, ServiceField::Port)), "99999");
        assert!(state.error(service(2, ServiceField::Port)).is_some());
        // Moved to the front, it is at 0.
        let state = reduce(state, Action::MoveService(2, 0));
        assert_eq!(state.project.services[0].name, "frontend");
        assert_eq!(state.input(service(0, ServiceField::Port)), "99999");
        // Removing it removes its draft, and nothing else's.
        let state = reduce(state, Action::RemoveService(0));
        assert_eq!(state.error_count(), 0);
        assert_eq!(state.project.services.len(), 2);
    }

    #[test]
    fn what_was_typed_into_a_variable_moves_up_when_one_before_it_goes() {
        let state = reduce(State::default(), Action::AddEnv(0));
        let first = state.project.services[0].env.len() - 1;
        let state = reduce(state, Action::AddEnv(0));
        assert_eq!(
            state.focus.map(|(f, _)| f),
            Some(service(0, ServiceField::EnvName(first + 1)))
        );
        let second = service(0, ServiceField::EnvName(first + 1));
        let state = reduce(state, Action::Set(second, "not a name".into()));
        assert!(state.error(second).is_some());
        let state = reduce(state, Action::RemoveEnv(0, first));
        let moved = service(0, ServiceField::EnvName(first));
        assert_eq!(state.input(moved), "not a name");
        assert!(state.error(moved).is_some());
        assert_eq!(state.error_count(), 1);
    }

    #[test]
    fn a_refused_change_of_shape_says_why_and_changes_nothing() {
        // The frontend names the backend's address: removing the backend says so.
        let state = reduce(State::default(), Action::RemoveService(0));
        assert_eq!(state.project.services.len(), 2);
        assert!(
            state
                .structure_error
                .as_deref()
                .unwrap()
                .contains("frontend's VITE_API_URL uses {{backend.url}}")
        );
        let api = service(1, ServiceField::EnvValue(0));
        let state = reduce(state, Action::Set(api, "https://api.example.com".into()));
        let state = reduce(state, Action::RemoveService(0));
        let state = reduce(state, Action::RemoveService(0));
        assert_eq!(state.project.services.len(), 1);
        assert!(
            state
                .structure_error
                .as_deref()
                .unwrap()
                .contains("at least one")
        );
        let state = reduce(state, Action::AddService(Runtime::ALL[0]));
        assert_eq!(state.structure_error, None);
        assert_eq!(state.selected_service, 1);
    }

    #[test]
    fn edits_are_noticed_so_a_preset_does_not_replace_them_unasked() {
        let state = State::default();
        assert!(!state.is_edited());
        let renamed = reduce(
            state.clone(),
            Action::Set(Field::ProjectName, "mine".into()),
        );
        assert!(renamed.is_edited());
        let refused = reduce(
            state.clone(),
            Action::Set(service(0, ServiceField::Port), "x".into()),
        );
        assert!(refused.is_edited(), "a refused value is work too");
        let back = reduce(
            renamed,
            Action::Set(Field::ProjectName, state.project.name.clone()),
        );
        assert!(!back.is_edited(), "changed back is as loaded");
    }

    #[test]
    fn a_share_link_opens_its_settings() {
        let project = model::preset("go-api").unwrap().project();
        let fragment = format!("s={}", share::encode(&project));
        let state = State::restore(&fragment, None, None, None);
        assert_eq!(state.project, project);
        assert!(!state.banner.unwrap().problem);
    }

    #[test]
    fn a_damaged_link_keeps_the_saved_work_and_says_why() {
        let mut saved = model::preset("rust-axum").unwrap().project();
        saved.name = "mine".into();
        let json = model::to_yaml(&saved);
        let state = State::restore("s=s1.broken", Some(&json), Some("rust-axum"), None);
        assert_eq!(state.project, saved, "the user's own work is what they see");
        assert_eq!(state.preset, "rust-axum");
        let banner = state.banner.unwrap();
        assert!(
            banner.problem && banner.message.contains("damaged"),
            "{}",
            banner.message
        );
    }

    #[test]
    fn unreadable_saved_work_is_kept_for_download_and_defaults_load() {
        let state = State::restore("", Some("{\"schema_version\": 1, \"name\": "), None, None);
        assert_eq!(state.project, State::default().project);
        let banner = state.banner.unwrap();
        assert!(banner.problem);
        assert_eq!(
            banner.kept.as_deref(),
            Some("{\"schema_version\": 1, \"name\": ")
        );
        // From a newer Shipshape: said plainly.
        let newer = State::restore("", Some("{\"schema_version\": 99}"), None, None);
        assert!(newer.banner.unwrap().message.contains("newer Shipshape"));
    }

    #[test]
    fn refused_text_comes_back_after_a_reload_with_its_message() {
        let port = service(0, ServiceField::Port);
        let typed = reduce(State::default(), Action::Set(port, "99999".into()));
        let drafts = typed.drafts();
        assert_eq!(drafts, vec![(port, "99999".to_owned())]);
        let saved = model::to_yaml(&typed.project);
        let reloaded = State::restore(
            "",
            Some(&saved),
            Some(typed.preset),
            Some(&model::drafts_to_yaml(&drafts)),
        );
        assert_eq!(reloaded.input(port), "99999");
        assert_eq!(reloaded.error(port), typed.error(port));
        assert_eq!(reloaded.project, typed.project);
    }

    #[test]
    fn nothing_saved_starts_from_the_first_preset() {
        let state = State::restore("", None, None, None);
        assert_eq!(state, State::default());
    }

    #[test]
    fn presets_replace_the_project_and_clear_the_drafts() {
        let state = reduce(
            State::default(),
            Action::Set(service(0, ServiceField::Port), "x".into()),
        );
        let state = reduce(state, Action::LoadPreset("go-api".into()));
        assert_eq!(state.preset, "go-api");
        assert_eq!(state.error_count(), 0);
        assert_eq!(state.project.services[0].runtime.id(), "go");
        let unchanged = reduce(state.clone(), Action::LoadPreset("nope".into()));
        assert_eq!(unchanged, state);
    }
}
