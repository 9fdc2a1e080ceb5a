"""The public URLs a badge names (in its metadata, credential and status), under the
platform's public address (settings.public_url)."""

from __future__ import annotations

from dataclasses import dataclass

API = "/api/v1"


@dataclass(frozen=True, slots=True)
class Links:
    base: str  # e.g. "https://astratrade.example", no trailing slash

    @classmethod
    def under(cls, public_url: str) -> Links:
        return cls(public_url.rstrip("/"))

    def metadata(self, token_id: int) -> str:
        return f"{self.base}{API}/badges/{token_id}"

    def image(self, token_id: int) -> str:
        return f"{self.base}{API}/badges/{token_id}/image.svg"

    def credential(self, token_id: int) -> str:
        return f"{self.base}{API}/badges/{token_id}/credential"

    def status_list(self, holder: str) -> str:
        return f"{self.base}{API}/badges/status/{holder}"

    def achievement(self, achievement: str) -> str:
        return f"{self.base}{API}/badges/achievements/{achievement}"

    def achievement_image(self, achievement: str) -> str:
        return f"{self.base}{API}/badges/achievements/{achievement}/image.svg"

    def issuer(self) -> str:
        return f"{self.base}{API}/badges/issuer"

    def jwks(self) -> str:
        return f"{self.base}/.well-known/jwks.json"
