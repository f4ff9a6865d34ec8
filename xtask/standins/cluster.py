"""Stand-in kubectl, helm, argocd, yq and sleep for `cargo xtask verify`'s deploy scenarios.

A deploy script from a generated workflow runs in bash against these commands, with a real git
and a local bare remote ($STANDIN_REMOTE). They keep a small model of a cluster in a file
($STANDIN_STATE, in marshal's format, which loads faster than JSON; locked for each call, so
two scripts may run at once) and log every call ($STANDIN_LOG). Time is simulated: `sleep`,
`kubectl wait`, `kubectl rollout status`, `helm --wait` and `argocd app wait` move the model's
clock, and the controllers act on it:

- Deployments replace their pods POD_START seconds after a template change, keeping the old
  ones until the new are ready (maxUnavailable 0); pods of an image listed in $STANDIN_FAILING
  (IMAGE=MODE lines) as "never-ready" never become ready, and the Deployment reports
  ProgressDeadlineExceeded after PROGRESS_DEADLINE seconds. Pods listed as "errors" are ready
  but answer with errors.
- Argo Rollouts Rollouts walk their canary steps: setWeight scales the canary and stable
  ReplicaSets as the controller does without traffic routing (replica counts approximate the
  weight), pause waits its duration or for `kubectl argo rollouts promote`, analysis fails for
  an image that answers with errors and aborts the rollout.
- Argo CD reads the Applications the bundle holds ($STANDIN_ARGOCD, a folder), polls the
  remote every ARGO_POLL seconds, renders the chart (or kustomization) at the commit the
  Application's targetRevision names, with its valueFiles, and applies it; selfHeal puts back
  what someone changed by hand, prune deletes what the render no longer has.
- Helm renders the chart's values (chart defaults, then -f files and --set) into the same model,
  keeps revisions for `helm rollback` and `helm history`, and with --atomic rolls back a release
  whose workloads do not become ready within --timeout.
- Istio VirtualServices and DestinationRules applied with kubectl route the mesh's traffic.

The chart model follows the generated chart: each entry of `workloads` is a Deployment named
after it, with the pod labels `app.kubernetes.io/name`, `app.kubernetes.io/instance` and its
`extraLabels`, running `image.repository@(image.digests[track] or image.digest)`, else
`image.repository:image.tag`; with `argoRollout.enabled` one Rollout instead, with the steps of
`argoRollout.steps`. The Service is named `name` and selects the two labels and
`service.extraSelector`.

After every change the traffic each Service gets is recorded: "endpoints" (what the Service's
ready pods get, which is also what an Ingress sends) and "mesh" (what the VirtualService for the
Service's host sends, when there is one), as shares per image.

A call the model does not know fails loudly (exit 3) rather than pretending to succeed, so a
script that needs more of the cluster than is modelled shows up as a failure to look at. The
harness itself calls `init`, `settle SECONDS` (which reports after) and `report`.
"""

import fcntl
import marshal
import math
import os
import sys

STATE = os.environ["STANDIN_STATE"]
LOG = os.environ["STANDIN_LOG"]

POD_START = 30
PROGRESS_DEADLINE = 600
ARGO_POLL = 180
ANALYSIS = 60
# The longest a wait without a timeout is followed before the model calls it endless.
FOREVER = 6 * 3600

KINDS = {
    "deployment": "deployment", "deployments": "deployment", "deploy": "deployment",
    "deployment.apps": "deployment", "deployments.apps": "deployment",
    "service": "service", "services": "service", "svc": "service",
    "rollout": "rollout", "rollouts": "rollout", "ro": "rollout",
    "rollout.argoproj.io": "rollout", "rollouts.argoproj.io": "rollout",
    "virtualservice": "virtualservice", "virtualservices": "virtualservice", "vs": "virtualservice",
    "destinationrule": "destinationrule", "destinationrules": "destinationrule",
    "dr": "destinationrule",
    "ingress": "ingress", "ingresses": "ingress", "ing": "ingress",
}
PLURAL = {
    "deployment": "deployments.apps", "service": "services", "rollout": "rollouts.argoproj.io",
    "virtualservice": "virtualservices.networking.istio.io",
    "destinationrule": "destinationrules.networking.istio.io",
    "ingress": "ingresses.networking.k8s.io",
}


class Exit(Exception):
    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def fail(message, code=1):
    raise Exit(message, code)


def unknown(tool, args):
    fail(f"stand-in {tool}: not modelled: {' '.join(args)}", 3)


def rx():
    import re  # only the calls that parse durations, jsonpath or yq paths pay for it

    return re


def jsonmod():
    import json

    return json


