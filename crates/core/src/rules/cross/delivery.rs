//! Delivery paths: the sets of objects that reach a cluster together. A reference between
//! objects (a Secret a pod reads, the SecretStore an ExternalSecret names, the Service a
//! Rollout switches) only resolves if what it names arrives by the same path, or is there
//! before it. So the reference rules check each path's set, not the bundle as a whole: a
//! SecretStore in `k8s/staging/` does nothing for a chart that Argo CD syncs on its own.
//!
//! Paths the rule engine can read from files: what a `kustomization.yaml` applies
//! (`kubectl apply -k`), and what an Argo CD Application syncs from a folder of plain
//! manifests. A chart is rendered by Helm first, which `cargo xtask verify` does before it
//! checks the Helm and Argo CD paths with the same rules (see [`Unit::new`]).

use super::View;
use crate::rules::kubernetes::{is_object, kind, name};
use crate::rules::yaml::Node;

/// Objects that reach a cluster together, and how.
pub struct Unit<'a> {
    /// How they get there, for messages: `kubectl apply -k k8s/staging`.
    pub how: String,
    /// The namespace the path gives objects that name none (a kustomization's `namespace`,
    /// an Application's destination).
    pub namespace: Option<&'a str>,
    /// Each object with the file it comes from.
    pub objects: Vec<(&'a str, &'a Node)>,
}

/// Kinds without a namespace: found by name alone.
const CLUSTER_SCOPED: [&str; 6] = [
    "Namespace",
    "ClusterSecretStore",
    "ClusterRole",
    "ClusterRoleBinding",
    "IngressClass",
    "StorageClass",
];

impl<'a> Unit<'a> {
    /// A path over documents read elsewhere (a rendered chart, say): every Kubernetes object
    /// among them.
    pub fn new(
        how: String,
        namespace: Option<&'a str>,
        files: &[(&'a str, &'a [Node])],
    ) -> Unit<'a> {
        let mut objects = Vec::new();
        for (path, documents) in files {
            for document in documents.iter() {
                if is_object(document) {
                    objects.push((*path, document));
                }
            }
        }
        Unit {
            how,
            namespace,
            objects,
        }
    }

    /// The namespace `object` lands in on this path ("" for cluster-scoped kinds).
    pub fn namespace_of(&self, object: &'a Node) -> &'a str {
        if CLUSTER_SCOPED.contains(&kind(object)) {
            return "";
        }
        match object.at(&["metadata", "namespace"]).and_then(Node::as_str) {
            Some(namespace) => namespace,
            None => self.namespace.unwrap_or("default"),
        }
    }

    /// The file an object of this path comes from.
    pub fn file_of(&self, object: &Node) -> &'a str {
        for (file, candidate) in &self.objects {
            if std::ptr::eq(*candidate, object) {
                return file;
            }
        }
        ""
    }

    /// Objects of `kind` in `namespace` on this path (any namespace for cluster-scoped kinds).
    pub fn find(&self, wanted: &str, namespace: &str) -> Vec<&'a Node> {
        let mut found = Vec::new();
        for (_, object) in &self.objects {
            if kind(object) == wanted && self.namespace_of(object) == namespace {
                found.push(*object);
            }
        }
        found
    }

    /// Whether an object of `kind` named `wanted` arrives in `namespace` by this path. An
    /// ExternalSecret also makes the Secret it targets.
    pub fn has(&self, wanted_kind: &str, wanted: &str, namespace: &str) -> bool {
        let cluster_wide = CLUSTER_SCOPED.contains(&wanted_kind);
        for (_, object) in &self.objects {
            let found = match kind(object) {
                k if k == wanted_kind => name(object),
                "ExternalSecret" if wanted_kind == "Secret" => object
                    .at(&["spec", "target", "name"])
                    .and_then(Node::as_str)
                    .unwrap_or(name(object)),
                _ => continue,
            };
            if found == wanted && (cluster_wide || self.namespace_of(object) == namespace) {
                return true;
            }
        }
        false
    }
}

/// Files with their documents, as a path delivers them.
type Files<'a> = Vec<(&'a str, &'a [Node])>;

/// Every path the files show: each kustomization, and the Argo CD Applications that sync into
/// one namespace, together, when all of them are plain manifests (a chart needs Helm first).
pub fn units<'v, 'a>(view: &'v View<'a>) -> &'v [Unit<'a>] {
    view.units.get_or_init(|| find_units(view))
}

