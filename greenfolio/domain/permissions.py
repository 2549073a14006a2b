"""Who may do what: roles, the scopes they are granted on, and the one rule that decides.

The API and the web pages both ask ``allowed`` with the same principal and target, so a
person can never do through one what the other refuses. A grant is a role on a scope:
everything, a thematic programme, a country or a single project. A record (a project,
a result) is described by a ``Target`` holding the facets scopes can match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from greenfolio.domain.errors import GreenfolioError, ValidationError


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class ScopeKind(StrEnum):
    ALL = "all"
    PROGRAMME = "programme"
    COUNTRY = "country"
    PROJECT = "project"


class Action(StrEnum):
    READ = "read"
    """See records, including results not yet verified."""
    EDIT = "edit"
    """Register projects, enter and revise results, run methods."""
    SUBMIT = "submit"
    """Send a result to review."""
    REVIEW = "review"
    """Return a result with a reason, or verify it."""
    REPORT = "report"
    """Build and download governing-body reports."""
    ADMIN = "admin"
    """Manage accounts and roles; read and verify the whole audit trail."""


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.EDITOR: frozenset({Action.READ, Action.EDIT, Action.SUBMIT}),
    Role.REVIEWER: frozenset({Action.READ, Action.REVIEW, Action.REPORT}),
    Role.ADMIN: frozenset(Action),
}
"""Editors and reviewers are kept apart: whoever enters a figure does not verify it."""


class PermissionDenied(GreenfolioError):
    """The principal may not do this to this record."""


class NotAuthenticated(GreenfolioError):
    """No valid session or token was given where one is needed."""


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    value: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is ScopeKind.ALL) != (self.value is None):
            raise ValidationError(
                f"scope {self.kind.value!r} {'takes no' if self.value else 'needs a'} value: "
                "write all, programme:CODE, country:ISO3 or project:KEY"
            )

    @classmethod
    def parse(cls, text: str) -> Scope:
        """Read ``all``, ``programme:pops``, ``country:BRA`` or ``project:KEY``."""
        kind, _, value = text.strip().partition(":")
        try:
            scope_kind = ScopeKind(kind)
        except ValueError:
            raise ValidationError(
                f"unknown scope {text!r}: write all, programme:CODE, country:ISO3 or project:KEY",
                message_id="scope_unknown",
                params={"key": text},
            ) from None
        if scope_kind is ScopeKind.COUNTRY:
            value = value.upper()
        return cls(scope_kind, value or None)

    def __str__(self) -> str:
        return self.kind.value if self.value is None else f"{self.kind.value}:{self.value}"

    def covers(self, target: Target) -> bool:
        if self.kind is ScopeKind.ALL:
            return True
        if self.kind is ScopeKind.PROGRAMME:
            return self.value in target.programmes
        if self.kind is ScopeKind.COUNTRY:
            return self.value in target.countries
        return target.project is not None and self.value == target.project


@dataclass(frozen=True)
class Target:
    """The facets of a record that scopes match; the empty target is the whole system."""

    project: str | None = None
    programmes: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


SYSTEM = Target()
"""Actions on no particular record (accounts, reports) need a grant on everything."""


@dataclass(frozen=True)
class Grant:
    role: Role
    scope: Scope

    def __str__(self) -> str:
        return f"{self.role.value}@{self.scope}"


@dataclass(frozen=True)
class Visibility:
    """Which projects a principal may read, as a filter the store can apply in SQL."""

    everything: bool
    projects: frozenset[str] = frozenset()
    programmes: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    verified_only: bool = False


@dataclass(frozen=True)
class Principal:
    """Someone acting: a signed-in user, a script with a token, or the anonymous public."""

    name: str
    grants: tuple[Grant, ...] = ()
    user_id: int | None = None
    public: bool = False
    via: str = "session"
    token_expires: datetime | None = None
    """When the API token this principal authenticated with expires (``via`` "token";
    None: it never does): a token never creates a token that outlives it."""
    token_id: int | None = None
    """The API token this principal authenticated with (``via`` "token"): the tokens it
    creates are revoked with it."""

    @property
    def actor(self) -> str:
        """How the audit trail names this principal."""
        return "public" if self.user_id is None else f"user:{self.name}"

    def may_edit_somewhere(self) -> bool:
        """Whether some grant lets this principal edit (on whatever scope): who may open
        a form that creates something, before a scope is known."""
        return any(Action.EDIT in ROLE_ACTIONS[g.role] for g in self.grants)

    def visibility(self) -> Visibility:
        readers = [g for g in self.grants if Action.READ in ROLE_ACTIONS[g.role]]
        if any(g.scope.kind is ScopeKind.ALL for g in readers):
            return Visibility(everything=True)
        if not readers and self.public:
            return Visibility(everything=True, verified_only=True)

        def values(kind: ScopeKind) -> frozenset[str]:
            return frozenset(str(g.scope.value) for g in readers if g.scope.kind is kind)

        return Visibility(
            everything=False,
            projects=values(ScopeKind.PROJECT),
            programmes=values(ScopeKind.PROGRAMME),
            countries=values(ScopeKind.COUNTRY),
        )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    by: tuple[Grant, ...] = field(default=())


def decide(principal: Principal, action: Action, target: Target) -> Decision:
    """Whether ``principal`` may do ``action`` on ``target``, and why."""
    granting = tuple(
        g for g in principal.grants if action in ROLE_ACTIONS[g.role] and g.scope.covers(target)
    )
    if granting:
        return Decision(True, "granted", granting)
    if action is Action.READ and principal.public and not principal.grants:
        return Decision(True, "public read-only mode")
    if target == SYSTEM:
        what = "the whole system"
    elif _named_to(principal, target):
        what = f"project {target.project or '(new)'}"
    else:
        what = "a project outside their roles"
    held = ", ".join(str(g) for g in principal.grants) or "no roles"
    return Decision(False, f"{principal.name} ({held}) may not {action.value} {what}")


def _named_to(principal: Principal, target: Target) -> bool:
    """Whether a refusal may name ``target``'s project to ``principal``: only to someone
    who may read it (the key of a project outside one's roles is not one's to learn)."""
    if target.project is None:
        return True
    return any(
        Action.READ in ROLE_ACTIONS[g.role] and g.scope.covers(target) for g in principal.grants
    )


def countries_only(principal: Principal, action: Action) -> frozenset[str] | None:
    """The countries ``principal`` may do ``action`` in when each grant allowing it is a
    country's; None when a grant reaches further (everything, a programme, a project):
    a form offers only these, the stored record still decides."""
    scopes = [g.scope for g in principal.grants if action in ROLE_ACTIONS[g.role]]
    if not scopes or any(s.kind is not ScopeKind.COUNTRY for s in scopes):
        return None
    return granted_countries(principal, action)


def granted_countries(principal: Principal, action: Action) -> frozenset[str]:
    """The countries whose own grants let ``principal`` do ``action`` (whatever else
    they may hold)."""
    return frozenset(
        str(g.scope.value)
        for g in principal.grants
        if action in ROLE_ACTIONS[g.role] and g.scope.kind is ScopeKind.COUNTRY
    )


def allowed(principal: Principal, action: Action, target: Target) -> bool:
    return decide(principal, action, target).allowed


def require(principal: Principal, action: Action, target: Target) -> None:
    """Raise ``PermissionDenied`` (or ``NotAuthenticated`` for the public) unless allowed."""
    decision = decide(principal, action, target)
    if decision.allowed:
        return
    if principal.user_id is None:
        raise NotAuthenticated(
            f"sign in to {action.value}: the public can only read", message_id="sign_in_needed"
        )
    raise denied(principal, action, target, decision.reason)


def denied(
    principal: Principal, action: Action, target: Target, reason: str = ""
) -> PermissionDenied:
    """The refusal of ``action`` on ``target``: English for the CLI and the API, and for
    the pages an id with the project and the principal's grants as data (pages name
    roles and scopes in words, never as ``editor@country:BRA``)."""
    roles = [
        {"role": g.role.value, "scope": g.scope.kind.value, "value": g.scope.value}
        for g in principal.grants
    ]
    params: dict[str, Any] = {"action": action.value, "roles": roles, "user": principal.name}
    if target == SYSTEM:
        message_id = "denied_system"
        params["needed"] = [r.value for r in Role if action in ROLE_ACTIONS[r]]
    else:
        named = target.project is not None and _named_to(principal, target)
        message_id = "denied_project" if named else "denied_new_project"
        if named:
            params["project"] = target.project
    text = reason or decide(principal, action, target).reason
    return PermissionDenied(text, message_id=message_id, params=params)


def actions_on(principal: Principal, target: Target) -> frozenset[Action]:
    """Every action allowed on ``target``, so pages show only the buttons that work."""
    return frozenset(a for a in Action if allowed(principal, a, target))