def clone(value):
    """A deep copy of JSON-like data."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def yaml():
    import yaml as module  # only the calls that read YAML pay for it

    return module


def load_yaml_all(text):
    y = yaml()
    loader = getattr(y, "CSafeLoader", y.SafeLoader)
    return [d for d in y.load_all(text, Loader=loader)]


def merge(into, other):
    for key, value in (other or {}).items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = clone(value)
    return into


def set_path(values, dotted, value):
    keys = dotted.split(".")
    node = values
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value


def duration(text, default):
    """Seconds in a Kubernetes or Go duration ("90s", "15m", "1h30m", "300")."""
    if text is None:
        return default
    text = str(text).strip()
    if rx().fullmatch(r"\d+", text):
        return int(text)
    total = 0.0
    parts = rx().findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        fail(f"error: invalid duration {text!r}")
    for amount, unit in parts:
        total += float(amount) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def failing(image):
    # "IMAGE=MODE" entries, one a line.
    for line in (os.environ.get("STANDIN_FAILING") or "").splitlines():
        name, _, mode = line.rpartition("=")
        if name == image:
            return mode
    return None


def ready_at(now, image):
    return None if failing(image) == "never-ready" else now + POD_START


def ready_count(rs, now):
    """Ready pods of a ReplicaSet: all once its latest pods are up, else those ready before."""
    if rs.get("readyAt") is not None and rs["readyAt"] <= now:
        return rs["replicas"]
    return min(rs.get("readyBefore", 0), rs["replicas"])


def is_ready(rs, now):
    return rs["replicas"] > 0 and ready_count(rs, now) == rs["replicas"]


def replica_set(image, replicas, now):
    return {"image": image, "replicas": replicas, "readyBefore": 0, "readyAt": ready_at(now, image)}


def scale(rs, replicas, now):
    """Scales a ReplicaSet: new pods start now; the pods already ready stay ready."""
    if replicas == rs["replicas"]:
        return
    ready = ready_count(rs, now)
    if replicas > rs["replicas"]:
        rs["readyBefore"] = ready
        rs["readyAt"] = ready_at(now, rs["image"])
    else:
        rs["readyBefore"] = min(ready, replicas)
    rs["replicas"] = replicas


# The cluster's state ---------------------------------------------------------------------------


class Cluster:
    def __init__(self, state):
        self.state = state
        self.state.setdefault("clock", 0)
        self.state.setdefault("objects", {})
        self.state.setdefault("releases", {})
        self.state.setdefault("traffic", {})
        self.state.setdefault("runs", {})
        self.state.setdefault("argocd", {"apps": {}})

    @property
    def now(self):
        return self.state["clock"]

    @property
    def objects(self):
        return self.state["objects"]

    # Objects as the model keeps them: "namespace/kind/name" -> fields.

    def apply(self, key, desired, owner):
        live = self.objects.get(key)
        kind = desired["kind"]
        now = self.now
        if live is None:
            live = clone(desired)
            live["owner"] = owner
            if kind == "deployment":
                live["rs"] = [replica_set(desired["image"], desired["replicas"], now)]
                live["history"] = [desired["image"]]
                live["changedAt"] = now
            elif kind == "rollout":
                live["rs"] = {"stable": replica_set(desired["image"], desired["replicas"], now)}
                live["index"] = 0
                live["indexAt"] = now
                live["changedAt"] = now
                live["aborted"] = False
                live["promoteFull"] = False
            self.objects[key] = live
            return
        live["owner"] = owner
        for field, value in desired.items():
            if field == "image":
                continue
            live[field] = clone(value)
        if kind in ("deployment", "rollout") and desired["image"] != live["image"]:
            self.set_image(key, desired["image"])

    def set_image(self, key, image):
        live = self.objects[key]
        now = self.now
        live["image"] = image
        live["changedAt"] = now
        if live["kind"] == "deployment":
            live["history"].append(image)
            if not any(rs["image"] == image for rs in live["rs"]):
                live["rs"].append(replica_set(image, live["replicas"], now))
        else:
            stable = live["rs"]["stable"]
            live["aborted"] = False
            live["promoteFull"] = False
            live["index"] = 0
            live["indexAt"] = now
            live.pop("message", None)
            if image == stable["image"]:
                live["rs"].pop("canary", None)
            else:
                live["rs"]["canary"] = replica_set(image, 0, now)

    def delete(self, key):
        self.objects.pop(key, None)

    # Controllers: what happens as time passes.

    def tick(self):
        """Lets every controller act at the current time; returns when the next change is due."""
        nexts = []
        for _ in range(100):
            changed = False
            nexts = []
            for key in sorted(self.objects):
                obj = self.objects.get(key)
                if obj is None:
                    continue
                if obj["kind"] == "deployment":
                    due = self.deployment_tick(obj)
                elif obj["kind"] == "rollout":
                    due, moved = self.rollout_tick(obj)
                    changed = changed or moved
                else:
                    due = None
                if due is not None:
                    nexts.append(due)
            if self.argocd_tick():
                changed = True
            if not changed:
                break
        nexts.append((math.floor(self.now / ARGO_POLL) + 1) * ARGO_POLL if self.apps() else None)
        self.record_traffic()
        later = [t for t in nexts if t is not None and t > self.now]
        return min(later) if later else None

    def deployment_tick(self, obj):
        now = self.now
        current = next(rs for rs in obj["rs"] if rs["image"] == obj["image"])
        scale(current, obj["replicas"], now)
        if is_ready(current, now) and len(obj["rs"]) > 1:
            obj["rs"] = [current]
        if len(obj["rs"]) == 1 and is_ready(current, now):
            obj["condition"] = "Complete"
            return None
        deadline = obj["changedAt"] + PROGRESS_DEADLINE
        if now >= deadline:
            obj["condition"] = "ProgressDeadlineExceeded"
        else:
            obj["condition"] = "Progressing"
        dues = [t for t in (current.get("readyAt"), deadline) if t is not None and t > now]
        return min(dues) if dues else None

    def rollout_tick(self, obj):
        """One Argo Rollouts controller pass: (when the next change is due, whether it moved)."""
        now = self.now
        rs = obj["rs"]
        stable = rs["stable"]
        canary = rs.get("canary")
        replicas = obj["replicas"]
        if canary is None:
            scale(stable, replicas, now)
            if is_ready(stable, now):
                obj["phase"] = "Healthy"
                return None, False
            obj["phase"] = "Progressing"
            return stable.get("readyAt"), False
        if obj["aborted"]:
            scale(canary, 0, now)
            scale(stable, replicas, now)
            obj["phase"] = "Degraded"
            return None, False
        steps = obj.get("steps") or []
        index = obj["index"]
        if obj.get("promoteFull"):
            index = len(steps)
        if index >= len(steps):
            # Every step done: the canary takes all replicas, then becomes the stable.
            scale(canary, replicas, now)
            if is_ready(canary, now):
                rs["stable"] = canary
                rs.pop("canary")
                obj["phase"] = "Healthy"
                obj.pop("message", None)
                return None, True
            return self.rollout_waiting(obj, canary)
        step = steps[index]
        if "setWeight" in step:
            wanted, keep = weighted_counts(replicas, int(step["setWeight"]))
            scale(canary, wanted, now)
            if is_ready(canary, now) or wanted == 0:
                scale(stable, keep, now)
                return self.next_step(obj)
            return self.rollout_waiting(obj, canary)
        if "pause" in step:
            pause = step["pause"] or {}
            if "duration" not in pause:
                obj["phase"] = "Paused"
                obj["message"] = "CanaryPauseStep"
                return None, False
            end = obj["indexAt"] + duration(pause["duration"], 0)
            if now >= end:
                return self.next_step(obj)
            obj["phase"] = "Paused"
            obj["message"] = "CanaryPauseStep"
            return end, False
        if "analysis" in step:
            if failing(canary["image"]) == "errors":
                obj["aborted"] = True
                obj["message"] = "RolloutAborted: Rollout aborted update to revision: analysis failed"
                obj["phase"] = "Degraded"
                scale(canary, 0, now)
                return None, True
            end = obj["indexAt"] + ANALYSIS
            if now >= end:
                return self.next_step(obj)
            obj["phase"] = "Progressing"
            return end, False
        obj["phase"] = "Degraded"
        obj["message"] = f"stand-in: step not modelled: {jsonmod().dumps(step)}"
        return None, False

    def next_step(self, obj):
        obj["index"] += 1
        obj["indexAt"] = self.now
        obj["phase"] = "Progressing"
        obj.pop("message", None)
        return self.now, True

    def rollout_waiting(self, obj, canary):
        deadline = obj["indexAt"] + PROGRESS_DEADLINE
        if self.now >= deadline:
            obj["phase"] = "Degraded"
            obj["message"] = "ProgressDeadlineExceeded"
            return None, False
        obj["phase"] = "Progressing"
        dues = [t for t in (canary.get("readyAt"), deadline) if t is not None and t > self.now]
        return (min(dues) if dues else None), False

    def advance(self, limit, done):
        """Runs the clock until done() or `limit` seconds have passed; returns done()."""
        end = self.now + limit
        start = self.now
        while True:
            due = self.tick()
            if done():
                break
            if due is None or due > end:
                self.state["clock"] = max(self.now, end) if math.isfinite(end) else self.now
                self.tick()
                break
            self.state["clock"] = due
        run = os.environ.get("STANDIN_RUN")
        if run:
            runs = self.state["runs"].setdefault(run, {"elapsed": 0})
            runs["elapsed"] += self.now - start
        return done()

    # Traffic: what each Service's clients get, per image.

    def backends(self, namespace, selector):
        found = []
        for key, obj in self.objects.items():
            ns, kind, _ = key.split("/", 2)
            if ns != namespace or kind not in ("deployment", "rollout"):
                continue
            labels = obj.get("labels") or {}
            if any(labels.get(k) != v for k, v in selector.items()):
                continue
            sets = obj["rs"] if kind == "deployment" else list(obj["rs"].values())
            for rs in sets:
                if ready_count(rs, self.now):
                    found.append((labels, rs["image"], ready_count(rs, self.now)))
        return found

    def traffic(self, namespace, name):
        service = self.objects.get(f"{namespace}/service/{name}")
        if service is None:
            return None
        backends = self.backends(namespace, service.get("selector") or {})
        endpoints = split(backends, 100)
        mesh = None
        hosts = {name, f"{name}.{namespace}", f"{name}.{namespace}.svc.cluster.local"}
        for key, vs in sorted(self.objects.items()):
            ns, kind, _ = key.split("/", 2)
            if ns != namespace or kind != "virtualservice" or not hosts & set(vs.get("hosts") or []):
                continue
            mesh = {}
            http = (vs.get("http") or [{}])[0]
            routes = http.get("route") or []
            for route in routes:
                destination = route.get("destination") or {}
                weight = route.get("weight", 100 if len(routes) == 1 else 0)
                if not weight:
                    continue
                if destination.get("host") not in hosts:
                    add(mesh, f"(another host: {destination.get('host')})", weight)
                    continue
                subset = destination.get("subset")
                if subset is None:
                    chosen = backends
                else:
                    labels = self.subset_labels(namespace, hosts, subset)
                    if labels is None:
                        add(mesh, f"(no subset {subset}: 503)", weight)
                        continue
                    chosen = [b for b in backends
                              if all(b[0].get(k) == v for k, v in labels.items())]
                for image, share in split(chosen, weight).items():
                    add(mesh, image, share)
            break
        ingress = any(o["kind"] == "ingress" and o.get("service") == name
                      for k, o in self.objects.items() if k.startswith(namespace + "/"))
        return {"endpoints": endpoints, "mesh": mesh, "ingress": ingress}

    def subset_labels(self, namespace, hosts, subset):
        for key, rule in self.objects.items():
            ns, kind, _ = key.split("/", 2)
            if ns == namespace and kind == "destinationrule" and rule.get("host") in hosts:
                for s in rule.get("subsets") or []:
                    if s.get("name") == subset:
                        return s.get("labels") or {}
        return None

    def record_traffic(self):
        for key, obj in list(self.objects.items()):
            if obj["kind"] != "service":
                continue
            namespace, _, name = key.split("/", 2)
            seen = self.traffic(namespace, name)
            history = self.state["traffic"].setdefault(f"{namespace}/{name}", [])
            if not history or {k: history[-1][k] for k in seen} != seen:
                history.append(dict(seen, t=self.now))

    # Argo CD: Applications read from the bundle, synced from the remote.

    def apps(self):
        return self.state["argocd"]["apps"]

    def load_apps(self):
        folder = os.environ.get("STANDIN_ARGOCD")
        if not folder or not os.path.isdir(folder):
            return
        for root, _, files in sorted(os.walk(folder)):
            for file in sorted(files):
                if not file.endswith((".yaml", ".yml")):
                    continue
                with open(os.path.join(root, file)) as f:
                    for doc in load_yaml_all(f.read()):
                        if isinstance(doc, dict) and doc.get("kind") == "Application":
                            name = doc["metadata"]["name"]
                            if name in self.apps():
                                fail(f"two Applications named {name}")
                            self.apps()[name] = {"spec": doc.get("spec") or {}, "synced": None,
                                                 "managed": {}, "error": None, "history": [],
                                                 "revision": None}

    def argocd_tick(self):
        """At each poll, every automated Application syncs a new commit or heals drift."""
        changed = False
        poll = math.floor(self.now / ARGO_POLL)
        argo = self.state["argocd"]
        due = argo.get("polled") is None or poll > argo["polled"]
        if due:
            argo["polled"] = poll
        for name, app in sorted(self.apps().items()):
            auto = (app["spec"].get("syncPolicy") or {}).get("automated")
            if due:
                app["revision"] = resolve(app["spec"]["source"].get("targetRevision") or "HEAD")
            if auto is None or not due:
                continue
            if app["revision"] != app["synced"]:
                self.sync(name, app)
                changed = True
            elif auto.get("selfHeal") and self.drift(app):
                self.apply_app(name, app, app["managed"])
                changed = True
        return changed

    def sync(self, name, app, revision=None):
        revision = revision or app["revision"] or resolve(
            app["spec"]["source"].get("targetRevision") or "HEAD")
        try:
            desired = render_source(app["spec"], name, revision)
        except Exit as e:
            app["error"] = f"ComparisonError: {e}"
            return False
        app["error"] = None
        prune = ((app["spec"].get("syncPolicy") or {}).get("automated") or {}).get("prune")
        for key in list(app["managed"]):
            if key not in desired and prune:
                self.delete(key)
        self.apply_app(name, app, desired)
        app["managed"] = desired
        app["synced"] = revision
        app["history"].append({"revision": revision, "at": self.now})
        return True

    def apply_app(self, name, app, desired):
        for key, obj in desired.items():
            self.apply(key, obj, f"argocd:{name}")

    def drift(self, app):
        for key, desired in app["managed"].items():
            live = self.objects.get(key)
            if live is None or any(live.get(k) != v for k, v in desired.items()):
                return True
        return False

    def app_health(self, app):
        worst = "Healthy"
        for key in app["managed"]:
            obj = self.objects.get(key)
            if obj is None:
                return "Missing"
            status = workload_status(obj, self.now)
            if status == "Degraded":
                return "Degraded"
            if status in ("Progressing", "Suspended") and worst == "Healthy":
                worst = status
        return worst

    def app_sync_status(self, app):
        if app["error"]:
            return "Unknown"
        if app["revision"] != app["synced"] or self.drift(app):
            return "OutOfSync"
        return "Synced"


def add(shares, key, amount):
    shares[key] = round(shares.get(key, 0) + amount, 1)


def split(backends, weight):
    """`weight` percent of requests spread over ready pods, per image."""
    total = sum(count for _, _, count in backends)
    if total == 0:
        return {"(no ready endpoints: 503)": weight} if weight else {}
    shares = {}
    for _, image, count in backends:
        add(shares, image, weight * count / total)
    return shares


def weighted_counts(replicas, weight):
    """Canary and stable pod counts for a weight without traffic routing, as Argo Rollouts
    approximates it: the split of `replicas` (or one more, for the surge) nearest the weight,
    with at least one pod on each side while the weight is between 0 and 100."""
    if weight <= 0:
        return 0, replicas
    if weight >= 100:
        return replicas, 0
    best = None
    for total in (replicas, replicas + 1):
        for canary in range(1, total):
            stable = total - canary
            if stable > replicas:
                continue
            error = abs(100 * canary / total - weight)
            if best is None or error < best[0] - 1e-9:
                best = (error, canary, stable)
    if best is None:
        return 1, replicas
    return best[1], best[2]


def workload_status(obj, now):
    if obj["kind"] == "deployment":
        return {"Complete": "Healthy", "ProgressDeadlineExceeded": "Degraded"}.get(
            obj.get("condition"), "Progressing")
    if obj["kind"] == "rollout":
        return {"Healthy": "Healthy", "Degraded": "Degraded", "Paused": "Suspended"}.get(
            obj.get("phase"), "Progressing")
    return "Healthy"


# The remote and what renders from it ---------------------------------------------------------


def resolve(revision):
    """The commit a branch, tag, HEAD or commit names on the remote, read from its refs."""
    remote = os.environ.get("STANDIN_REMOTE")
    if not remote:
        fail("stand-in: no STANDIN_REMOTE")
    if rx().fullmatch(r"[0-9a-f]{40}", revision):
        return revision
    if revision == "HEAD":
        with open(os.path.join(remote, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref: "):
            return head
        names = [head[len("ref: "):]]
    elif revision.startswith("refs/"):
        names = [revision]
    else:
        names = [f"refs/heads/{revision}", f"refs/tags/{revision}"]
    for name in names:
        path = os.path.join(remote, name)
        if os.path.isfile(path):
            with open(path) as f:
                return f.read().strip()
    packed = os.path.join(remote, "packed-refs")
    if os.path.isfile(packed):
        with open(packed) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1] in names:
                    return parts[0]
    return None


def show_many(revision, paths):
    """The text of each path at a commit of the remote (None where missing), in one git call."""
    import subprocess

    if revision is None:
        fail("unable to resolve the target revision")
    remote = os.environ.get("STANDIN_REMOTE")
    wanted = "".join(f"{revision}:{os.path.normpath(p)}\n" for p in paths)
    done = subprocess.run(["git", "--git-dir", remote, "cat-file", "--batch"], input=wanted.encode(),
                          capture_output=True)
    out, texts, at = done.stdout, [], 0
    for _ in paths:
        header_end = out.index(b"\n", at)
        header = out[at:header_end].decode()
        at = header_end + 1
        if header.endswith(" missing"):
            texts.append(None)
            continue
        size = int(header.split()[2])
        texts.append(out[at:at + size].decode())
        at += size + 1
    return texts


def show(revision, path):
    return show_many(revision, [path])[0]


def render_source(spec, app_name, revision):
    source = spec.get("source") or {}
    path = source.get("path") or "."
    namespace = (spec.get("destination") or {}).get("namespace") or "default"
    helm = source.get("helm") or {}
    files = ["Chart.yaml", "values.yaml"] + list(helm.get("valueFiles") or [])
    texts = show_many(revision, [f"{path}/{file}" for file in files])
    if texts[0] is not None:
        values = {}
        for file, text in zip(files[1:], texts[1:]):
            if text is None:
                if file == "values.yaml":
                    continue
                fail(f"Error: open {path}/{file}: no such file or directory")
            for doc in load_yaml_all(text):
                merge(values, doc or {})
        if helm.get("values"):
            for doc in load_yaml_all(helm["values"]):
                merge(values, doc or {})
        merge(values, helm.get("valuesObject") or {})
        for parameter in helm.get("parameters") or []:
            set_path(values, parameter["name"], parameter.get("value"))
        return chart_objects(values, helm.get("releaseName") or app_name, namespace)
    text = show(revision, f"{path}/kustomization.yaml")
    if text is not None:
        kustomization = (load_yaml_all(text) or [{}])[0] or {}
        docs = []
        for resource in kustomization.get("resources") or []:
            body = show(revision, f"{path}/{resource}")
            if body is None:
                fail(f"kustomize: accumulating resources: {resource} not found")
            docs.extend(d for d in load_yaml_all(body) if d)
        images = {i["name"]: i for i in kustomization.get("images") or []}
        return manifest_objects(docs, kustomization.get("namespace") or namespace, images)
    fail(f"{path}: neither a Helm chart nor a kustomization at {revision}")


def chart_objects(values, release, namespace):
    """What the generated chart makes of `values`, as model objects."""
    name = values.get("name") or release
    instance = values.get("instance") or release
    select = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance}
    image = values.get("image") or {}
    repository = image.get("repository", "")
    digests = image.get("digests") or {}

    def reference(track):
        digest = digests.get(track or "") or image.get("digest") or ""
        return f"{repository}@{digest}" if digest else f"{repository}:{image.get('tag', '')}"

    autoscaling = values.get("autoscaling") or {}
    floor = autoscaling.get("minReplicas") if autoscaling.get("enabled") else None
    workloads = values.get("workloads") or [{"name": name, "track": ""}]
    objects = {}
    rollout = values.get("argoRollout") or {}
    if rollout.get("enabled"):
        first = workloads[0]
        objects[f"{namespace}/rollout/{name}"] = {
            "kind": "rollout", "labels": dict(select),
            "replicas": int(first.get("replicas") or floor or 1),
            "image": reference(""), "steps": rollout.get("steps") or [],
        }
    else:
        for workload in workloads:
            labels = dict(select)
            labels.update(workload.get("extraLabels") or {})
            objects[f"{namespace}/deployment/{workload['name']}"] = {
                "kind": "deployment", "labels": labels,
                "replicas": int(workload.get("replicas") or floor or 1),
                "image": reference(workload.get("track")),
            }
    selector = dict(select)
    selector.update(((values.get("service") or {}).get("extraSelector")) or {})
    objects[f"{namespace}/service/{name}"] = {"kind": "service", "selector": selector}
    if (values.get("ingress") or {}).get("enabled"):
        objects[f"{namespace}/ingress/{name}"] = {"kind": "ingress", "service": name}
    return objects


def kustomize_folder(folder, depth):
    """The documents `kubectl apply -k FOLDER` applies from the work tree, following folder
    resources that are kustomizations themselves, and the kustomization's namespace."""
    path = os.path.join(folder, "kustomization.yaml")
    if not os.path.isfile(path) or depth > 4:
        fail(f"error: unable to find one of 'kustomization.yaml' in directory '{folder}'")
    with open(path) as f:
        kustomization = (load_yaml_all(f.read()) or [{}])[0] or {}
    docs = []
    for resource in kustomization.get("resources") or []:
        target = os.path.join(folder, resource)
        if os.path.isdir(target):
            docs.extend(kustomize_folder(target, depth + 1)[0])
        elif os.path.isfile(target):
            with open(target) as f:
                docs.extend(d for d in load_yaml_all(f.read()) if d)
        else:
            fail(f"error: accumulating resources: {resource} not found")
    return docs, kustomization.get("namespace")


