//! Edits that change the project's shape rather than one value: adding, duplicating,
//! removing and reordering app services, and turning a service's autoscaling or ingress on
//! and off. Each keeps the project valid or changes nothing and says why.

use super::project::Project;
use super::runtime::Runtime;
use super::service::{AppService, Autoscaling, EnvVar, Ingress};
use super::validate::MAX_SERVICES;

/// Which optional part of a service to turn on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Autoscaling,
    Ingress,
    /// Uses the project's PostgreSQL (created with the first service that does, removed
    /// with the last).
    Database,
    /// Uses the project's Redis, likewise.
    Cache,
}

impl Project {
    /// A name, folder and port no other service has, starting from `base`.
    fn unused_identity(&self, base: &str, port: u16) -> (String, String, u16) {
        let taken = |name: &str| {
            self.services
                .iter()
                .any(|s| s.name == name || s.path.trim_end_matches('/') == name)
        };
        let name = if taken(base) {
            (2..)
                .map(|n| format!("{base}-{n}"))
                .find(|name| !taken(name))
                .expect("some number is free")
        } else {
            base.to_owned()
        };
        let mut port = port;
        while self.services.iter().any(|s| s.port == port) {
            port = port.checked_add(1).unwrap_or(1024);
        }
        (name.clone(), name, port)
    }

    /// Applies `edit` only if the project stays valid; otherwise restores it.
    fn keeping_valid<T>(&mut self, edit: impl FnOnce(&mut Project) -> T) -> Result<T, String> {
        let before = self.clone();
        let result = edit(self);
        match self.validate().first() {
            None => Ok(result),
            Some(error) => {
                let message = error.message.clone();
                *self = before;
                Err(message)
            }
        }
    }

    /// Adds a service of `runtime` with its defaults, named after the runtime, in its own
    /// folder and on a free port. Returns its index.
    pub fn add_service(&mut self, runtime: Runtime) -> Result<usize, String> {
        if self.services.len() >= MAX_SERVICES {
            return Err(format!("At most {MAX_SERVICES} app services."));
        }
        let (name, path, port) = self.unused_identity(runtime.id(), runtime.default_port());
        let mut service = AppService::new(&name, &path, runtime);
        service.port = port;
        self.keeping_valid(|project| {
            project.services.push(service);
            project.services.len() - 1
        })
    }

    /// Adds a copy of service `index` after it, under a new name, folder and port.
    pub fn duplicate_service(&mut self, index: usize) -> Result<usize, String> {
        let original = self.services.get(index).ok_or("No such service.")?.clone();
        if self.services.len() >= MAX_SERVICES {
            return Err(format!("At most {MAX_SERVICES} app services."));
        }
        let (name, path, port) =
            self.unused_identity(&format!("{}-copy", original.name), original.port);
        let mut copy = original;
        copy.name = name;
        copy.path = path;
        copy.port = port;
        if let Some(ingress) = &mut copy.ingress {
            ingress.host = copy.name.clone();
        }
        self.keeping_valid(|project| {
            project.services.insert(index + 1, copy);
            index + 1
        })
    }

    /// Removes service `index`; the last one cannot go.
    pub fn remove_service(&mut self, index: usize) -> Result<(), String> {
        if index >= self.services.len() {
            return Err("No such service.".into());
        }
        if self.services.len() == 1 {
            return Err("A project needs at least one app service.".into());
        }
        // A setting that names its address would lose it: say which, rather than guess.
        let name = &self.services[index].name;
        for service in &self.services {
            for var in &service.env {
                if super::service::url_references(&var.value)
                    .iter()
                    .any(|(_, _, named)| named == name)
                {
                    return Err(format!(
                        "{}'s {} uses {{{{{name}.url}}}}: change it before removing {name}.",
                        service.name, var.name
                    ));
                }
            }
        }
        self.keeping_valid(|project| {
            project.services.remove(index);
        })
    }

    /// Moves service `from` to position `to`.
    pub fn move_service(&mut self, from: usize, to: usize) -> Result<(), String> {
        if from >= self.services.len() || to >= self.services.len() {
            return Err("No such position.".into());
        }
        self.keeping_valid(|project| {
            let service = project.services.remove(from);
            project.services.insert(to, service);
        })
    }

    /// Adds an environment variable to service `index`, named so that it is valid and unique
    /// until the user names it. Returns its position.
    pub fn add_env(&mut self, index: usize) -> Result<usize, String> {
        let service = self.services.get(index).ok_or("No such service.")?;
        let taken = |name: &str| service.env.iter().any(|v| v.name == name);
        let name = std::iter::once("NEW_VARIABLE".to_owned())
            .chain((2..).map(|n| format!("NEW_VARIABLE_{n}")))
            .find(|name| !taken(name))
            .expect("some number is free");
        self.keeping_valid(|project| {
            let env = &mut project.services[index].env;
            env.push(EnvVar {
                name,
                value: String::new(),
                secret: false,
            });
            env.len() - 1
        })
    }

