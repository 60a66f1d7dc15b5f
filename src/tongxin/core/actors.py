"""The actor for work that no person starts: the demo loader, the scheduler, maintenance commands."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """Acts with full rights and is recorded in the audit chain as `system:<name>`."""

    name: str
    pk: None = None
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = True
    is_staff: bool = False

    def get_username(self) -> str:
        return f"system:{self.name}"

    def __str__(self) -> str:
        return self.get_username()
