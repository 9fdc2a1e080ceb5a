"""Logging for every command: text for people, JSON lines for log collectors
(`ASTRATRADE_LOG_FORMAT=json`), each record with the request id under way, so a request
can be followed from the gateway through the services and into its events."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from astratrade.config import Settings
from astratrade.shared.messages import correlation

TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(service)s"


class _Context(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation.get() or "-"
        record.service = self.service
        return True


def configure(settings: Settings, service: str) -> None:
    """Replace the root handlers; uvicorn is run with log_config=None and uses these."""
    handler = logging.StreamHandler(sys.stderr)
    formatter: logging.Formatter
    if settings.log_format == "json":
        formatter = JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
    else:
        formatter = logging.Formatter(TEXT)
    handler.setFormatter(formatter)
    handler.addFilter(_Context(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call is noise