def manifest_objects(docs, namespace, images=None):
    """Kubernetes manifests as model objects; kinds that do not move traffic are kept as names."""
    objects = {}
    for doc in docs:
        kind = doc.get("kind")
        meta = doc.get("metadata") or {}
        ns = meta.get("namespace") or namespace
        name = meta.get("name")
        spec = doc.get("spec") or {}
        if kind == "Deployment":
            template = spec.get("template") or {}
            container = ((template.get("spec") or {}).get("containers") or [{}])[0]
            reference = container.get("image", "")
            base = rx().split(r"[@:]", reference.rsplit("/", 1)[-1])[0]
            repository = reference[: len(reference) - len(reference.rsplit("/", 1)[-1])] + base
            override = (images or {}).get(repository)
            if override:
                repository = override.get("newName", repository)
                if override.get("digest"):
                    reference = f"{repository}@{override['digest']}"
                elif override.get("newTag"):
                    reference = f"{repository}:{override['newTag']}"
            objects[f"{ns}/deployment/{name}"] = {
                "kind": "deployment", "labels": (template.get("metadata") or {}).get("labels") or {},
                "replicas": int(spec.get("replicas") or 1), "image": reference,
            }
        elif kind == "Service":
            objects[f"{ns}/service/{name}"] = {"kind": "service", "selector": spec.get("selector") or {}}
        elif kind == "VirtualService":
            objects[f"{ns}/virtualservice/{name}"] = {
                "kind": "virtualservice", "hosts": spec.get("hosts") or [], "http": spec.get("http") or []}
        elif kind == "DestinationRule":
            objects[f"{ns}/destinationrule/{name}"] = {
                "kind": "destinationrule", "host": spec.get("host"), "subsets": spec.get("subsets") or []}
        elif kind == "Ingress":
            paths = [p for rule in spec.get("rules") or [] for p in (rule.get("http") or {}).get("paths") or []]
            service = ((paths[0].get("backend") or {}).get("service") or {}).get("name") if paths else None
            objects[f"{ns}/ingress/{name}"] = {"kind": "ingress", "service": service}
        elif kind in ("Rollout",):
            fail(f"stand-in: a raw {kind} manifest is not modelled", 3)
        elif kind:
            objects[f"{ns}/{kind.lower()}/{name}"] = {"kind": kind.lower()}
    return objects


