"""The users service's routes for the other services' session checks.

`GET /internal/v1/sessions/{user_id}`: a user's session epoch and suspension, for every
other service's check of an access token; `POST /internal/v1/sessions {user_ids}` answers
many users' at once (unknown ones left out), for the hub's check of its open sockets each
second."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, Field

from astratrade.infrastructure.web.internal import internal_router
from astratrade.shared.errors import NotFound
from astratrade.users.adapters.http_sessions import USERS_PER_CALL

router = internal_router()


class SessionOut(BaseModel):
    session_epoch: int
    suspended: bool


@router.get("/sessions/{user_id}", response_model=SessionOut)
async def session_state(user_id: str, request: Request) -> SessionOut:
    # The source itself, not the guard's moment-old copy: the caller keeps its own.
    state = await request.app.state.sessions.states.read(user_id)
    if state is None:
        raise NotFound("no such user")
    return SessionOut(session_epoch=state.epoch, suspended=state.suspended)


class SessionsIn(BaseModel):
    user_ids: list[str] = Field(max_length=USERS_PER_CALL)


class SessionsOut(BaseModel):
    sessions: dict[str, SessionOut]  # by user id; unknown users are left out


@router.post("/sessions", response_model=SessionsOut)
async def session_states(body: SessionsIn, request: Request) -> SessionsOut:
    states = await request.app.state.sessions.states.read_many(body.user_ids)
    return SessionsOut(
        sessions={
            user_id: SessionOut(session_epoch=state.epoch, suspended=state.suspended)
            for user_id, state in states.items()
        }
    )
