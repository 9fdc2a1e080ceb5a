"""docs/configuration.md lists every setting exactly as the settings class documents it."""

from __future__ import annotations

from pathlib import Path

from astratrade.config import Settings
from astratrade.configuration_doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_configuration_page_is_what_the_settings_generate() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "docs/configuration.md is stale: make docs"


def test_every_setting_says_what_it_does() -> None:
    undocumented = [name for name, f in Settings.model_fields.items() if not f.description]
    assert undocumented == []
