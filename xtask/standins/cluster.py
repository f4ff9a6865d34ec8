"""Stand-in kubectl, helm, yq and sleep for `cargo xtask verify`'s deploy scenarios.

A deploy script from a generated workflow runs in bash against these commands, with a real git
and a local bare remote. They keep a small model of one namespace of a cluster in a JSON file
($STANDIN_STATE) and log every call ($STANDIN_LOG). The model follows the generated chart:
each entry of `workloads` in the values is a Deployment named after it, running
`image.repository@(image.digests[track] or image.digest)`, else `image.repository:image.tag`;
the Service is named after the release and selects `service.extraSelector`.

Helm installs from CI render that model straight away. Argo CD is modelled by the sync a
`kubectl wait` waits for: it renders the values file of the branch on the remote
($STANDIN_REMOTE), as Argo CD would after the push.

A call the model does not know fails loudly (exit 3) rather than pretending to succeed, so a
script that needs more of the cluster than is modelled shows up as a failure to look at.
"""

import json
import os
import subprocess
import sys

import yaml

STATE = os.environ["STANDIN_STATE"]
LOG = os.environ["STANDIN_LOG"]


def load():
    if os.path.exists(STATE):
        with open(STATE) as f:
            return json.load(f)
    return {"objects": {}, "releases": {}, "applied": []}


def save(state):
    with open(STATE, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)


def log(*words):
    with open(LOG, "a") as f:
        f.write(" ".join(words) + "\n")


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def unknown(tool, args):
    fail(f"stand-in {tool}: not modelled: {' '.join(args)}", 3)


def set_path(values, dotted, value):
    keys = dotted.split(".")
    node = values
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value


def render(state, release, values):
    """What the chart makes of `values`: its Deployments' images and its Service's selector."""
    image = values.get("image") or {}
    repository = image.get("repository", "")
    digests = image.get("digests") or {}
    for workload in values.get("workloads") or [{"name": release, "track": ""}]:
        digest = digests.get(workload.get("track") or "") or image.get("digest") or ""
        ref = f"{repository}@{digest}" if digest else f"{repository}:{image.get('tag', '')}"
        state["objects"][f"deployment/{workload['name']}"] = {"image": ref}
        state["objects"][f"rollout/{workload['name']}"] = {"image": ref}
    selector = dict(((values.get("service") or {}).get("extraSelector")) or {})
    state["objects"][f"service/{release}"] = {"selector": selector}


def helm(args):
    if args[:2] != ["upgrade", "--install"]:
        unknown("helm", args)
    release, chart = args[2], args[3]
    rest = args[4:]
    state = load()
    values = {}
    if "--reset-then-reuse-values" in rest and release in state["releases"]:
        values = json.loads(json.dumps(state["releases"][release]))
    i = 0
    while i < len(rest):
        flag = rest[i]
        if flag in ("-f", "--values"):
            with open(rest[i + 1]) as f:
                for document in yaml.safe_load_all(f):
                    merge(values, document or {})
            i += 2
        elif flag in ("--set-string", "--set"):
            key, _, value = rest[i + 1].partition("=")
            set_path(values, key, value)
            i += 2
        elif flag in ("--namespace", "--timeout"):
            i += 2
        elif flag in ("--atomic", "--wait", "--reset-then-reuse-values", "--create-namespace"):
            i += 1
        else:
            unknown("helm", args)
    if not os.path.isdir(chart):
        fail(f"Error: path \"{chart}\" not found")
    state["releases"][release] = values
    render(state, release, values)
    save(state)
    print(f"Release \"{release}\" has been upgraded. Happy Helming!")


def merge(into, other):
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def argo_sync(state):
    """Argo CD applies the values file of the branch as it is on the remote."""
    remote, branch, values_path = (
        os.environ.get("STANDIN_REMOTE"),
        os.environ.get("BRANCH"),
        os.environ.get("VALUES"),
    )
    if not (remote and branch and values_path):
        return
    chart_values = subprocess.run(
        ["git", "--git-dir", remote, "show", f"{branch}:{os.path.dirname(os.path.dirname(values_path))}/values.yaml"],
        capture_output=True, text=True,
    )
    env_values = subprocess.run(
        ["git", "--git-dir", remote, "show", f"{branch}:{values_path}"],
        capture_output=True, text=True,
    )
    if env_values.returncode != 0:
        return
    values = {}
    for text in (chart_values.stdout, env_values.stdout):
        for document in yaml.safe_load_all(text or ""):
            merge(values, document or {})
    render(state, os.environ.get("DEPLOYMENT", ""), values)


