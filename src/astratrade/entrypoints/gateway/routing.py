"""Which service answers a path: the one whose router declares it (the routers are the
code every service runs, so the gateway's table cannot drift from the services)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.routing import APIRoute, APIWebSocketRoute

from astratrade.entrypoints.services import ROUTERS


@dataclass(frozen=True, slots=True)
class Route:
    context: str
    pattern: re.Pattern[str]
    methods: frozenset[str]  # empty for the WebSocket


def table() -> list[Route]:
    routes: list[Route] = []
    for context, routers in ROUTERS.items():
        for router in routers:
            for route in router.routes:
                if isinstance(route, APIRoute):
                    routes.append(Route(context, route.path_regex, frozenset(route.methods or ())))
                elif isinstance(route, APIWebSocketRoute):
                    routes.append(Route(context, route.path_regex, frozenset()))
    return routes


class Router:
    def __init__(self) -> None:
        self._routes = table()

    def context_for(self, path: str, method: str | None) -> str | None:
        """The context serving `method path` (None: a WebSocket), else None. A path some
        service declares for other methods still goes there, to answer 405 as it would."""
        by_path = None
        for route in self._routes:
            if not route.pattern.match(path):
                continue
            if method is None and not route.methods:
                return route.context
            if method is not None and method in route.methods:
                return route.context
            by_path = by_path or (route.context if method is not None and route.methods else None)
        return by_path
