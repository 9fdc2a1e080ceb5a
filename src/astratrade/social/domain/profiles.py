"""A trader's public side: display name, bio, visibility, which automatic items they allow,
and where the profile stands with the moderators. The username is users' (its public
handle); a profile opens when the user signs up."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from astratrade.shared.errors import ValidationFailed
from astratrade.social.domain import events
from astratrade.social.domain.moderated import Moderated
from astratrade.social.domain.rules import Moderation, SocialRules, Visibility
from astratrade.social.domain.text import checked_text


@dataclass(frozen=True, slots=True)
class AutomaticItems:
    """The automatic items a trader allows in their name (each opt-out; all on by default)."""

    achievement: bool = True
    level: bool = True
    podium: bool = True
    leading: bool = True  # started leading copy trading

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def of(cls, values: dict[str, bool]) -> AutomaticItems:
        known = cls.__dataclass_fields__
        return cls(**{k: bool(v) for k, v in values.items() if k in known})


class Profile(Moderated):
    aggregate_type = "profile"

    def __init__(
        self,
        user_id: str,
        *,
        username: str,
        created_at: datetime,
        display_name: str = "",
        bio: str = "",
        visibility: Visibility = Visibility.PUBLIC,
        automatic: AutomaticItems = AutomaticItems(),
        moderation: Moderation = Moderation.VISIBLE,
        suspended: bool = False,
        version: int = 0,
    ) -> None:
        # Users' User aggregate has the user id: the audit log's key needs one of its own.
        super().__init__(f"social-profile-{user_id}", version)
        self.user_id = user_id
        self.username = username
        self.created_at = created_at
        self.display_name = display_name
        self.bio = bio
        self.visibility = visibility
        self.automatic = automatic
        self.moderation = moderation
        self.suspended = suspended

    @property
    def private(self) -> bool:
        return self.visibility is Visibility.PRIVATE

    def update(
        self,
        rules: SocialRules,
        *,
        display_name: str | None = None,
        bio: str | None = None,
        visibility: Visibility | None = None,
        automatic: dict[str, bool] | None = None,
    ) -> bool:
        """Change what is given (None: keep); True when anything changed (then recorded)."""
        name = self.display_name if display_name is None else display_name
        about = self.bio if bio is None else bio
        if display_name is not None:
            checked_text(
                "display_name", name, rules.display_name_max, multiline=False, required=False
            )
        if bio is not None:
            checked_text("bio", about, rules.bio_max, required=False)
        seen = visibility or self.visibility
        unknown = sorted(set(automatic or {}) - set(AutomaticItems.__dataclass_fields__))
        if unknown:
            raise ValidationFailed(
                f"automatic_items.{unknown[0]}", f"no automatic item {unknown[0]!r}"
            )
        allowed = replace(self.automatic, **(automatic or {}))
        if (name, about, seen, allowed) == (
            self.display_name,
            self.bio,
            self.visibility,
            self.automatic,
        ):
            return False
        self.display_name, self.bio, self.visibility, self.automatic = name, about, seen, allowed
        self.record(
            events.ProfileUpdated(
                user_id=self.user_id,
                display_name=name,
                bio=about,
                visibility=seen.value,
                automatic_items=allowed.as_dict(),
            )
        )
        return True

    def reported_as(self) -> tuple[str, str]:
        return self.user_id, self.user_id

    def suspend(self, suspended: bool) -> None:
        if suspended is self.suspended:
            return
        self.suspended = suspended
        self.record(events.ProfileSuspended(user_id=self.user_id, suspended=suspended))