def jsonpath_of(obj, path):
    if path == "{.spec.template.spec.containers[0].image}":
        return obj.get("image")
    if path == "{.spec.selector.version}":
        return (obj.get("selector") or {}).get("version", "")
    if path == "{.status.phase}":
        return "Healthy" if obj.get("image") else "Progressing"
    return None


def kubectl(args):
    while args and args[0] in ("--namespace", "-n"):
        args = args[2:]
    state = load()
    if args[:1] == ["get"] and len(args) >= 3:
        kind, name = args[1], args[2]
        obj = state["objects"].get(f"{kind}/{name}")
        if obj is None and "--ignore-not-found" in args:
            return
        if obj is None:
            fail(f'Error from server (NotFound): {kind}s "{name}" not found')
        output = [a for a in args[3:] if a.startswith("jsonpath=")]
        if "-o" in args:
            output = [args[args.index("-o") + 1]]
        if output and output[0].startswith("jsonpath="):
            print(jsonpath_of(obj, output[0][len("jsonpath="):]) or "", end="")
            return
        unknown("kubectl", args)
    if args[:2] == ["rollout", "status"]:
        target = args[2]
        if target not in state["objects"]:
            fail(f'Error from server (NotFound): "{target}" not found')
        print(f'{target} successfully rolled out')
        return
    if args[:1] == ["wait"]:
        condition = next((a for a in args if a.startswith("--for=jsonpath=")), None)
        target = next((a for a in args[1:] if "/" in a and not a.startswith("--")), None)
        if condition is None or target is None:
            unknown("kubectl", args)
        argo_sync(state)
        save(state)
        path, _, wanted = condition[len("--for=jsonpath="):].partition("}=")
        path += "}"
        obj = state["objects"].get(target)
        if obj is None:
            fail(f'Error from server (NotFound): "{target}" not found')
        got = jsonpath_of(obj, path)
        if got != wanted:
            fail(f"error: timed out waiting for the condition on {target} ({path} is {got!r}, not {wanted!r})")
        print(f"{target} condition met")
        return
    if args[:2] == ["apply", "-f"]:
        path = args[2]
        if not os.path.isfile(path):
            fail(f'error: the path "{path}" does not exist')
        with open(path) as f:
            list(yaml.safe_load_all(f))
        state["applied"].append(path)
        save(state)
        print(f"applied {path}")
        return
    unknown("kubectl", args)


def yq(args):
    if len(args) != 3 or args[0] != "-i":
        unknown("yq", args)
    expression, path = args[1], args[2]
    target, _, value = expression.partition(" = ")
    if not target.startswith(".") or not value.startswith("strenv(") or not value.endswith(")"):
        unknown("yq", args)
    variable = value[len("strenv("):-1]
    if variable not in os.environ:
        fail(f"Error: strenv: {variable} is not set")
    with open(path) as f:
        documents = [d for d in yaml.safe_load_all(f)]
    if not documents or documents[0] is None:
        documents = [{}]
    set_path(documents[0], target[1:], os.environ[variable])
    with open(path, "w") as f:
        yaml.safe_dump_all(documents, f, sort_keys=False, explicit_start=True)


def main():
    # The wrappers on PATH call `cluster.py TOOL ARGS...`.
    tool = sys.argv[1]
    args = sys.argv[2:]
    log(tool, *args)
    if tool == "kubectl":
        kubectl(args)
    elif tool == "helm":
        helm(args)
    elif tool == "yq":
        yq(args)
    elif tool == "sleep":
        pass  # waits are not part of what is checked; the log shows them
    else:
        unknown(tool, args)


if __name__ == "__main__":
    main()