# Kubernetes-shaped views, for jsonpath and -o json -----------------------------------------------


def view(key, obj, now):
    namespace, kind, name = key.split("/", 2)
    meta = {"name": name, "namespace": namespace, "labels": obj.get("labels") or {}}
    if kind == "deployment":
        current = next(rs for rs in obj["rs"] if rs["image"] == obj["image"])
        ready = sum(ready_count(rs, now) for rs in obj["rs"])
        updated_ready = current["replicas"] if is_ready(current, now) else 0
        return {
            "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": obj["replicas"], "selector": {"matchLabels": obj.get("labels")},
                     "template": {"metadata": {"labels": obj.get("labels")},
                                  "spec": {"containers": [{"name": name, "image": obj["image"]}]}}},
            "status": {"replicas": sum(rs["replicas"] for rs in obj["rs"]),
                       "updatedReplicas": current["replicas"], "readyReplicas": ready,
                       "availableReplicas": ready, "updatedReadyReplicas": updated_ready,
                       "conditions": [{"type": "Progressing", "reason": obj.get("condition")}]},
        }
    if kind == "rollout":
        canary = obj["rs"].get("canary")
        return {
            "kind": "Rollout", "metadata": meta,
            "spec": {"replicas": obj["replicas"],
                     "template": {"metadata": {"labels": obj.get("labels")},
                                  "spec": {"containers": [{"name": name, "image": obj["image"]}]}},
                     "strategy": {"canary": {"steps": obj.get("steps") or []}}},
            "status": {"phase": obj.get("phase", "Progressing"), "message": obj.get("message", ""),
                       "currentStepIndex": obj.get("index", 0), "abort": obj.get("aborted", False),
                       "stableImage": obj["rs"]["stable"]["image"],
                       "canaryImage": canary["image"] if canary else ""},
        }
    if kind == "service":
        return {"kind": "Service", "metadata": meta, "spec": {"selector": obj.get("selector") or {}}}
    if kind == "virtualservice":
        return {"kind": "VirtualService", "metadata": meta,
                "spec": {"hosts": obj.get("hosts"), "http": obj.get("http")}}
    if kind == "destinationrule":
        return {"kind": "DestinationRule", "metadata": meta,
                "spec": {"host": obj.get("host"), "subsets": obj.get("subsets")}}
    return {"kind": kind, "metadata": meta}


