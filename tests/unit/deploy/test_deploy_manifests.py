"""The deployment files keep the contract: the kustomizations render, every object is valid
against the Kubernetes schemas, the workloads have probes, resources and a non-root user,
run the `astratrade` commands the CLI serves, read the Secret without committing it, and
compose runs the same processes.

Rendering needs kubectl (its built-in kustomize); validation needs kubernetes-validate (a dev
dependency, with the schemas bundled: no network). Where either is missing the tests skip
with the reason, except with CI=true, where that is a failure."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ON_CI = os.environ.get("CI") == "true"
ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
KUSTOMIZATIONS = ["k8s/base", "k8s/overlays/local"]
# The oldest Kubernetes minor the manifests are meant for; kubernetes-validate checks against
# the newest schema it bundles that is not newer than this.
KUBERNETES_VERSION = "1.30.0"
NAMESPACE = "astratrade"
SECRET = "astratrade-secrets"
IMAGE_UID = 10001  # deploy/Dockerfile's USER

SERVICES = [
    "users",
    "trading",
    "financial",
    "gamification",
    "social",
    "copytrading",
    "badges",
    "analytics",
    "realtime",
]
ANY_INTERFACE = "0.0.0.0"  # noqa: S104 - what the containers listen on, not this test
HEALTH_PORT = 8001  # every process's /healthz and /metrics, never published
SERVE = ["--host", ANY_INTERFACE, "--port", "8000", "--health-port", str(HEALTH_PORT)]
COMMANDS: dict[str, list[str]] = {
    "gateway": ["serve", "--gateway", *SERVE],
    **{name: ["serve", "--service", name, *SERVE] for name in SERVICES},
    "relay": ["worker", "relay", "--host", ANY_INTERFACE, "--health-port", str(HEALTH_PORT)],
    "migrate": ["migrate"],
}
SETTINGS = {
    "ASTRATRADE_EMBEDDED": "false",
    "FORWARDED_ALLOW_IPS": "*",  # services trust the gateway's X-Forwarded-For
    "ASTRATRADE_LOG_FORMAT": "json",
    "ASTRATRADE_PRICE_FEED": "synthetic",
}
SECRET_SETTINGS = {"ASTRATRADE_JWT_SECRET", "ASTRATRADE_DATABASE_URL", "ASTRATRADE_REDIS_URL"}

Manifest = dict[str, Any]


def _unavailable(reason: str) -> None:
    if ON_CI:
        pytest.fail(f"required on CI: {reason}")
    pytest.skip(reason)


def _render(kustomization: str) -> list[Manifest]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        _unavailable("kubectl is not on PATH (it renders the kustomizations)")
    result = subprocess.run(  # noqa: S603 - our own fixed arguments
        [str(kubectl), "kustomize", str(DEPLOY / kustomization)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {kustomization}: {result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Manifest]]:
    return {path: _render(path) for path in KUSTOMIZATIONS}


@pytest.fixture(scope="module")
def local(rendered: dict[str, list[Manifest]]) -> list[Manifest]:
    return rendered["k8s/overlays/local"]


def _all(rendered: dict[str, list[Manifest]]) -> Iterator[tuple[str, Manifest]]:
    for path, manifests in rendered.items():
        for manifest in manifests:
            yield path, manifest


def _name(manifest: Manifest) -> str:
    return f"{manifest['kind']}/{manifest['metadata']['name']}"


def _of(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def _pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def _workloads(manifests: list[Manifest]) -> list[Manifest]:
    return [m for m in manifests if m["kind"] in ("Deployment", "Job")]


def _env_from(container: dict[str, Any], kind: str) -> list[str]:
    return [source[kind]["name"] for source in container.get("envFrom", []) if kind in source]


def _ours(container: dict[str, Any]) -> bool:
    return str(container["image"]).split(":")[0].rsplit("/", 1)[-1] == "astratrade"


def test_every_rendered_object_matches_the_kubernetes_schema(
    rendered: dict[str, list[Manifest]],
) -> None:
    try:  # imported here, so that a missing dev tool is reported as such
        import kubernetes_validate
        from kubernetes_validate.utils import SchemaNotFoundError
    except ImportError:
        _unavailable("kubernetes-validate is not installed (pip install -e '.[dev]')")
    problems = []
    for path, manifest in _all(rendered):
        try:
            # strict: an unknown field (a typo such as `readinesProbe`) is an error too.
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(part) for part in error.path)
            problems.append(f"{path} {_name(manifest)} at {where}: {error.message}")
        except SchemaNotFoundError as error:
            problems.append(f"{path} {_name(manifest)}: {error.message}")
    assert not problems, "\n".join(problems)


def test_everything_lives_in_the_astratrade_namespace(
    rendered: dict[str, list[Manifest]],
) -> None:
    for path, manifest in _all(rendered):
        if manifest["kind"] == "Namespace":
            assert manifest["metadata"]["name"] == NAMESPACE
        else:
            assert manifest["metadata"].get("namespace") == NAMESPACE, (path, _name(manifest))


def test_the_processes_run_the_commands_the_cli_serves(
    rendered: dict[str, list[Manifest]],
) -> None:
    for path, manifests in rendered.items():
        deployments = _of(manifests, "Deployment")
        jobs = _of(manifests, "Job")
        assert set(COMMANDS) - {"migrate"} <= set(deployments), path
        for name, expected in COMMANDS.items():
            workload = jobs["astratrade-migrate"] if name == "migrate" else deployments[name]
            (container,) = _pod_spec(workload)["containers"]
            assert _ours(container), (path, name, container["image"])
            assert "command" not in container, f"{name}: the image's ENTRYPOINT is astratrade"
            assert container["args"] == expected, (path, name)


def test_every_workload_has_probes_resources_and_runs_non_root(
    rendered: dict[str, list[Manifest]],
) -> None:
    for path, manifests in rendered.items():
        for workload in _workloads(manifests):
            where = f"{path} {_name(workload)}"
            pod = _pod_spec(workload)
            assert pod["securityContext"]["runAsNonRoot"] is True, where
            assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
            assert pod.get("automountServiceAccountToken") is False, where
            for container in pod["containers"]:
                resources = container["resources"]
                assert {"cpu", "memory"} <= set(resources["requests"]), where
                assert {"cpu", "memory"} <= set(resources["limits"]), where
                security = container["securityContext"]
                assert security["allowPrivilegeEscalation"] is False, where
                assert security["capabilities"]["drop"] == ["ALL"], where
                assert security["readOnlyRootFilesystem"] is True, where
                if _ours(container):
                    assert pod["securityContext"]["runAsUser"] == IMAGE_UID, where
                if workload["kind"] == "Deployment":
                    assert "livenessProbe" in container, where
                    assert "readinessProbe" in container, where


def test_our_services_probe_healthz_and_readyz(rendered: dict[str, list[Manifest]]) -> None:
    for path, manifests in rendered.items():
        for name, deployment in _of(manifests, "Deployment").items():
            (container,) = _pod_spec(deployment)["containers"]
            if not _ours(container):
                continue
            # The relay's health port serves /healthz and /metrics only.
            ready = "/healthz" if name == "relay" else "/readyz"
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", (path, name)
            assert container["readinessProbe"]["httpGet"]["path"] == ready, (path, name)
            ports = {port["name"] for port in container["ports"]}
            assert container["readinessProbe"]["httpGet"]["port"] in ports, (path, name)


def test_metrics_are_scraped_from_the_health_port_and_never_from_the_api_port(
    rendered: dict[str, list[Manifest]],
) -> None:
    for path, manifests in rendered.items():
        services = _of(manifests, "Service")
        for name, deployment in _of(manifests, "Deployment").items():
            (container,) = _pod_spec(deployment)["containers"]
            if not _ours(container):
                continue
            where = (path, name)
            scrape = deployment["spec"]["template"]["metadata"]["annotations"]
            assert scrape["prometheus.io/port"] == str(HEALTH_PORT), where
            assert scrape["prometheus.io/path"] == "/metrics", where
            ports = {port["name"]: port["containerPort"] for port in container["ports"]}
            assert ports["health"] == HEALTH_PORT, where
            # The API's Service (the gateway's is the public one) never routes to it; the
            # relay's Service is its health port alone, for Prometheus.
            exposed = {port["targetPort"] for port in services[name]["spec"]["ports"]}
            assert exposed in ({"http"}, {"health"}), where


def test_the_secret_is_referenced_but_never_defined(
    rendered: dict[str, list[Manifest]],
) -> None:
    for path, manifests in rendered.items():
        assert not [m for m in manifests if m["kind"] == "Secret"], f"{path} defines a Secret"
        for workload in _workloads(manifests):
            for container in _pod_spec(workload)["containers"]:
                if _ours(container):
                    assert _env_from(container, "secretRef") == [SECRET], (path, _name(workload))
    committed = [p for p in DEPLOY.rglob("*") if p.is_file() and p.name == "secrets.env"]
    ignored = (DEPLOY / ".gitignore").read_text().split()
    assert "secrets.env" in ignored
    assert not committed or not _tracked(committed[0]), "deploy/secrets.env is committed"
    example = _env_file(DEPLOY / "secrets.example.env")
    assert set(example) >= SECRET_SETTINGS
    assert "CHANGE-ME" in example["ASTRATRADE_JWT_SECRET"]


def _tracked(path: Path) -> bool:
    git = shutil.which("git")
    if git is None:
        return False
    result = subprocess.run(  # noqa: S603 - our own fixed arguments
        [git, "ls-files", "--error-unmatch", str(path)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _env_file(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_the_configmap_holds_the_settings_and_no_secret(
    rendered: dict[str, list[Manifest]],
) -> None:
    for path, manifests in rendered.items():
        (config,) = [m for m in manifests if m["kind"] == "ConfigMap"]
        data = config["data"]
        assert {key: data.get(key) for key in SETTINGS} == SETTINGS, path
        assert not SECRET_SETTINGS & set(data), f"{path}: a secret in the ConfigMap"
        services = _of(manifests, "Service")
        for entry in data["ASTRATRADE_SERVICE_URLS"].split(","):
            context, url = entry.split("=", 1)
            parts = urlsplit(url)
            assert context in SERVICES, entry
            assert parts.hostname == context, entry
            ports = [port["port"] for port in services[context]["spec"]["ports"]]
            assert parts.port in ports, f"{entry}: Service {context} listens on {ports}"
        for workload in _workloads(manifests):
            for container in _pod_spec(workload)["containers"]:
                if _ours(container):
                    refs = _env_from(container, "configMapRef")
                    assert refs == [config["metadata"]["name"]], (path, _name(workload))


def test_services_select_their_deployments(rendered: dict[str, list[Manifest]]) -> None:
    for path, manifests in rendered.items():
        deployments = _of(manifests, "Deployment")
        for name, service in _of(manifests, "Service").items():
            (container,) = _pod_spec(deployments[name])["containers"]
            labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
            assert service["spec"]["selector"].items() <= labels.items(), (path, name)
            ports = {port["name"] for port in container["ports"]}
            for port in service["spec"]["ports"]:
                assert port["targetPort"] in ports, (path, name, port)


def test_scaled_services_have_autoscalers_and_budgets(
    rendered: dict[str, list[Manifest]],
) -> None:
    for path, manifests in rendered.items():
        autoscalers = _of(manifests, "HorizontalPodAutoscaler")
        scaled = {"gateway", "trading", "social", "realtime", "copytrading"}
        assert set(autoscalers) == scaled, path
        budgets = _of(manifests, "PodDisruptionBudget")
        assert scaled - {"gateway"} <= set(budgets) <= set(autoscalers), path
        for name, budget in budgets.items():
            assert budget["spec"]["minAvailable"] == 1, (path, name)
            assert budget["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
            assert autoscalers[name]["spec"]["minReplicas"] >= 2, (path, name)
        for name, hpa in autoscalers.items():
            assert hpa["apiVersion"] == "autoscaling/v2"
            assert hpa["spec"]["scaleTargetRef"] == {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": name,
            }
            # The autoscaler owns the count: a replicas field would be reset by every apply.
            assert "replicas" not in _of(manifests, "Deployment")[name]["spec"], (path, name)


def test_copy_trading_runs_several_replicas(rendered: dict[str, list[Manifest]]) -> None:
    """Copy trading's worker holds its group's lease (one at work, the others standing by)
    and its timed jobs claim their rows, so two replicas or more are safe: at least two,
    rolled one at a time, a drain leaving one."""
    for path, manifests in rendered.items():
        hpa = _of(manifests, "HorizontalPodAutoscaler")["copytrading"]["spec"]
        assert 2 <= hpa["minReplicas"] <= hpa["maxReplicas"], path
        strategy = _of(manifests, "Deployment")["copytrading"]["spec"]["strategy"]
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0, path
        budget = _of(manifests, "PodDisruptionBudget")["copytrading"]["spec"]
        assert budget["minAvailable"] == 1, path


def test_trading_scales_out_over_its_shards(rendered: dict[str, list[Manifest]]) -> None:
    """Each trading replica writes the shards it leases: more than one runs (a failover
    has somewhere to go), never more than there are shards (the extra would stand by),
    rolled one at a time, each telling the gateway where it is."""
    for path, manifests in rendered.items():
        (config,) = [m for m in manifests if m["kind"] == "ConfigMap"]
        shards = int(config["data"]["ASTRATRADE_TRADING_SHARDS"])
        hpa = _of(manifests, "HorizontalPodAutoscaler")["trading"]["spec"]
        assert 2 <= hpa["minReplicas"] <= hpa["maxReplicas"] <= shards, path
        trading = _of(manifests, "Deployment")["trading"]
        strategy = trading["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate", path
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0, path
        (container,) = _pod_spec(trading)["containers"]
        env = {e["name"]: e for e in container.get("env", [])}
        assert env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP", path
        assert env["ASTRATRADE_TRADING_ADVERTISE_URL"]["value"] == "http://$(POD_IP):8000"
        budget = _of(manifests, "PodDisruptionBudget")["trading"]["spec"]
        assert budget["minAvailable"] == 1, path


def test_the_migration_job_runs_once_per_apply(rendered: dict[str, list[Manifest]]) -> None:
    for manifests in rendered.values():
        job = _of(manifests, "Job")["astratrade-migrate"]
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        assert job["spec"]["backoffLimit"] <= 5


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return document


def test_compose_runs_the_same_processes(compose: dict[str, Any], local: list[Manifest]) -> None:
    services = compose["services"]
    kubernetes = set(_of(local, "Deployment")) | {"migrate"}
    assert set(services) == kubernetes
    for name, expected in COMMANDS.items():
        assert services[name]["command"] == expected, name
    assert services["gateway"]["ports"] == ["8000:8000"]
    for name, service in services.items():
        if name != "migrate":
            assert "healthcheck" in service, name


def test_compose_starts_services_after_migrations(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    for name in ["relay", *SERVICES]:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
    gateway = services["gateway"]["depends_on"]
    assert {name: gateway[name]["condition"] for name in SERVICES} == dict.fromkeys(
        SERVICES, "service_healthy"
    )


def test_compose_reads_the_same_settings_and_an_uncommitted_secret_file(
    compose: dict[str, Any],
) -> None:
    for name in COMMANDS:
        service = compose["services"][name]
        files = [entry["path"] for entry in service["env_file"]]
        assert files == ["k8s/base/settings.env", "secrets.env"], name
        assert not SECRET_SETTINGS & set(service.get("environment", {})), name
        assert service["user"] == f"{IMAGE_UID}:{IMAGE_UID}", name
        assert service["read_only"] is True, name
    assert (DEPLOY / "k8s/base/settings.env").is_file()


def test_the_dockerfile_builds_in_stages_and_runs_non_root() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", dockerfile, re.MULTILINE)
    assert len(stages) >= 2, "a build stage and a runtime stage"
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11[\w.-]*-slim", dockerfile, re.MULTILINE)
    runtime = dockerfile[dockerfile.rindex("\nFROM ") :]
    assert re.search(rf"^USER {IMAGE_UID}:{IMAGE_UID}$", runtime, re.MULTILINE)
    assert re.search(r'^ENTRYPOINT \["astratrade"\]$', runtime, re.MULTILINE)
    assert "[dev]" not in dockerfile, "no dev extras in the image"
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*") + 1 :][:2] == ["!pyproject.toml", "!src/"]
