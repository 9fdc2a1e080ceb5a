"""Writes what is derived from the rules and the panels below, so it never drifts:
- grafana/astratrade-signals.json and grafana/astratrade-business.json: the dashboards;
- deploy/k8s/overlays/prometheus-operator/prometheusrule.yaml: rules/*.yml as the
  operator's PrometheusRule.

    .venv/bin/python deploy/monitoring/generate.py         # or: make monitoring

tests/unit/deploy/test_monitoring.py fails when a committed file differs from what this
writes, and checks every panel's query with promtool."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
RULE_FILES = [HERE / "rules" / "recording.yml", HERE / "rules" / "alerts.yml"]
GRAFANA = HERE / "grafana"
OPERATOR_OVERLAY = HERE.parent / "k8s" / "overlays" / "prometheus-operator"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


@dataclass(frozen=True)
class Panel:
    title: str
    expr: str
    legend: str
    unit: str = "short"
    threshold: float | None = None  # drawn red from here up: the alert's threshold
    description: str = ""


SIGNALS: dict[str, list[Panel]] = {
    "Availability and the API": [
        Panel(
            "Processes up, by service",
            "astratrade:up:ratio",
            "{{service}}",
            "percentunit",
            description="Share of each service's processes Prometheus can scrape.",
        ),
        Panel(
            "Requests per second, by route group",
            "astratrade:gateway_requests:rate1m",
            "{{context}}",
            "reqps",
        ),
        Panel(
            "Errors, by route group",
            "astratrade:gateway_errors:ratio_rate5m",
            "{{context}}",
            "percentunit",
            0.01,
            "5xx and the gateway's refusals over requests (5 min).",
        ),
        Panel(
            "p99 answer time, by route group",
            "astratrade:gateway_latency_seconds:p99_5m",
            "{{context}}",
            "s",
            0.2,
            "Measured at the gateway; 200 ms is the target.",
        ),
        Panel(
            "p50 answer time, by route group",
            "astratrade:gateway_latency_seconds:p50_5m",
            "{{context}}",
            "s",
        ),
    ],
    "Event backbone": [
        Panel(
            "Consumer lag",
            "astratrade:consumer_lag:max",
            "{{consumer}} on {{stream}}",
            threshold=1000,
        ),
        Panel(
            "Consumer pending (unacknowledged)",
            "astratrade:consumer_pending:max",
            "{{consumer}} on {{stream}}",
            threshold=100,
        ),
        Panel(
            "Dead letters (15 min)",
            "astratrade:events_dead_lettered:increase15m",
            "{{consumer}} on {{stream}}",
            threshold=1,
        ),
        Panel("Relay backlog (outbox)", "astratrade:outbox_backlog:max", "backlog", threshold=1000),
        Panel(
            "Events published per second",
            "sum by (stream) (rate(astratrade_events_published_total[1m]))",
            "{{stream}}",
            "ops",
        ),
        Panel(
            "Batch time p99",
            "histogram_quantile(0.99, sum by (stage, le) "
            "(rate(astratrade_event_batch_seconds_bucket[5m])))",
            "{{stage}}",
            "s",
        ),
    ],
    "Prices, ledger and sockets": [
        Panel(
            "Seconds since the last price, by market",
            "astratrade:price_age_seconds",
            "{{market}}",
            "s",
            60,
        ),
        Panel(
            "Reconciliation: disagreeing accounts",
            "max(astratrade_reconciliation_discrepancies)",
            "accounts",
            threshold=1,
        ),
        Panel(
            "Reconciliation: gap", "max(astratrade_reconciliation_gap_usd)", "gap", "currencyUSD"
        ),
        Panel(
            "WebSocket disconnects per minute",
            "astratrade:ws_disconnects:rate2m * 60",
            "disconnects",
        ),
        Panel(
            "Slow clients cut off per minute",
            "sum(rate(astratrade_ws_slow_disconnects_total[5m])) * 60",
            "cut off",
        ),
    ],
}

BUSINESS: dict[str, list[Panel]] = {
    "Trading": [
        Panel(
            "Orders placed per second",
            'sum(astratrade:events_committed:rate1m{type="OrderAccepted"})',
            "orders",
            "ops",
        ),
        Panel(
            "Fills per second",
            'sum(astratrade:events_committed:rate1m{type="OrderFilled"})',
            "fills",
            "ops",
        ),
        Panel(
            "Positions closed per second",
            'sum(astratrade:events_committed:rate1m{type="PositionClosed"})',
            "closes",
            "ops",
        ),
        Panel(
            "Liquidations per minute",
            'sum(astratrade:events_committed:rate1m{type="AccountLiquidated"}) * 60',
            "liquidations",
        ),
        Panel(
            "Open interest, by market", "max by (market) (astratrade_open_interest)", "{{market}}"
        ),
    ],
    "Traders": [
        Panel(
            "XP awards per minute",
            'sum(astratrade:events_committed:rate1m{type="XpAwarded"}) * 60',
            "XP awards",
        ),
        Panel(
            "Sign-ups per hour",
            'sum(astratrade:events_committed:rate1m{type="UserRegistered"}) * 3600',
            "sign-ups",
        ),
        Panel("Live sockets", "astratrade:ws_connections:sum", "sockets"),
        Panel("Active traders", "max by (window) (astratrade_active_traders)", "{{window}}"),
        Panel("Active copies", "max(astratrade_active_copies)", "copies"),
        Panel("Monthly recurring revenue", "max(astratrade_mrr_usd)", "MRR", "currencyUSD"),
    ],
}


def panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"color": "green", "value": None}]
    if panel.threshold is not None:
        steps.append({"color": "red", "value": panel.threshold})
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {
            "defaults": {
                "unit": panel.unit,
                "thresholds": {"mode": "absolute", "steps": steps},
                "custom": {"thresholdsStyle": {"mode": "line" if panel.threshold else "off"}},
            },
            "overrides": [],
        },
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
        "targets": [
            {
                "refId": "A",
                "datasource": DATASOURCE,
                "expr": panel.expr,
                "legendFormat": panel.legend,
            }
        ],
    }


def dashboard(uid: str, title: str, rows: dict[str, list[Panel]]) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    y = 0
    for row_title, row in rows.items():
        panels.append(
            {
                "id": len(panels) + 1,
                "type": "row",
                "title": row_title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        y += 1
        for index, panel in enumerate(row):
            x = 12 * (index % 2)
            panels.append(panel_json(panel, len(panels) + 1, x, y))
            if x:
                y += 8
        if len(row) % 2:
            y += 8
    return {
        "uid": uid,
        "title": title,
        "tags": ["astratrade"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-3h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                }
            ]
        },
        "annotations": {"list": []},
        "panels": panels,
    }


def dashboards() -> dict[str, dict[str, Any]]:
    """File name -> dashboard JSON."""
    return {
        "astratrade-signals.json": dashboard("astratrade-signals", "AstraTrade — signals", SIGNALS),
        "astratrade-business.json": dashboard(
            "astratrade-business", "AstraTrade — business", BUSINESS
        ),
    }


def panel_queries() -> list[str]:
    return [p.expr for rows in (SIGNALS, BUSINESS) for row in rows.values() for p in row]


def prometheus_rule() -> dict[str, Any]:
    groups = [g for path in RULE_FILES for g in yaml.safe_load(path.read_text())["groups"]]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "astratrade",
            "labels": {"app.kubernetes.io/name": "astratrade-rules"},
        },
        "spec": {"groups": groups},
    }


def rendered() -> dict[Path, str]:
    """Every generated file and its text."""
    files = {
        GRAFANA / name: json.dumps(found, indent=2, ensure_ascii=False) + "\n"
        for name, found in dashboards().items()
    }
    header = (
        "# Generated by deploy/monitoring/generate.py from deploy/monitoring/rules: do not edit.\n"
    )
    files[OPERATOR_OVERLAY / "prometheusrule.yaml"] = header + yaml.safe_dump(
        prometheus_rule(), sort_keys=False, width=100, allow_unicode=True
    )
    return files


if __name__ == "__main__":
    for path, text in rendered().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(path.relative_to(HERE.parent.parent))
