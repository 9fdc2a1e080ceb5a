"""deploy/monitoring holds up with Debian's promtool: the configs and rules load, every alert
fires on synthetic series that break it (tests/alerts.test.yml) and has such a test, every
dashboard query parses, and the generated files (dashboards, the PrometheusRule) are current.
The operator overlay renders with the rules as they are. Without promtool the tests skip,
except with CI=true, where that is a failure (.ci/run installs `prometheus`)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ON_CI = os.environ.get("CI") == "true"
ROOT = Path(__file__).resolve().parents[3]
MONITORING = ROOT / "deploy" / "monitoring"
OVERLAY = ROOT / "deploy" / "k8s" / "overlays" / "prometheus-operator"
UP_LOG = """\
          up | services at users=http://127.0.0.1:40001,trading=http://127.0.0.1:40002|http://127.0.0.1:40003
          up | metrics at relay=http://127.0.0.1:40100/metrics,users=http://127.0.0.1:40001/metrics,trading-1=http://127.0.0.1:40002/metrics,trading-2=http://127.0.0.1:40003/metrics,realtime-1=http://127.0.0.1:40004/metrics,gateway=http://127.0.0.1:8000/metrics
          up | gateway on http://127.0.0.1:8000 (Ctrl-C stops everything)
"""


def load(name: str) -> ModuleType:
    """A script of deploy/monitoring as a module (it is no package)."""
    spec = importlib.util.spec_from_file_location(f"monitoring_{name}", MONITORING / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def promtool(*args: str | Path, cwd: Path = MONITORING) -> subprocess.CompletedProcess[str]:
    found = shutil.which("promtool")
    if found is None:
        reason = "promtool is not on PATH (apt-get install prometheus)"
        if ON_CI:
            pytest.fail(f"required on CI: {reason}")
        pytest.skip(reason)
    return subprocess.run(  # noqa: S603 - our own fixed arguments
        [found, *map(str, args)], capture_output=True, text=True, timeout=60, cwd=cwd
    )


def rules(path: Path) -> list[dict[str, Any]]:
    return [r for g in yaml.safe_load(path.read_text())["groups"] for r in g["rules"]]


def test_the_compose_config_and_its_rules_load() -> None:
    checked = promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "rules/alerts.yml" in checked.stdout  # it loaded the rules, not only the config


def test_every_alert_fires_on_its_synthetic_series() -> None:
    tested = promtool("test", "rules", "tests/alerts.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_test_that_sees_it_fire() -> None:
    alerts = {r["alert"] for r in rules(MONITORING / "rules" / "alerts.yml")}
    cases = yaml.safe_load((MONITORING / "tests" / "alerts.test.yml").read_text())["tests"]
    fired = {
        check["alertname"]
        for case in cases
        for check in case.get("alert_rule_test", [])
        if check.get("exp_alerts")
    }
    assert alerts == fired


def test_every_dashboard_query_parses(tmp_path: Path) -> None:
    """promtool parses expressions only inside rules: each query becomes one."""
    queries = load("generate").panel_queries()
    wrapped = [{"record": f"panel:{n}", "expr": q} for n, q in enumerate(queries)]
    path = tmp_path / "panels.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": wrapped}]}))
    checked = promtool("check", "rules", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{len(queries)} rules found" in checked.stdout


def test_the_generated_files_are_current() -> None:
    """Run `make monitoring` after changing the rules or the panels."""
    for path, text in load("generate").rendered().items():
        assert path.read_text() == text, f"{path} is stale: run make monitoring"


def test_the_dashboards_read_only_what_is_recorded_or_exported() -> None:
    """Every recording rule a panel names exists (a typo would draw an empty panel)."""
    recorded = {r["record"] for r in rules(MONITORING / "rules" / "recording.yml")}
    for query in load("generate").panel_queries():
        for word in query.replace("(", " ").replace(")", " ").replace("{", " ").split():
            if word.startswith("astratrade:"):
                assert word in recorded, query


def test_a_config_for_up_distributed_comes_from_its_log(tmp_path: Path) -> None:
    local = load("local")
    (tmp_path / "up.log").write_text(UP_LOG)
    path = local.write(tmp_path / "up.log", tmp_path / "monitoring")
    checked = promtool("check", "config", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    static = yaml.safe_load(path.read_text())["scrape_configs"][0]["static_configs"]
    found = {s["labels"]["process"]: (s["targets"][0], s["labels"]["service"]) for s in static}
    assert found == {
        "relay": ("127.0.0.1:40100", "relay"),
        "users": ("127.0.0.1:40001", "users"),
        "trading-1": ("127.0.0.1:40002", "trading"),
        "trading-2": ("127.0.0.1:40003", "trading"),
        "realtime-1": ("127.0.0.1:40004", "realtime"),
        "gateway": ("127.0.0.1:8000", "gateway"),
    }


def test_a_log_without_the_metrics_line_is_refused() -> None:
    with pytest.raises(ValueError, match="metrics at"):
        load("local").targets_from_log("gateway | started (pid 1)\n")


def test_the_operator_overlay_scrapes_every_process_with_the_rules() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        if ON_CI:
            pytest.fail("required on CI: kubectl is not on PATH")
        pytest.skip("kubectl is not on PATH (it renders the kustomizations)")
    rendered = subprocess.run(  # noqa: S603 - our own fixed arguments
        [kubectl, "kustomize", str(OVERLAY)], capture_output=True, text=True, timeout=60
    )
    assert rendered.returncode == 0, rendered.stderr
    objects = [o for o in yaml.safe_load_all(rendered.stdout) if o]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for found in objects:
        by_kind.setdefault(found["kind"], []).append(found)
    (monitor,) = by_kind["PodMonitor"]
    (rule,) = by_kind["PrometheusRule"]
    assert monitor["metadata"]["namespace"] == rule["metadata"]["namespace"] == "astratrade"
    (wanted,) = monitor["spec"]["selector"]["matchExpressions"]
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    scraped = []
    for deployment in by_kind["Deployment"]:
        pod = deployment["spec"]["template"]
        labels = pod["metadata"]["labels"]
        assert labels[wanted["key"]] in wanted["values"], deployment["metadata"]["name"]
        ports = [p.get("name") for c in pod["spec"]["containers"] for p in c.get("ports", [])]
        assert endpoint["port"] in ports, deployment["metadata"]["name"]
        scraped.append(pod["metadata"]["labels"]["app.kubernetes.io/name"])
    assert {"gateway", "relay", "realtime", "trading", "users"} <= set(scraped)
    # The rules as Prometheus loads them from deploy/monitoring/rules.
    groups = [
        g
        for name in ("recording.yml", "alerts.yml")
        for g in yaml.safe_load((MONITORING / "rules" / name).read_text())["groups"]
    ]
    assert rule["spec"]["groups"] == groups


@pytest.mark.parametrize("name", ["astratrade-signals.json", "astratrade-business.json"])
def test_a_dashboard_imports_as_grafana_lays_it_out(name: str) -> None:
    """Unique ids, panels inside the 24-column grid and not overlapping, every query on the
    data source the importer picks."""
    dashboard = json.loads((MONITORING / "grafana" / name).read_text())
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        box = panel["gridPos"]
        assert box["x"] >= 0, panel["title"]
        assert box["x"] + box["w"] <= 24, panel["title"]
        mine = {
            (x, y)
            for x in range(box["x"], box["x"] + box["w"])
            for y in range(box["y"], box["y"] + box["h"])
        }
        assert not mine & cells, f"{panel['title']} overlaps another panel"
        cells |= mine
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}"
            assert target["expr"]
    assert sum(1 for p in panels if p["type"] == "timeseries") >= 10


def test_the_compose_config_scrapes_every_process_compose_runs() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
    with_metrics = {
        name: service["command"][service["command"].index("--health-port") + 1]
        for name, service in compose.items()
        if "--health-port" in service.get("command", [])
    }
    scrape = yaml.safe_load((MONITORING / "prometheus.yml").read_text())["scrape_configs"]
    (dns,) = scrape[0]["dns_sd_configs"]
    assert set(dns["names"]) == set(with_metrics)
    assert set(with_metrics.values()) == {str(dns["port"])}