/// [`units`], found (once per view).
fn find_units<'a>(view: &View<'a>) -> Vec<Unit<'a>> {
    let mut units = Vec::new();
    // The Applications syncing into each namespace: their files, and whether all are readable.
    let mut argo: Vec<(Option<&'a str>, Files<'a>, bool)> = Vec::new();
    for (path, documents) in &view.yaml {
        for document in documents.iter() {
            match kind(document) {
                "Kustomization" => {
                    let folder = match path.rfind('/') {
                        Some(at) => &path[..at],
                        None => "",
                    };
                    let mut files = Vec::new();
                    resources(view, folder, document, &mut files, 0);
                    let how = format!(
                        "kubectl apply -k {}",
                        if folder.is_empty() { "." } else { folder }
                    );
                    let namespace = document.get("namespace").and_then(Node::as_str);
                    units.push(Unit::new(how, namespace, &files));
                }
                "Application" => {
                    let namespace = document
                        .at(&["spec", "destination", "namespace"])
                        .and_then(Node::as_str);
                    let group = match argo.iter().position(|(n, _, _)| *n == namespace) {
                        Some(at) => at,
                        None => {
                            argo.push((namespace, Vec::new(), true));
                            argo.len() - 1
                        }
                    };
                    let mut sources: Vec<&Node> =
                        document.at(&["spec", "source"]).into_iter().collect();
                    sources.extend(
                        document
                            .at(&["spec", "sources"])
                            .map_or(&[][..], Node::items),
                    );
                    for source in sources {
                        let Some(folder) = source.get("path").and_then(Node::as_str) else {
                            continue;
                        };
                        let folder = folder.trim_matches('/');
                        let chart = format!("{folder}/Chart.yaml");
                        let kustomization = format!("{folder}/kustomization.yaml");
                        let inner = view.yaml.iter().find(|(path, _)| *path == kustomization);
                        let inner =
                            inner.and_then(|(_, d)| d.iter().find(|d| kind(d) == "Kustomization"));
                        if view.paths.contains(&chart.as_str()) {
                            // A chart is Helm's to render: the engine cannot see this
                            // namespace whole (`cargo xtask verify` renders and checks it).
                            argo[group].2 = false;
                        } else if let Some(inner) = inner {
                            resources(view, folder, inner, &mut argo[group].1, 0);
                        } else {
                            in_folder(view, folder, &mut argo[group].1);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for (namespace, files, readable) in argo {
        if readable && !files.is_empty() {
            let how = format!(
                "the Argo CD Applications syncing into {}",
                namespace.unwrap_or("default")
            );
            units.push(Unit::new(how, namespace, &files));
        }
    }
    units
}

/// The files a kustomization in `folder` applies: its resources, and a folder's own
/// kustomization's in turn (a few levels deep, so a loop ends).
fn resources<'a>(
    view: &View<'a>,
    folder: &str,
    kustomization: &Node,
    files: &mut Vec<(&'a str, &'a [Node])>,
    depth: usize,
) {
    for resource in kustomization.get("resources").map_or(&[][..], Node::items) {
        let Some(resource) = resource.as_str() else {
            continue;
        };
        let target = join(folder, resource);
        let nested = format!("{target}/kustomization.yaml");
        let inner = view.yaml.iter().find(|(path, _)| *path == nested);
        match inner.and_then(|(_, d)| d.iter().find(|d| kind(d) == "Kustomization")) {
            Some(inner) if depth < 4 => resources(view, &target, inner, files, depth + 1),
            Some(_) => {}
            None => in_folder(view, &target, files),
        }
    }
}

/// The YAML files at `target`, or under it when it is a folder.
fn in_folder<'a>(view: &View<'a>, target: &str, files: &mut Vec<(&'a str, &'a [Node])>) {
    for (path, documents) in &view.yaml {
        let inside = path
            .strip_prefix(target)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if inside {
            files.push((path, documents));
        }
    }
}

/// The Secrets that `docs` (Markdown text) show how to create by hand, before the manifests
/// that read them: named on a `kubectl create secret` line, or defined in a manifest of
/// `yaml` that a `kubectl apply -f FILE` line applies. Secrets are often made outside the
/// manifests, so that their values stay out of the repository; that counts as delivered
/// only when the docs say how.
pub fn made_by_hand(docs: &[&str], yaml: &[(&str, &[Node])]) -> Vec<String> {
    let mut names = Vec::new();
    for line in docs.iter().flat_map(|d| d.lines()) {
        if let Some(rest) = line.split("create secret ").nth(1) {
            // `generic NAME`, `tls NAME`, `docker-registry NAME`
            names.extend(rest.split_whitespace().nth(1).map(str::to_owned));
        }
        if let Some(file) = line
            .split("apply -f ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
        {
            let file = file.trim_start_matches("./");
            let secrets = yaml
                .iter()
                .filter(|(path, _)| *path == file || path.ends_with(&format!("/{file}")))
                .flat_map(|(_, documents)| documents.iter())
                .filter(|d| kind(d) == "Secret")
                .map(|d| name(d).to_owned());
            names.extend(secrets);
        }
    }
    names
}

/// `resource` relative to `folder`, with `./` and `../` resolved.
fn join(folder: &str, resource: &str) -> String {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in resource.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Parsed;

    #[test]
    fn a_kustomization_s_resources_make_one_path_and_an_application_of_manifests_another() {
        let files = [
            (
                "k8s/a/kustomization.yaml",
                "kind: Kustomization\nnamespace: shop\nresources: [app.yaml, ../shared/store.yaml]\n",
            ),
            (
                "k8s/a/app.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n",
            ),
            (
                "k8s/a/other.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: left-out}\n",
            ),
            (
                "k8s/shared/store.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two, namespace: elsewhere}\n",
            ),
            (
                "argocd/app.yaml",
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: app}\nspec:\n  source: {path: k8s/shared}\n  destination: {namespace: shop}\n",
            ),
        ];
        let parsed: Vec<Parsed> = files.iter().map(|(p, t)| Parsed::new(p, t)).collect();
        let view = View::new(&parsed);
        let units = units(&view);
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].how, "kubectl apply -k k8s/a");
        let names: Vec<(&str, &str)> = units[0]
            .objects
            .iter()
            .map(|(_, o)| (name(o), units[0].namespace_of(o)))
            .collect();
        assert_eq!(names, [("one", "shop"), ("two", "elsewhere")]);
        assert_eq!(units[1].how, "the Argo CD Applications syncing into shop");
        assert_eq!(units[1].objects.len(), 1);
    }
}
