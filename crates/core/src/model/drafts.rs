//! Drafts: text the user typed that the project refused (a port of 99999, a name with
//! capitals), saved beside the settings so that a reload brings it back into its field with
//! its message, rather than losing it.
//!
//! Saved as a YAML mapping from each field's path (as in the settings file) to its text.

use super::field::Field;
use super::project::Project;
use crate::yaml::Map;

/// The drafts as YAML text; empty when there are none.
pub fn drafts_to_yaml(drafts: &[(Field, String)]) -> String {
    if drafts.is_empty() {
        return String::new();
    }
    let map: Map<String, &str> = drafts
        .iter()
        .map(|(field, text)| (field.path(), text.as_str()))
        .collect();
    crate::yaml::to_string(&map)
}

/// The drafts saved in `text` that name a field of `project`. Anything else (a damaged save,
/// a field that no longer exists) is left out: drafts are a convenience on top of the
/// settings, which are saved and checked on their own.
pub fn drafts_from_yaml(project: &Project, text: &str) -> Vec<(Field, String)> {
    let Ok(documents) = crate::rules::yaml::parse(text) else {
        return Vec::new();
    };
    let Some(root) = documents.first() else {
        return Vec::new();
    };
    let fields = project.fields();
    root.entries()
        .iter()
        .filter_map(|(key, value)| {
            let path = key.as_str()?;
            let field = fields.iter().find(|f| f.path() == path)?;
            Some((*field, value.as_str()?.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ServiceField, preset};

    #[test]
    fn drafts_come_back_to_their_fields_exactly() {
        let project = preset("fullstack-fastapi-react").unwrap().project();
        let drafts = vec![
            (Field::Service(1, ServiceField::Port), "99999".to_owned()),
            (Field::ProjectName, "Not: a \"label\"\n# really".to_owned()),
        ];
        let text = drafts_to_yaml(&drafts);
        assert_eq!(drafts_from_yaml(&project, &text), drafts);
        assert_eq!(drafts_to_yaml(&[]), "");
        assert_eq!(drafts_from_yaml(&project, ""), vec![]);
        assert_eq!(drafts_from_yaml(&project, "[broken"), vec![]);
        // A field the project does not have (a third service) is left out.
        assert_eq!(
            drafts_from_yaml(&project, "services[7].port: \"1\"\nname: x\n"),
            vec![(Field::ProjectName, "x".to_owned())]
        );
    }
}
