//! Settings: everything the user told us about their service.

use serde::{Deserialize, Serialize};

use super::runtime::Runtime;
use super::validate::{FieldError, parse_health_path, parse_port, parse_service_name};

/// The service being described. Values held here are always valid: edits go through
/// [`Settings::set`], which refuses a bad value and says why, so generators never see one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// DNS-1123 label: it becomes the image, container, Deployment and Service name.
    pub service_name: String,
    pub runtime: Runtime,
    /// The port the process listens on inside the container.
    pub port: u16,
    /// The HTTP path that answers 200 when the service is healthy.
    pub health_path: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            service_name: "api".to_owned(),
            runtime: Runtime::Node,
            port: 8080,
            health_path: "/healthz".to_owned(),
        }
    }
}

/// A form field, one per editable value of [`Settings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    ServiceName,
    Runtime,
    Port,
    HealthPath,
}

impl Field {
    pub const ALL: [Field; 4] = [
        Field::ServiceName,
        Field::Runtime,
        Field::Port,
        Field::HealthPath,
    ];

    /// Stable identifier: the form element's `id` and the key in messages.
    pub fn id(self) -> &'static str {
        match self {
            Field::ServiceName => "service-name",
            Field::Runtime => "runtime",
            Field::Port => "port",
            Field::HealthPath => "health-path",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::ServiceName => "Service name",
            Field::Runtime => "Runtime",
            Field::Port => "Container port",
            Field::HealthPath => "Health-check path",
        }
    }

    /// One line telling the user what the value is for.
    pub fn help(self) -> &'static str {
        match self {
            Field::ServiceName => {
                "Lowercase letters, digits and hyphens; names the image, container and Kubernetes objects."
            }
            Field::Runtime => "Decides the build stages and the runtime base image.",
            Field::Port => "The port your process listens on inside the container.",
            Field::HealthPath => {
                "Answers 200 when the service is healthy; used by HEALTHCHECK and the probes."
            }
        }
    }
}

impl Settings {
    /// The text the form shows for `field`.
    pub fn text(&self, field: Field) -> String {
        match field {
            Field::ServiceName => self.service_name.clone(),
            Field::Runtime => self.runtime.id().to_owned(),
            Field::Port => self.port.to_string(),
            Field::HealthPath => self.health_path.clone(),
        }
    }

    /// Sets `field` from what the user typed. A bad value leaves the settings unchanged and
    /// returns the message to show next to the field.
    pub fn set(&mut self, field: Field, text: &str) -> Result<(), FieldError> {
        match field {
            Field::ServiceName => self.service_name = parse_service_name(text)?,
            Field::Runtime => {
                self.runtime = Runtime::from_id(text).ok_or_else(|| {
                    FieldError::new(
                        field,
                        format!("Unknown runtime \"{text}\"; pick one from the list."),
                    )
                })?
            }
            Field::Port => self.port = parse_port(text)?,
            Field::HealthPath => self.health_path = parse_health_path(text)?,
        }
        Ok(())
    }

    /// Every problem with these settings, one per field, in form order. Settings loaded from a
    /// file or a link did not come through [`Settings::set`], so they are checked with this.
    pub fn validate(&self) -> Vec<FieldError> {
        Field::ALL
            .into_iter()
            .filter_map(|field| self.clone().set(field, &self.text(field)).err())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Settings::default().validate(), vec![]);
    }

    #[test]
    fn set_accepts_a_good_value() {
        let mut settings = Settings::default();
        settings.set(Field::ServiceName, "payments").unwrap();
        settings.set(Field::Runtime, "go").unwrap();
        settings.set(Field::Port, "3000").unwrap();
        settings.set(Field::HealthPath, "/health/ready").unwrap();
        assert_eq!(
            settings,
            Settings {
                service_name: "payments".into(),
                runtime: Runtime::Go,
                port: 3000,
                health_path: "/health/ready".into(),
            }
        );
    }

    #[test]
    fn set_refuses_a_bad_value_and_keeps_the_old_one() {
        let mut settings = Settings::default();
        let error = settings.set(Field::Port, "99999").unwrap_err();
        assert_eq!(error.field, Field::Port);
        assert_eq!(settings.port, 8080);

        let error = settings.set(Field::Runtime, "cobol").unwrap_err();
        assert_eq!(error.field, Field::Runtime);
        assert!(error.message.contains("cobol"), "{}", error.message);
        assert_eq!(settings.runtime, Runtime::Node);
    }

    #[test]
    fn validate_reports_each_bad_field() {
        let settings = Settings {
            service_name: "Bad_Name".into(),
            runtime: Runtime::Python,
            port: 0,
            health_path: "healthz".into(),
        };
        let fields: Vec<Field> = settings.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![Field::ServiceName, Field::Port, Field::HealthPath]
        );
    }

    #[test]
    fn field_ids_are_unique() {
        let mut ids: Vec<_> = Field::ALL.iter().map(|f| f.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Field::ALL.len());
    }
}
