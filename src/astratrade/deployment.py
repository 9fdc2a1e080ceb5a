"""Where each context runs, read from the settings in this one place: embedded, one process
serves every context; as a service (`serve --service X`), it serves X and asks the other
services over their internal routes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from astratrade.config import CONTEXTS, REALTIME, Settings, context_of, items


class ServiceClient(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=ServiceClient)


@dataclass
class Deployment:
    settings: Settings
    # Clients of the services that run elsewhere, made here (closed when the platform stops).
    clients: list[ServiceClient] = field(default_factory=list)

    @property
    def service(self) -> str | None:
        """The one context this process serves as a service; None: embedded, every one."""
        return self.settings.service

    @property
    def process_name(self) -> str:
        """This process in traces: its service, or "embedded"."""
        return self.service or "embedded"

    @property
    def contexts(self) -> tuple[str, ...]:
        """The contexts served here: every one embedded, none in the realtime service."""
        if self.service is None:
            return CONTEXTS
        return () if self.service == REALTIME else (self.service,)

    def serves(self, context: str) -> bool:
        return context in self.contexts

    def client_of(self, context: str, client: Callable[[str, str, float], C]) -> C | None:
        """A client of `context`'s service when it runs elsewhere; None when it runs here."""
        if self.serves(context):
            return None
        made = client(*self.settings.service_call(context))
        self.clients.append(made)
        return made

    @property
    def migrates_on_start(self) -> bool:
        return self.service is None  # services wait for `astratrade migrate`

    @property
    def serves_sockets(self) -> bool:
        """The hub runs here: embedded; the realtime service; trading's replicas where the
        deployment has no realtime service."""
        if self.service is None or self.service == REALTIME:
            return True
        return self.service == "trading" and not self.settings.realtime_urls()

    @property
    def serves_web_client(self) -> bool:
        return self.service is None

    @property
    def serves_internal_routes(self) -> bool:
        """Routes other services call: only a service has callers."""
        return self.service is not None

    @property
    def runs_relay(self) -> bool:
        """With Redis: the outbox relay runs in this process (else in a worker of its own)."""
        return self.service is None and self.settings.event_workers == "in-process"

    def consumers_here(self, consumers: Iterable[str]) -> list[str]:
        """The consumer groups this process runs: a service, its own contexts'; embedded,
        every one but those run as workers of their own."""
        if self.service is not None:
            return [c for c in consumers if self.serves(context_of(c))]
        if self.settings.event_workers != "in-process":
            return []
        external = set(items(self.settings.external_consumers))
        return [c for c in consumers if c not in external]