    pub fn remove_env(&mut self, index: usize, variable: usize) -> Result<(), String> {
        let service = self.services.get(index).ok_or("No such service.")?;
        if variable >= service.env.len() {
            return Err("No such variable.".into());
        }
        self.keeping_valid(|project| {
            project.services[index].env.remove(variable);
        })
    }

    /// Marks a variable as a secret (its value then comes from the secrets store) or as plain.
    /// A variable with a value is not made secret: the value would have to be dropped, and what
    /// the user typed is never dropped silently.
    pub fn set_env_secret(
        &mut self,
        index: usize,
        variable: usize,
        secret: bool,
    ) -> Result<(), String> {
        let var = self
            .services
            .get(index)
            .and_then(|s| s.env.get(variable))
            .ok_or("No such variable.")?;
        if secret && !var.value.is_empty() {
            return Err(format!(
                "Clear the value of {} first: a secret's value is set in your secrets store, never here.",
                var.name
            ));
        }
        self.keeping_valid(|project| {
            project.services[index].env[variable].secret = secret;
        })
    }

    /// Makes a plain variable a secret, dropping the value typed here: the value belongs in
    /// the secrets store, and Shipshape's files keep only the name.
    pub fn move_env_to_store(&mut self, index: usize, variable: usize) -> Result<(), String> {
        self.services
            .get(index)
            .and_then(|s| s.env.get(variable))
            .ok_or("No such variable.")?;
        self.keeping_valid(|project| {
            let var = &mut project.services[index].env[variable];
            var.value.clear();
            var.secret = true;
        })
    }