def jsonpath(document, expression):
    """The subset of kubectl's JSONPath the scripts use: {.a.b[0].c}, and literal text around."""
    def one(path):
        node = document
        for part in rx().findall(r"\.([^.\[\]]+)|\[(\d+)\]", path):
            field, index = part
            if node is None:
                return None
            if field:
                node = node.get(field) if isinstance(node, dict) else None
            else:
                node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        return node

    out = ""
    for literal, path in rx().findall(r"([^{]*)(?:\{([^}]*)\})?", expression):
        out += literal
        if path:
            if not rx().fullmatch(r"(\.[^.\[\]]+|\[\d+\])+", path):
                fail(f"stand-in kubectl: jsonpath not modelled: {{{path}}}", 3)
            value = one(path)
            if value is None:
                continue
            out += value if isinstance(value, str) else jsonmod().dumps(value, separators=(",", ":"))
    return out


def has_path(document, expression):
    path = expression.strip()[1:-1]
    node = document
    for part in rx().findall(r"\.([^.\[\]]+)|\[(\d+)\]", path):
        field, index = part
        if field:
            if not isinstance(node, dict) or field not in node:
                return False
            node = node[field]
        else:
            if not isinstance(node, list) or int(index) >= len(node):
                return False
            node = node[int(index)]
    return True


# The commands ------------------------------------------------------------------------------------


