"""deploy/: the Kubernetes manifests validate offline against one Kubernetes version's schemas, and every
port, path and health endpoint in them, in the Dockerfiles and in the Ingress is the one the launchers
(scripts/stack.py, scripts/cluster.py) and the apps actually use, read from there rather than restated."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from cluster import TEMPLATE, Cluster, Ports
from stack import ROOT, Stack, action_server, rasa_server, web_server

KUBERNETES_VERSION = "1.30.0"
K8S = ROOT / "deploy" / "k8s"
DOCKER = ROOT / "deploy" / "docker"
MANIFESTS = sorted(K8S.glob("*.yaml"))


def documents() -> list[dict]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def find(kind: str, name: str) -> dict:
    return next(d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name)


def container(component: str) -> dict:
    return find("Deployment", f"aftercare-{component}")["spec"]["template"]["spec"]["containers"][0]


def launcher_servers() -> dict[str, tuple[int, str]]:
    """(port, health path) of each component as `make run` starts it."""
    stack, log = Stack(), Path("/dev/null")
    servers = {
        "rasa": rasa_server(stack.rasa_port, stack.model, Path("endpoints.yml"), stack.credentials, {}, log),
        "actions": action_server(stack.action_port, {}, log),
        "web": web_server(stack.web_port, {}, log),
    }
    return {name: (urlsplit(s.health_url).port, urlsplit(s.health_url).path) for name, s in servers.items()}


def dockerfile_cmd(component: str) -> list[str]:
    """The command the image runs by default: ENTRYPOINT (if any) then CMD."""
    text = (DOCKER / f"{component}.Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    parts = [re.search(rf"^{word} (\[.*\])$", text, re.MULTILINE) for word in ("ENTRYPOINT", "CMD")]
    return [arg for part in parts if part for arg in yaml.safe_load(part.group(1))]


def pod_command(component: str) -> list[str]:
    """What the pod runs: the image's ENTRYPOINT with the Deployment's args, else the image's command."""
    args = container(component).get("args")
    if args is None:
        return dockerfile_cmd(component)
    text = (DOCKER / f"{component}.Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return yaml.safe_load(re.search(r"^ENTRYPOINT (\[.*\])$", text, re.MULTILINE).group(1)) + args


def test_there_are_manifests_for_every_component():
    kinds = {(d["kind"], d["metadata"]["name"]) for d in documents()}
    for component in ("rasa", "actions", "web"):
        assert ("Deployment", f"aftercare-{component}") in kinds and ("Service", f"aftercare-{component}") in kinds
    assert {k for k, _ in kinds} >= {"Ingress", "ConfigMap", "Secret"}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_validates_against_the_kubernetes_schema(path):
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if doc:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("component", ["rasa", "actions", "web"])
def test_ports_and_probes_are_the_launchers(component):
    port, health = launcher_servers()[component]
    spec = container(component)
    assert [p["containerPort"] for p in spec["ports"]] == [port]
    for probe in ("readinessProbe", "livenessProbe"):
        assert spec[probe]["httpGet"]["path"] == health
        assert spec[probe]["httpGet"]["port"] in (port, spec["ports"][0]["name"])
    service = find("Service", f"aftercare-{component}")["spec"]
    assert service["ports"][0]["port"] == port and service["ports"][0]["targetPort"] == spec["ports"][0]["name"]
    assert service["selector"] == find("Deployment", f"aftercare-{component}")["spec"]["selector"]["matchLabels"]
    # The image runs the same command on the same port.
    command = dockerfile_cmd(component)
    assert str(port) in command and f"EXPOSE {port}" in (DOCKER / f"{component}.Dockerfile").read_text()
    assert spec["resources"]["requests"]["memory"].endswith("Mi")


def test_web_app_serves_the_health_path_the_manifest_probes():
    from bot.config import Settings
    from web.app import create_app

    app = create_app(Settings.from_env())
    paths = {getattr(route, "path", None) for route in app.routes}
    assert launcher_servers()["web"][1] in paths and "/widget.js" in paths and "/" in paths


def comparable(command: list[str]) -> list[str]:
    """A command without what differs by design between a laptop and a pod: the executable's folder, the
    listening address (loopback / all interfaces), the local paths of model, endpoints and credentials, and
    the browser origins allowed (configuration: AFTERCARE_ALLOWED_ORIGINS, the public URL)."""
    if "--cors" in command:
        at = command.index("--cors") + 1
        rest = next((i for i in range(at, len(command)) if command[i].startswith("--")), len(command))
        command = [*command[:at], "<origins>", *command[rest:]]
    out, skip = [Path(command[0]).name], False
    for arg in command[1:]:
        if skip:
            out.append("<value>") if out[-1] not in ("--host", "--interface") else out.pop()
            skip = False
            continue
        out.append(arg)
        skip = arg in ("--host", "--interface", "--model", "--endpoints", "--credentials")
    return out


def test_images_run_the_launchers_commands():
    stack, log = Stack(), Path("/dev/null")
    launched = {
        "rasa": rasa_server(stack.rasa_port, stack.model, Path("endpoints.yml"), stack.credentials, {}, log),
        "actions": action_server(stack.action_port, {}, log),
        "web": web_server(stack.web_port, {}, log),
    }
    for component, server in launched.items():
        assert comparable(dockerfile_cmd(component)) == comparable(server.command), component
        assert comparable(pod_command(component)) == comparable(server.command), component
    # The origin the Rasa pods allow is the public address the settings give the web app.
    cors = pod_command("rasa")[pod_command("rasa").index("--cors") + 1]
    assert (
        cors == "$(AFTERCARE_PUBLIC_URL)" and "AFTERCARE_PUBLIC_URL" in find("ConfigMap", "aftercare-settings")["data"]
    )


def test_rasa_endpoints_mirror_the_cluster_and_reach_the_actions_service():
    endpoints = yaml.safe_load(find("ConfigMap", "aftercare-rasa-endpoints")["data"]["endpoints.yml"])
    local = Cluster(Ports.free(1, 1), workdir=Path("/tmp") / "aftercare-deploy-test")
    rendered = yaml.safe_load(local.write_endpoints().read_text(encoding="utf-8"))
    for store in ("tracker_store", "lock_store"):
        assert endpoints[store]["type"] == rendered[store]["type"]
        assert set(rendered[store]) <= set(endpoints[store])
    action = urlsplit(endpoints["action_endpoint"]["url"])
    committed = urlsplit(yaml.safe_load((ROOT / "endpoints.yml").read_text())["action_endpoint"]["url"])
    assert action.path == committed.path == urlsplit(rendered["action_endpoint"]["url"]).path
    service = find("Service", action.hostname)["spec"]["ports"][0]
    assert action.port == service["port"] == launcher_servers()["actions"][0]
    # Rasa reads the endpoints from the mounted ConfigMap at the path its image's command names.
    mount = container("rasa")["volumeMounts"][0]["mountPath"]
    assert f"{mount}/endpoints.yml" in dockerfile_cmd("rasa")


def test_every_variable_the_config_names_is_in_the_secret_template():
    secret = find("Secret", "aftercare-secrets")["stringData"]
    endpoints = find("ConfigMap", "aftercare-rasa-endpoints")["data"]["endpoints.yml"]
    assert set(re.findall(r"\$\{(\w+)\}", endpoints)) <= set(secret)
    assert "DATABASE_URL" in secret
    for key, value in secret.items():
        if "PASSWORD" in key or key == "DATABASE_URL":
            assert "REPLACE" in value, f"{key} must be a placeholder"
    assert "REPLACE" in find("Secret", "aftercare-desk-secret")["stringData"]["desk-secret"]
    assert all("REPLACE" in secret[key] for key in ("AFTERCARE_REST_TOKEN", "AFTERCARE_RELOAD_TOKEN"))


# The key files each server reads (bot/config.py): Rasa the sender and action keys (channels/bounded.py),
# the action servers the action key (actions/server.py), the web app the console's key (web/desk/runtime.py).
KEY_FILES = {
    "rasa": ("AFTERCARE_SENDER_SECRET_FILE", "AFTERCARE_ACTION_SECRET_FILE"),
    "actions": ("AFTERCARE_ACTION_SECRET_FILE",),
    "web": ("AFTERCARE_DESK_SECRET_FILE",),
}


@pytest.mark.parametrize("component", sorted(KEY_FILES))
def test_every_key_file_a_server_reads_is_mounted_from_one_shared_secret(component):
    """Replicas with keys of their own would refuse each other's sessions and Rasa's calls; a missing file
    stops a server at start (bot/secret_file.py), so each file must be in the pod."""
    settings = find("ConfigMap", "aftercare-settings")["data"]
    pod = find("Deployment", f"aftercare-{component}")["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["mountPath"]: m["name"] for m in container(component).get("volumeMounts", [])}
    for setting in KEY_FILES[component]:
        folder, file = settings[setting].rsplit("/", 1)
        assert folder in mounts, f"{component}: {setting} ({settings[setting]}) is not mounted"
        secret = volumes[mounts[folder]]["secret"]
        key = {i["path"]: i["key"] for i in secret.get("items", [])}.get(file, file)
        assert "REPLACE" in find("Secret", secret["secretName"])["stringData"][key]


def test_rasa_image_serves_the_production_channels():
    command = dockerfile_cmd("rasa")
    credentials = yaml.safe_load((ROOT / command[command.index("--credentials") + 1]).read_text(encoding="utf-8"))
    assert command[command.index("--credentials") + 1] == "credentials.production.yml"
    assert credentials["channels.bounded.RestInput"]["require_token"] is True


def test_settings_configmap_names_only_real_settings():
    from bot.config import describe

    known = {name for name, _, _ in describe()}
    assert set(find("ConfigMap", "aftercare-settings")["data"]) <= known


def nginx_locations() -> dict[str, str]:
    """Path of each nginx location on the public port -> the upstream it proxies to (rasa or web)."""
    public = TEMPLATE.read_text(encoding="utf-8").split("# Internal:")[0]
    found = {}
    for path, body in re.findall(r"location (?:= )?(\S+) \{(.*?)\}", public, re.DOTALL):
        upstream = re.search(r"proxy_pass http://(\w+);", body)
        if upstream:
            found[path] = upstream.group(1).removesuffix("_sticky")
    return found


def test_ingress_routes_the_paths_nginx_routes_in_make_cluster():
    routes = {}
    for ingress in (d for d in documents() if d["kind"] == "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                routes[path["path"]] = (path["backend"]["service"]["name"].removeprefix("aftercare-"), ingress)
    assert {p: backend for p, (backend, _) in routes.items()} == nginx_locations()
    socketio = routes["/socket.io/"][1]["metadata"]["annotations"]
    assert socketio["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(socketio["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    body = routes["/webhooks/"][1]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    from bot.config import Settings

    assert int(body.removesuffix("k")) * 1024 >= Settings().limits.max_request_bytes
    # A patient's message in flight on a replica that dies goes to another one, here and in make cluster.
    webhooks = routes["/webhooks/"][1]["metadata"]["annotations"]
    location = re.search(r"location /webhooks/ \{(.*?)\}", TEMPLATE.read_text(encoding="utf-8"), re.DOTALL).group(1)
    retried = re.search(r"proxy_next_upstream ([^;]+);", location).group(1)
    assert webhooks["nginx.ingress.kubernetes.io/proxy-next-upstream"] == retried and "non_idempotent" in retried
    for path, (_, ingress) in routes.items():  # no other POST (the console's forms) is ever sent twice
        if path != "/webhooks/":
            assert "non_idempotent" not in ingress["metadata"].get("annotations", {}).get(
                "nginx.ingress.kubernetes.io/proxy-next-upstream", ""
            )


def test_conversation_locks_outlive_a_dead_replica_as_long_as_in_make_cluster():
    from cluster import LOCK_LIFETIME_SECONDS

    env = {e["name"]: e.get("value") for e in container("rasa")["env"]}
    assert int(env["TICKET_LOCK_LIFETIME"]) == LOCK_LIFETIME_SECONDS
    from bot.config import Settings

    assert LOCK_LIFETIME_SECONDS > 1.5 * Settings().limits.action_timeout  # a whole turn fits in the lock


def test_images_use_the_python_each_environment_needs():
    rasa_python = "3.10"  # Rasa 3.6 needs Python < 3.11 (requirements/rasa.txt)
    assert rasa_python in (ROOT / "requirements" / "rasa.txt").read_text()
    assert (DOCKER / "rasa.Dockerfile").read_text().count(f"FROM python:{rasa_python}-slim") == 1
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11,<3.12"' in pyproject
    for component in ("actions", "web"):
        assert "FROM python:3.11-slim" in (DOCKER / f"{component}.Dockerfile").read_text()
    # Every file an image copies exists (the build context is the repository root).
    for dockerfile in DOCKER.glob("*.Dockerfile"):
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY ") and "--from" not in line:
                for source in shlex.split(line)[1:-1]:
                    assert (ROOT / source).exists(), f"{dockerfile.name}: {source}"
