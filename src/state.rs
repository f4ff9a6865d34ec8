//! All app state, changed only through [`Action`]s in one reducer.

use std::collections::BTreeMap;
use std::rc::Rc;

use shipshape_core::{Field, Settings};
use yew::prelude::*;

/// What the user is editing: the last valid settings, plus exactly what they typed in each field
/// (kept even when it is invalid, so nothing typed is ever lost or rewritten under the cursor).
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub settings: Settings,
    inputs: BTreeMap<Field, String>,
    errors: BTreeMap<Field, String>,
}

pub enum Action {
    /// The user typed or picked `String` in `Field`.
    Set(Field, String),
}

impl Default for State {
    fn default() -> Self {
        State::from_settings(Settings::default())
    }
}

impl State {
    pub fn from_settings(settings: Settings) -> Self {
        let inputs = Field::ALL
            .into_iter()
            .map(|field| (field, settings.text(field)))
            .collect();
        State {
            settings,
            inputs,
            errors: BTreeMap::new(),
        }
    }

    /// The text shown in `field`: what the user typed, valid or not.
    pub fn input(&self, field: Field) -> &str {
        self.inputs.get(&field).map_or("", String::as_str)
    }

    /// Why the text in `field` was refused, if it was.
    pub fn error(&self, field: Field) -> Option<&str> {
        self.errors.get(&field).map(String::as_str)
    }

    /// How many fields hold a value that the settings (and so the preview) do not reflect yet.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Set(field, text) => {
                match next.settings.set(field, &text) {
                    Ok(()) => next.errors.remove(&field),
                    Err(error) => next.errors.insert(field, error.message),
                };
                next.inputs.insert(field, text);
            }
        }
        Rc::new(next)
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

    #[test]
    fn a_valid_value_updates_the_settings() {
        let state = reduce(
            State::default(),
            Action::Set(Field::ServiceName, "payments".into()),
        );
        assert_eq!(state.settings.service_name, "payments");
        assert_eq!(state.input(Field::ServiceName), "payments");
        assert_eq!(state.error(Field::ServiceName), None);
    }

    #[test]
    fn an_invalid_value_is_kept_in_the_field_with_a_message() {
        let state = reduce(State::default(), Action::Set(Field::Port, "99999".into()));
        assert_eq!(state.input(Field::Port), "99999");
        assert!(state.error(Field::Port).unwrap().contains("65535"));
        assert_eq!(
            state.settings.port, 8080,
            "settings keep the last valid port"
        );
        assert_eq!(state.error_count(), 1);

        let state = reduce(state, Action::Set(Field::Port, "9000".into()));
        assert_eq!(state.settings.port, 9000);
        assert_eq!(state.error(Field::Port), None);
        assert_eq!(state.error_count(), 0);
    }

    #[test]
    fn typed_text_is_never_rewritten() {
        let state = reduce(State::default(), Action::Set(Field::Port, "08080".into()));
        assert_eq!(state.input(Field::Port), "08080");
        assert_eq!(state.settings.port, 8080);
    }
}