def options(args, takes_value, flags=()):
    """Splits args into positionals and options; `--x=v` and `--x v` both work."""
    positional, found = [], {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name in takes_value:
                if not eq:
                    if i + 1 >= len(args):
                        fail(f"error: flag needs an argument: {name}")
                    value = args[i + 1]
                    i += 1
                found.setdefault(takes_value[name], []).append(value)
            elif name in flags:
                found[flags[name]] = value if eq else "true"
            else:
                return positional, found, arg
        else:
            positional.append(arg)
        i += 1
    return positional, found, None


def credentials(tool):
    path = os.environ.get("KUBECONFIG") or os.path.join(os.environ.get("HOME", "/"), ".kube/config")
    if os.path.isfile(path) and os.path.getsize(path) > 0:
        return
    if tool == "helm":
        fail('Error: Kubernetes cluster unreachable: Get "http://localhost:8080/version": '
             "dial tcp 127.0.0.1:8080: connect: connection refused")
    fail("The connection to the server localhost:8080 was refused - did you specify the right host or port?")


def target(args, default_kind=None):
    if len(args) >= 1 and "/" in args[0]:
        kind, _, name = args[0].partition("/")
        rest = args[1:]
    elif len(args) >= 2:
        kind, name, rest = args[0], args[1], args[2:]
    elif default_kind and args:
        kind, name, rest = default_kind, args[0], args[1:]
    else:
        fail("error: you must specify the type of resource and its name")
    if kind.lower() not in KINDS:
        fail(f'error: the server doesn\'t have a resource type "{kind}"')
    return KINDS[kind.lower()], name, rest


def singular(kind):
    plural, _, group = PLURAL.get(kind, kind).partition(".")
    return plural[:-1] + ("." + group if group else "")


def not_found(kind, name):
    fail(f'Error from server (NotFound): {PLURAL.get(kind, kind)} "{name}" not found')


def kubectl(cluster, args):
    takes = {"-n": "namespace", "--namespace": "namespace", "-o": "output", "--output": "output",
             "--timeout": "timeout", "--for": "for", "-f": "file", "--filename": "file",
             "-k": "kustomize", "--kustomize": "kustomize",
             "--to-revision": "revision", "--kubeconfig": "kubeconfig", "--context": "context"}
    flags = {"--ignore-not-found": "ignore", "--watch": "watch", "-w": "watch", "--full": "full",
             "--server-side": "server-side", "--wait": "wait"}
    if "argo" in args:
        at = args.index("argo")
        if args[at + 1:at + 2] != ["rollouts"]:
            unknown("kubectl", args)
        return rollouts_plugin(cluster, args[:at] + args[at + 2:])
    positional, found, stray = options(args, takes, flags)
    if stray:
        unknown("kubectl", args)
    credentials("kubectl")
    namespace = (found.get("namespace") or ["default"])[-1]
    verb = positional[:1]
    if verb == ["get"]:
        kind, name, rest = target(positional[1:])
        if rest:
            unknown("kubectl", args)
        key = f"{namespace}/{kind}/{name}"
        obj = cluster.objects.get(key)
        if obj is None:
            if "ignore" in found:
                return
            not_found(kind, name)
        document = view(key, obj, cluster.now)
        output = (found.get("output") or [""])[-1]
        if output.startswith("jsonpath="):
            print(jsonpath(document, output[len("jsonpath="):]), end="")
        elif output == "json":
            print(jsonmod().dumps(document, indent=4))
        elif output == "name":
            print(f"{singular(kind)}/{name}")
        elif output == "":
            print(f"NAME\n{name}")
        else:
            unknown("kubectl", args)
        return
    if verb == ["wait"]:
        condition = (found.get("for") or [None])[-1]
        if condition is None:
            fail("error: --for must be specified")
        kind, name, rest = target(positional[1:])
        if rest:
            unknown("kubectl", args)
        key = f"{namespace}/{kind}/{name}"
        if key not in cluster.objects:
            not_found(kind, name)
        limit = duration((found.get("timeout") or ["30s"])[-1], 30)
        if condition.startswith("jsonpath="):
            expression, sep, wanted = condition[len("jsonpath="):].rpartition("}=")
            if sep:
                expression += "}"
                wanted = wanted.strip("'\"")

                def met():
                    obj = cluster.objects.get(key)
                    return obj is not None and jsonpath(view(key, obj, cluster.now), expression) == wanted
            else:
                expression = condition[len("jsonpath="):]

                def met():
                    obj = cluster.objects.get(key)
                    return obj is not None and has_path(view(key, obj, cluster.now), expression)
        elif condition.lower() in ("condition=available", "condition=available=true"):
            def met():
                obj = cluster.objects.get(key)
                return obj is not None and workload_status(obj, cluster.now) == "Healthy"
        else:
            unknown("kubectl", args)
        if not cluster.advance(limit, met):
            fail(f"error: timed out waiting for the condition on {PLURAL.get(kind, kind).split('.')[0]}/{name}")
        print(f"{singular(kind)}/{name} condition met")
        return
    if verb == ["rollout"] and positional[1:2] == ["status"]:
        kind, name, rest = target(positional[2:])
        key = f"{namespace}/{kind}/{name}"
        if kind != "deployment":
            fail(f"error: no status viewer has been implemented for {PLURAL.get(kind, kind)}")
        if key not in cluster.objects:
            not_found(kind, name)
        limit = duration((found.get("timeout") or ["0"])[-1], 0) or FOREVER

        def settled():
            obj = cluster.objects[key]
            return obj.get("condition") in ("Complete", "ProgressDeadlineExceeded")

        cluster.advance(limit, settled)
        obj = cluster.objects[key]
        if obj.get("condition") == "Complete":
            print(f'deployment "{name}" successfully rolled out')
            return
        if obj.get("condition") == "ProgressDeadlineExceeded":
            fail(f'error: deployment "{name}" exceeded its progress deadline')
        fail("error: timed out waiting for the condition")
    if verb == ["rollout"] and positional[1:2] == ["undo"]:
        kind, name, rest = target(positional[2:])
        key = f"{namespace}/{kind}/{name}"
        obj = cluster.objects.get(key)
        if kind != "deployment":
            unknown("kubectl", args)
        if obj is None:
            not_found(kind, name)
        earlier = [i for i in obj["history"][:-1] if i != obj["image"]]
        if found.get("revision"):
            index = int(found["revision"][-1]) - 1
            if not 0 <= index < len(obj["history"]):
                fail(f"error: unable to find specified revision {index + 1} in history")
            earlier = [obj["history"][index]]
        if not earlier:
            fail(f'error: no rollout history found for deployment "{name}"')
        cluster.set_image(key, earlier[-1])
        print(f"deployment.apps/{name} rolled back")
        return
    if verb == ["apply"] and found.get("kustomize"):
        if len(positional) != 1 or found.get("file"):
            unknown("kubectl", args)
        for folder in found["kustomize"]:
            docs, kustomized = kustomize_folder(folder, 0)
            for key, obj in manifest_objects(docs, kustomized or namespace).items():
                cluster.apply(key, obj, "kubectl")
                _, kind, name = key.split("/", 2)
                print(f"{singular(kind)}/{name} configured")
        return
    if verb == ["apply"]:
        files = found.get("file") or []
        if len(positional) != 1 or not files:
            unknown("kubectl", args)
        for path in files:
            if not os.path.isfile(path):
                fail(f'error: the path "{path}" does not exist')
            with open(path) as f:
                docs = [d for d in load_yaml_all(f.read()) if d]
            for key, obj in manifest_objects(docs, namespace).items():
                cluster.apply(key, obj, "kubectl")
                _, kind, name = key.split("/", 2)
                print(f"{singular(kind)}/{name} configured")
        return
    unknown("kubectl", args)


def rollouts_plugin(cluster, args):
    takes = {"-n": "namespace", "--namespace": "namespace", "--timeout": "timeout",
             "--kubeconfig": "kubeconfig"}
    flags = {"--full": "full", "--watch": "watch", "-w": "watch"}
    positional, found, stray = options(args, takes, flags)
    if stray:
        unknown("kubectl argo rollouts", args)
    credentials("kubectl")
    namespace = (found.get("namespace") or ["default"])[-1]
    if positional[:1] == ["get"] and positional[1:2] in (["rollout"], ["ro"]):
        positional = ["get"] + positional[2:]
    if len(positional) != 2:
        unknown("kubectl argo rollouts", args)
    verb, name = positional
    key = f"{namespace}/rollout/{name}"
    obj = cluster.objects.get(key)
    if obj is None:
        fail(f'Error: rollout.argoproj.io "{name}" not found')
    if verb == "promote":
        if found.get("full"):
            obj["promoteFull"] = True
        else:
            steps = obj.get("steps") or []
            if obj["index"] < len(steps) and "pause" in steps[obj["index"]]:
                obj["index"] += 1
                obj["indexAt"] = cluster.now
        cluster.tick()
        print(f"rollout '{name}' promoted")
        return
    if verb == "abort":
        if obj["rs"].get("canary"):
            obj["aborted"] = True
            obj["message"] = "RolloutAborted: Rollout aborted update to revision"
        cluster.tick()
        print(f"rollout '{name}' aborted")
        return
    if verb in ("status", "get"):
        if verb == "status":
            limit = duration((found.get("timeout") or ["0"])[-1], 0) or FOREVER
            cluster.advance(limit, lambda: obj.get("phase") in ("Healthy", "Degraded"))
        phase = obj.get("phase", "Progressing")
        print(phase + (f" - {obj['message']}" if obj.get("message") else ""))
        if verb == "status" and phase == "Degraded":
            fail(f"Error: The rollout is in a degraded state with message: {obj.get('message', '')}")
        if verb == "status" and phase != "Healthy":
            fail("Error: timed out waiting for the rollout")
        return
    unknown("kubectl argo rollouts", args)


def helm(cluster, args):
    takes = {"-n": "namespace", "--namespace": "namespace", "-f": "values", "--values": "values",
             "--set": "set", "--set-string": "set", "--timeout": "timeout", "--kubeconfig": "kubeconfig",
             "-o": "output", "--output": "output"}
    flags = {"--install": "install", "-i": "install", "--atomic": "atomic", "--wait": "wait",
             "--reuse-values": "reuse", "--reset-then-reuse-values": "reset-then-reuse",
             "--reset-values": "reset", "--create-namespace": "create", "--all": "all", "-a": "all",
             "--rollback-on-failure": "atomic"}
    positional, found, stray = options(args, takes, flags)
    if stray:
        unknown("helm", args)
    credentials("helm")
    namespace = (found.get("namespace") or ["default"])[-1]
    verb = positional[:1]
    releases = cluster.state["releases"]
    if verb == ["upgrade"] and len(positional) == 3:
        release, chart = positional[1], positional[2]
        key = f"{namespace}/{release}"
        record = releases.get(key)
        if record is None and "install" not in found:
            fail(f'Error: UPGRADE FAILED: "{release}" has no deployed releases')
        if not os.path.isdir(chart) or not os.path.isfile(os.path.join(chart, "Chart.yaml")):
            fail(f'Error: path "{chart}" not found')
        supplied = {}
        for path in found.get("values") or []:
            if not os.path.isfile(path):
                fail(f"Error: open {path}: no such file or directory")
            with open(path) as f:
                for doc in load_yaml_all(f.read()):
                    merge(supplied, doc or {})
        for assignment in found.get("set") or []:
            path, _, value = assignment.partition("=")
            set_path(supplied, path, value)
        previous = record["revisions"][-1]["values"] if record else {}
        given = bool(found.get("values") or found.get("set"))
        if "reuse" in found or "reset-then-reuse" in found or (not given and "reset" not in found):
            user = merge(clone(previous), supplied)
        else:
            user = supplied
        defaults = {}
        defaults_path = os.path.join(chart, "values.yaml")
        if os.path.isfile(defaults_path):
            with open(defaults_path) as f:
                for doc in load_yaml_all(f.read()):
                    merge(defaults, doc or {})
        computed = merge(defaults, user)
        action = "install" if record is None else "upgrade"
        release_apply(cluster, namespace, release, computed, user, found, action)
        return
    if verb == ["rollback"] and len(positional) in (2, 3):
        release = positional[1]
        key = f"{namespace}/{release}"
        record = releases.get(key)
        if record is None:
            fail("Error: release: not found")
        revisions = record["revisions"]
        number = int(positional[2]) if len(positional) == 3 else 0
        if number == 0:
            number = len(revisions) - 1
            if number < 1:
                fail("Error: release has no previous version to roll back to")
        if not 1 <= number <= len(revisions):
            fail(f"Error: release has no {number} version")
        chosen = revisions[number - 1]
        release_apply(cluster, namespace, release, chosen["computed"], chosen["values"], found,
                      "rollback", f"Rollback to {number}")
        print("Rollback was a success! Happy Helming!")
        return
    if verb == ["history"] and len(positional) == 2:
        record = releases.get(f"{namespace}/{positional[1]}")
        if record is None:
            fail("Error: release: not found")
        print("REVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION\tDESCRIPTION")
        for number, revision in enumerate(record["revisions"], 1):
            print(f"{number}\t{revision['at']}\t{revision['status']}\tchart\t\t{revision['description']}")
        return
    if verb == ["get"] and positional[1:2] == ["values"] and len(positional) == 3:
        record = releases.get(f"{namespace}/{positional[2]}")
        if record is None:
            fail("Error: release: not found")
        revision = record["revisions"][-1]
        shown = revision["computed"] if "all" in found else revision["values"]
        if (found.get("output") or [""])[-1] == "json":
            print(jsonmod().dumps(shown))
        else:
            print("USER-SUPPLIED VALUES:" if "all" not in found else "COMPUTED VALUES:")
            print(yaml().safe_dump(shown, sort_keys=False), end="")
        return
    unknown("helm", args)


def release_apply(cluster, namespace, release, computed, user, found, action, description=None):
    key = f"{namespace}/{release}"
    record = cluster.state["releases"].setdefault(key, {"revisions": []})
    revisions = record["revisions"]
    before = revisions[-1] if revisions else None
    desired = chart_objects(computed, release, namespace)
    owner = f"helm:{key}"
    for k, obj in list(cluster.objects.items()):
        if obj.get("owner") == owner and k not in desired:
            cluster.delete(k)
    for k, obj in desired.items():
        cluster.apply(k, obj, owner)
    for revision in revisions:
        if revision["status"] == "deployed":
            revision["status"] = "superseded"
    done = "Install complete" if action == "install" else "Upgrade complete"
    revisions.append({"values": user, "computed": computed, "status": "deployed", "at": cluster.now,
                      "description": description or done})
    cluster.tick()
    if "wait" not in found and "atomic" not in found:
        print(f'Release "{release}" has been upgraded. Happy Helming!')
        return
    limit = duration((found.get("timeout") or ["5m0s"])[-1], 300)
    workloads = [k for k in desired if desired[k]["kind"] in ("deployment", "rollout")]

    def ready():
        return all(workload_status(cluster.objects[k], cluster.now) == "Healthy" for k in workloads)

    if cluster.advance(limit, ready):
        print(f'Release "{release}" has been upgraded. Happy Helming!')
        return
    revisions[-1]["status"] = "failed"
    verb = {"install": "INSTALLATION", "upgrade": "UPGRADE", "rollback": "ROLLBACK"}[action]
    if "atomic" not in found or action == "rollback":
        fail(f"Error: {verb} FAILED: context deadline exceeded")
    if before is None:
        for k, obj in list(cluster.objects.items()):
            if obj.get("owner") == owner:
                cluster.delete(k)
        del cluster.state["releases"][key]
        cluster.tick()
        fail(f"Error: INSTALLATION FAILED: release {release} failed, and has been uninstalled "
             "due to atomic being set: context deadline exceeded")
    for k, obj in list(cluster.objects.items()):
        if obj.get("owner") == owner and k not in chart_objects(before["computed"], release, namespace):
            cluster.delete(k)
    for k, obj in chart_objects(before["computed"], release, namespace).items():
        cluster.apply(k, obj, owner)
    revisions.append(dict(before, status="deployed", at=cluster.now,
                          description=f"Rollback to {len(revisions) - 1}"))
    cluster.tick()
    fail(f"Error: UPGRADE FAILED: release {release} failed, and has been rolled back due to "
         "atomic being set: context deadline exceeded")


def argocd(cluster, args):
    takes = {"--server": "server", "--auth-token": "token", "--timeout": "timeout",
             "-o": "output", "--output": "output", "--revision": "revision", "--app-namespace": "appns"}
    flags = {"--grpc-web": "grpc", "--insecure": "insecure", "--plaintext": "plain", "--sync": "sync",
             "--health": "health", "--operation": "operation", "--refresh": "refresh",
             "--hard-refresh": "refresh", "--prune": "prune", "--async": "async",
             "--suspended": "suspended", "--degraded": "degraded"}
    positional, found, stray = options(args, takes, flags)
    if stray:
        unknown("argocd", args)
    if not ((found.get("server") or [os.environ.get("ARGOCD_SERVER")])[-1]):
        fail("level=fatal msg=\"Argo CD server address unspecified\"", 20)
    if not ((found.get("token") or [os.environ.get("ARGOCD_AUTH_TOKEN")])[-1]):
        fail("level=fatal msg=\"rpc error: code = Unauthenticated desc = no session information\"", 20)
    if positional[:1] != ["app"] or len(positional) < 3:
        unknown("argocd", args)
    verb, name = positional[1], positional[2].split("/")[-1]
    app = cluster.apps().get(name)
    if app is None:
        fail(f'level=fatal msg="rpc error: code = NotFound desc = applications.argoproj.io \\"{name}\\" not found"', 20)

    def refresh():
        app["revision"] = resolve(app["spec"]["source"].get("targetRevision") or "HEAD")

    if verb == "get":
        if "refresh" in found:
            refresh()
        print(jsonmod().dumps(app_view(cluster, name, app)) if (found.get("output") or [""])[-1] == "json"
              else f"Name: {name}\nSync Status: {cluster.app_sync_status(app)}\nHealth Status: {cluster.app_health(app)}")
        return
    if verb == "sync":
        automated = (app["spec"].get("syncPolicy") or {}).get("automated")
        if found.get("revision") and automated is not None:
            fail('level=fatal msg="rpc error: code = FailedPrecondition desc = Cannot sync to a '
                 'revision other than the target when auto-sync is enabled"', 20)
        refresh()
        if not cluster.sync(name, app, resolve(found["revision"][-1]) if found.get("revision") else None):
            fail(f"level=fatal msg=\"{app['error']}\"", 20)
        cluster.tick()
        print(f"Name: {name}\nOperation: Sync\nSync Revision: {app['synced']}\nPhase: Succeeded")
        return
    if verb == "wait":
        limit = float((found.get("timeout") or ["0"])[-1]) or FOREVER
        chosen = {"sync", "health", "operation", "suspended", "degraded"} & set(found)
        want_sync = "sync" in found or not chosen
        want_health = "health" in found or not chosen

        def done():
            ok = True
            if want_sync:
                ok = ok and cluster.app_sync_status(app) == "Synced"
            if want_health:
                ok = ok and cluster.app_health(app) == "Healthy"
            return ok

        if not cluster.advance(limit, done):
            fail(f"level=fatal msg=\"timed out ({int(limit)}s) waiting for app \\\"{name}\\\" match desired state\"", 20)
        print(f"Name: {name}\nSync Status: {cluster.app_sync_status(app)}\nHealth Status: {cluster.app_health(app)}")
        return
    if verb == "history":
        print("ID  DATE  REVISION")
        for number, entry in enumerate(app["history"]):
            print(f"{number}  {entry['at']}  {entry['revision']}")
        return
    if verb == "rollback":
        if (app["spec"].get("syncPolicy") or {}).get("automated") is not None:
            fail('level=fatal msg="rpc error: code = FailedPrecondition desc = rollback cannot be '
                 'initiated when auto-sync is enabled"', 20)
        history = app["history"]
        number = int(positional[3]) if len(positional) > 3 else len(history) - 2
        if not 0 <= number < len(history):
            fail(f"level=fatal msg=\"Application '{name}' does not have deployment id '{number}' in history\"", 20)
        cluster.sync(name, app, history[number]["revision"])
        cluster.tick()
        return
    unknown("argocd", args)


def app_view(cluster, name, app):
    spec = app["spec"]
    return {"metadata": {"name": name}, "spec": spec,
            "status": {"sync": {"status": cluster.app_sync_status(app), "revision": app["synced"]},
                       "health": {"status": cluster.app_health(app)}}}


def curl(cluster, args):
    """Argo CD's REST API, as a deploy job asks it: GET /api/v1/applications/NAME with a bearer
    token (`?refresh=normal` first re-reads the target revision). Nothing else is modelled."""
    positional, found, stray = options(args, {"-H": "header", "--header": "header"},
                                       {f: f for f in ("-s", "-S", "-f", "-sS", "-sSf", "-fsS", "-sf")})
    if stray or len(positional) != 1:
        unknown("curl", args)
    url = positional[0]
    match = rx().fullmatch(r"https://([^/]*)/api/v1/applications/([a-z0-9-]+)(\?refresh=normal)?", url)
    if not match:
        unknown("curl", args)
    if not match.group(1):
        fail("curl: (3) URL rejected: No host part in the URL", 3)
    token = next((h.split("Bearer ", 1)[1] for h in found.get("header", [])
                  if h.startswith("Authorization: Bearer ")), "")
    if not token:
        fail("curl: (22) The requested URL returned error: 401", 22)
    name = match.group(2)
    app = cluster.apps().get(name)
    if app is None:
        fail("curl: (22) The requested URL returned error: 404", 22)
    if match.group(3):
        app["revision"] = resolve(app["spec"]["source"].get("targetRevision") or "HEAD")
    print(jsonmod().dumps(app_view(cluster, name, app)))


def aws(cluster, args):
    """`aws eks update-kubeconfig --name CLUSTER --region REGION`: writes a kubeconfig to
    $KUBECONFIG, as the real CLI does, when the job has assumed a role (the stand-in runner
    always has: configure-aws-credentials is not run here)."""
    positional, found, stray = options(args, {"--name": "name", "--region": "region"})
    if stray or positional != ["eks", "update-kubeconfig"] or not found.get("name") or not found.get("region"):
        unknown("aws", args)
    if not found["name"][-1] or not found["region"][-1]:
        fail("aws: error: argument --name: expected one argument", 252)
    path = os.environ.get("KUBECONFIG") or os.path.join(os.environ.get("HOME", "/"), ".kube/config")
    with open(path, "w") as f:
        f.write(f"stand-in kubeconfig for {found['name'][-1]}\n")
    print(f"Added new context arn:aws:eks:{found['region'][-1]}:000000000000:cluster/{found['name'][-1]} to {path}")


def yq(cluster, args):
    if len(args) == 2:
        # Reading one value: `yq '.a.b // ""' FILE` prints it, or nothing when it is missing.
        match = rx().fullmatch(r"\s*((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*//\s*\"\"\s*", args[0])
        if not match:
            unknown("yq", args)
        if not os.path.isfile(args[1]):
            fail(f"Error: open {args[1]}: no such file or directory")
        with open(args[1]) as f:
            node = yaml().safe_load(f)
        for key in match.group(1)[1:].split("."):
            node = node.get(key) if isinstance(node, dict) else None
        print("" if node is None else node)
        return
    if len(args) != 3 or args[0] != "-i":
        unknown("yq", args)
    expression, path = args[1], args[2]
    match = rx().fullmatch(r"\s*((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*=\s*(.+?)\s*", expression)
    if not match:
        unknown("yq", args)
    target, source = match.group(1), match.group(2)
    env = rx().fullmatch(r"strenv\(([A-Za-z_][A-Za-z0-9_]*)\)", source)
    if env:
        if env.group(1) not in os.environ:
            fail(f"Error: strenv: {env.group(1)} is not set")
        value = os.environ[env.group(1)]
    elif rx().fullmatch(r'"[^"\\]*"', source):
        value = source[1:-1]
    else:
        unknown("yq", args)
    if not os.path.isfile(path):
        fail(f"Error: open {path}: no such file or directory")
    with open(path) as f:
        text = f.read()
    edited = yq_set(text, target[1:].split("."), value)
    with open(path, "w") as f:
        f.write(edited)


def yq_set(text, keys, value):
    """Sets a string at a path as yq does, leaving the rest of the text (comments, order, layout)
    as it was: the value's node is replaced in place, a missing key is added to its mapping."""
    y = yaml()
    documents = list(y.compose_all(text, Loader=getattr(y, "CSafeLoader", y.SafeLoader)))
    if not documents:
        fail("Error: the file holds no document")
    node = documents[0]
    for depth, key in enumerate(keys):
        if isinstance(node, y.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            nested = "".join(f"\n{'  ' * (node.start_mark.column // 2 + i + 1)}{k}:" for i, k in enumerate(keys[depth:-1]))
            indent = "  " * (node.start_mark.column // 2 + len(keys) - depth)
            insert = f"{nested}\n{indent}{keys[-1]}: {scalar(value)}"
            return text[:node.start_mark.index] + insert.lstrip(" ") + text[node.end_mark.index:]
        if not isinstance(node, y.MappingNode):
            fail(f"Error: cannot index {'.'.join(keys[:depth])}: it is not a map")
        child = next((v for k, v in node.value if k.value == key), None)
        if child is None:
            rest = keys[depth:]
            if node.flow_style:
                inner = scalar(value)
                for k in reversed(rest[1:]):
                    inner = f"{{{k}: {inner}}}"
                entry = f"{rest[0]}: {inner}"
                body = text[node.start_mark.index:node.end_mark.index]
                separator = "" if body.strip()[1:-1].strip() == "" else ", "
                close = node.end_mark.index - 1
                return text[:close].rstrip() + separator + entry + text[close:]
            column = node.value[0][0].start_mark.column
            # After the line where the mapping's last value ends.
            end = node.value[-1][1].end_mark.index
            line_end = end - 1 if end and text[end - 1] == "\n" else text.find("\n", end)
            if line_end < 0:
                line_end = len(text)
            lines = ""
            for i, k in enumerate(rest[:-1]):
                lines += f"\n{' ' * (column + 2 * i)}{k}:"
            lines += f"\n{' ' * (column + 2 * (len(rest) - 1))}{rest[-1]}: {scalar(value)}"
            return text[:line_end] + lines + text[line_end:]
        node = child
    if not isinstance(node, y.ScalarNode):
        fail(f"stand-in yq: replacing the collection {'.'.join(keys)} is not modelled", 3)
    quoted = node.style in ('"', "'")
    return text[:node.start_mark.index] + scalar(value, quoted) + text[node.end_mark.index:]


def scalar(value, quoted=False):
    """A string as yq writes it: plain when it reads back as the same string, else quoted."""
    if not quoted and value and rx().fullmatch(r"[A-Za-z0-9_./@:+-]+", value) and not value.endswith(":"):
        y = yaml()
        if y.safe_load(value) == value:
            return value
    return jsonmod().dumps(value)


def sleep(cluster, args):
    if len(args) != 1:
        unknown("sleep", args)
    seconds = duration(args[0], 0)
    cluster.advance(seconds, lambda: False)


def report(cluster):
    cluster.tick()
    services = {}
    for key, obj in cluster.objects.items():
        if obj["kind"] == "service":
            namespace, _, name = key.split("/", 2)
            services[f"{namespace}/{name}"] = dict(cluster.traffic(namespace, name), selector=obj.get("selector"))
    workloads = {}
    for key, obj in cluster.objects.items():
        if obj["kind"] in ("deployment", "rollout"):
            sets = obj["rs"] if obj["kind"] == "deployment" else list(obj["rs"].values())
            workloads[key] = {"image": obj["image"], "labels": obj.get("labels"),
                              "status": workload_status(obj, cluster.now), "steps": obj.get("steps"),
                              "ready": {rs["image"]: ready_count(rs, cluster.now) for rs in sets
                                        if ready_count(rs, cluster.now)},
                              "owner": obj.get("owner")}
    apps = {}
    for name, app in cluster.apps().items():
        tip = resolve(app["spec"]["source"].get("targetRevision") or "HEAD")
        desired, error = app["managed"], None
        if tip != app["synced"]:
            try:
                desired = render_source(app["spec"], name, tip)
            except Exit as e:
                desired, error = {}, str(e)
        apps[name] = {"namespace": (app["spec"].get("destination") or {}).get("namespace"),
                      "source": app["spec"].get("source"), "synced": app["synced"], "tip": tip,
                      "error": app["error"] or error,
                      "desired": {k: v.get("image") for k, v in desired.items() if "image" in v},
                      "managed": sorted(app["managed"]),
                      "sync": cluster.app_sync_status(app), "health": cluster.app_health(app)}
    print(jsonmod().dumps({"clock": cluster.now, "services": services, "workloads": workloads,
                      "traffic": cluster.state["traffic"], "runs": cluster.state["runs"],
                      "apps": apps}, indent=1, sort_keys=True))


def main():
    # The wrappers on PATH call `main()` with `TOOL ARGS...` (importing this file, so Python
    # keeps it compiled); the harness calls init, settle and report the same way.
    tool = sys.argv[1]
    args = sys.argv[2:]
    with open(LOG, "a") as f:
        f.write(" ".join([tool, *args]) + "\n")
    with open(STATE + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = {}
        if os.path.exists(STATE):
            with open(STATE, "rb") as f:
                state = marshal.load(f)
        cluster = Cluster(state)
        code = 0
        try:
            cluster.tick()
            if tool == "kubectl":
                kubectl(cluster, args)
            elif tool == "helm":
                helm(cluster, args)
            elif tool == "argocd":
                argocd(cluster, args)
            elif tool == "yq":
                yq(cluster, args)
            elif tool == "curl":
                curl(cluster, args)
            elif tool == "aws":
                aws(cluster, args)
            elif tool == "sleep":
                sleep(cluster, args)
            elif tool == "init":
                cluster.load_apps()
                cluster.tick()
            elif tool == "settle":
                cluster.advance(float(args[0]), lambda: False)
                report(cluster)
            elif tool == "report":
                report(cluster)
            else:
                unknown(tool, args)
        except Exit as e:
            sys.stderr.write(str(e) + "\n")
            code = e.code
        cluster.tick()
        with open(STATE + ".tmp", "wb") as f:
            marshal.dump(cluster.state, f)
        os.replace(STATE + ".tmp", STATE)
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