    /// Turns a service's autoscaling or ingress on (with sensible defaults) or off.
    pub fn set_part(&mut self, index: usize, part: Part, on: bool) -> Result<(), String> {
        let service = self.services.get(index).ok_or("No such service.")?;
        let replicas = service.replicas.max(2);
        let previous_min = service.autoscaling.as_ref().map(|a| a.min_replicas);
        let host = service.name.clone();
        self.keeping_valid(|project| {
            let service = &mut project.services[index];
            match (part, on) {
                (Part::Autoscaling, true) if service.autoscaling.is_none() => {
                    service.autoscaling = Some(Autoscaling {
                        min_replicas: replicas,
                        max_replicas: replicas * 3,
                        cpu_percent: 70,
                        memory_percent: None,
                    });
                }
                (Part::Autoscaling, false) => {
                    if let Some(min) = previous_min {
                        service.replicas = min;
                    }
                    service.autoscaling = None;
                }
                (Part::Ingress, true) if service.ingress.is_none() => {
                    service.ingress = Some(Ingress {
                        host,
                        path: "/".into(),
                    });
                }
                (Part::Ingress, false) => service.ingress = None,
                (Part::Database, on) => service.uses_postgres = on,
                (Part::Cache, on) => service.uses_redis = on,
                _ => {}
            }
            // A backing service exists while some service uses it.
            let postgres = project.services.iter().any(|s| s.uses_postgres);
            match (postgres, project.postgres.is_some()) {
                (true, false) => project.postgres = Some(Default::default()),
                (false, true) => project.postgres = None,
                _ => {}
            }
            let redis = project.services.iter().any(|s| s.uses_redis);
            match (redis, project.redis.is_some()) {
                (true, false) => project.redis = Some(Default::default()),
                (false, true) => project.redis = None,
                _ => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;

    fn project() -> Project {
        preset("fullstack-fastapi-react").unwrap().project()
    }

    #[test]
    fn added_and_duplicated_services_are_valid_and_distinct() {
        let mut project = project();
        let added = project.add_service(Runtime::ALL[0]).unwrap();
        let again = project.add_service(Runtime::ALL[0]).unwrap();
        let copy = project.duplicate_service(0).unwrap();
        assert_eq!(copy, 1, "the copy comes right after its original");
        assert_eq!(project.validate(), vec![]);
        let names: std::collections::BTreeSet<&str> =
            project.services.iter().map(|s| s.name.as_str()).collect();
        let ports: std::collections::BTreeSet<u16> =
            project.services.iter().map(|s| s.port).collect();
        assert_eq!(names.len(), project.services.len());
        assert_eq!(ports.len(), project.services.len());
        assert!(added < again);
        assert_eq!(project.services[1].name, "backend-copy");
        assert_eq!(project.services[1].runtime, project.services[0].runtime);
        // The bundle has files for every service.
        let bundle = crate::generate(&project);
        for service in &project.services {
            assert!(
                bundle
                    .get(&format!(".github/workflows/{}.yml", service.name))
                    .is_some()
            );
        }
    }

    #[test]
    fn there_are_limits() {
        let mut project = project();
        while project.services.len() < MAX_SERVICES {
            project.add_service(Runtime::ALL[1]).unwrap();
        }
        let before = project.clone();
        assert!(
            project
                .add_service(Runtime::ALL[1])
                .unwrap_err()
                .contains("At most")
        );
        assert!(project.duplicate_service(0).is_err());
        assert_eq!(project, before);

        let mut single = Project::single("one", Runtime::ALL[0]);
        assert!(
            single
                .remove_service(0)
                .unwrap_err()
                .contains("at least one")
        );
    }

    #[test]
    fn removing_and_moving_keep_the_rest() {
        let mut project = project();
        let names = |p: &Project| {
            p.services
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
        };
        project.move_service(0, 1).unwrap();
        assert_eq!(names(&project), ["frontend", "backend"]);
        // The backend's CORS origin names the frontend's address: it says so.
        let refused = project.remove_service(0).unwrap_err();
        assert!(
            refused.contains("backend's CORS_ORIGINS uses {{frontend.url}}"),
            "{refused}"
        );
        project.services[1].env[1].value = "https://app.example.com".into();
        project.remove_service(0).unwrap();
        assert_eq!(names(&project), ["backend"]);
        assert_eq!(project.validate(), vec![]);
    }

    #[test]
    fn a_backing_service_lives_while_a_service_uses_it() {
        let mut project = project();
        assert!(project.postgres.is_some() && project.services[0].uses_postgres);
        project.set_part(0, Part::Database, false).unwrap();
        assert!(project.postgres.is_none(), "no service uses it any more");
        assert!(crate::generate(&project).get("terraform/rds.tf").is_none());
        project.set_part(1, Part::Database, true).unwrap();
        assert!(project.postgres.is_some() && project.services[1].uses_postgres);
        project.set_part(1, Part::Cache, true).unwrap();
        project.set_part(0, Part::Cache, false).unwrap();
        assert!(project.redis.is_some(), "the frontend still uses it");
        assert_eq!(project.validate(), vec![]);
    }

    #[test]
    fn variables_are_added_unique_removed_and_made_secret_only_when_empty() {
        let mut project = project();
        let first = project.add_env(0).unwrap();
        let second = project.add_env(0).unwrap();
        let env = &project.services[0].env;
        assert_ne!(env[first].name, env[second].name);
        assert_eq!(project.validate(), vec![]);
        project.services[0].env[first].value = "x".into();
        let refused = project.set_env_secret(0, first, true).unwrap_err();
        assert!(refused.contains("Clear the value"), "{refused}");
        project.set_env_secret(0, second, true).unwrap();
        assert!(project.services[0].env[second].secret);
        let count = project.services[0].env.len();
        project.remove_env(0, first).unwrap();
        assert_eq!(project.services[0].env.len(), count - 1);
        assert!(project.remove_env(0, 99).is_err());
    }

    #[test]
    fn a_variable_moved_to_the_store_is_a_secret_without_its_value() {
        let mut project = project();
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let variable = project.add_env(0).unwrap();
        project.services[0].env[variable].value = token.into();
        let name = project.services[0].env[variable].name.clone();
        assert_eq!(
            crate::secrets::suspects(&project),
            vec![format!("{name} looks like a GitHub personal access token")]
        );
        project.move_env_to_store(0, variable).unwrap();
        let var = &project.services[0].env[variable];
        assert!(var.secret && var.value.is_empty());
        assert_eq!(crate::secrets::suspects(&project), Vec::<String>::new());
        assert_eq!(project.validate(), vec![]);
        let bundle = crate::generate(&project);
        assert!(bundle.files().iter().all(|f| !f.contents.contains(token)));
        assert!(!crate::model::to_yaml(&project).contains(token));
        assert!(project.move_env_to_store(0, 99).is_err());
    }

    #[test]
    fn parts_turn_on_with_defaults_and_off_keeping_the_floor() {
        let mut project = project();
        let frontend = 1;
        assert!(project.services[frontend].autoscaling.is_none());
        project.set_part(frontend, Part::Autoscaling, true).unwrap();
        let autoscaling = project.services[frontend].autoscaling.clone().unwrap();
        assert!(
            autoscaling.min_replicas >= 2 && autoscaling.max_replicas > autoscaling.min_replicas
        );
        project
            .set_part(frontend, Part::Autoscaling, false)
            .unwrap();
        assert_eq!(
            project.services[frontend].replicas,
            autoscaling.min_replicas
        );

        project.set_part(frontend, Part::Ingress, false).unwrap();
        assert!(project.services[frontend].ingress.is_none());
        project.set_part(frontend, Part::Ingress, true).unwrap();
        assert_eq!(
            project.services[frontend].ingress.as_ref().unwrap().path,
            "/"
        );
        assert_eq!(project.validate(), vec![]);
    }
}
