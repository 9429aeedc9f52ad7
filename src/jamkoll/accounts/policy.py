"""The one permission policy (DESIGN §1). Web views, the API and the CLI all ask it.

`check(actor, action, obj)` answers with a `Verdict` that carries the reason for a refusal, in
the user's language, so a page can say *why* a button is missing. The predicates are `rules`
predicates, also registered as Django permissions (`user.has_perm("jamkoll.<action>", obj)`).

Every service that changes data takes a required `actor`: a user (checked here), or a
`SystemActor` — the operator at the command line, the seed loader — that the CLI and the loaders
pass explicitly. There is no "no actor" that skips the policy: `None` is an anonymous visitor and
is refused like one. A system actor may do what a rule allows anyone, except what only a person
may (`person_only`: certify, sign, submit a report — a system actor is no second pair of eyes).

A rule may add conditions to its role predicate, each with its own reason (four eyes: "you made
this version; another person must certify it").

Who reads what (DESIGN §1 "Reading"; issue 12). "SKR" is the coordinator, the certifier and the
signatory; "state" the ministry (Regeringskansliet) and the treasury (Kammarkollegiet); "RSS" a
county's RSS leader. The admin reads what SKR reads (the administration shows every row anyway).
An account without a role is the public: signed in, it sees what an anonymous visitor sees.

    object                                 public,   every   SKR,    state        RSS leader
                                           no role   role    admin
    -------------------------------------  --------  ------  ------  -----------  ---------------
    programmes, decisions, allocations,    yes       yes     yes     yes          yes
      submitted reports
    ledger totals per year, line, county   no (1)    yes     yes     yes          yes
      (balance page and API, RSS overview)
    a ledger entry: date, amount,          no        no      all     state tier   own county's
      reference, note, who recorded it                                             RSS-tier ones
    an obligation: what, owed by, owed     no (1)    yes     yes     yes          yes
      to, dates, status, met when
    its record: receipt reference,         no        no      all     state tier   own county's
      document, what closed it, names,                                             RSS-tier ones
      its change history
    history of a programme or decision     no        yes     yes     yes          yes
    report drafts ("report.view_draft")    no        no      SKR     no           own county's

(1) DESIGN §1 gives the public the money per kind and county and which obligations were met and
when: "ledger.view_public" and "obligation.view_public" (sums and dates only, `jamkoll.web.public`).

The rules: "ledger.view" (totals), "ledger.view_entry" and "obligation.view_record"
(`may_view_record`, and `record_visibility_q` for lists), "obligation.view", "history.view".
A refused single object answers 403 with the reason, as a draft does; a list leaves it out.
Whoever owes or receives an obligation sees its record (tests/accounts/test_read_scope.py).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .audit import record_refusal
from .models import Role


@dataclass(frozen=True)
class SystemActor:
    """Who acts when no signed-in user does. Trusted: whoever runs `jamkoll` on the server can
    write to its database anyway; what the system records is *who* it was."""

    name: str
    is_authenticated = False  # never a session user: roles, feeds and "my" lists do not apply

    def __str__(self) -> str:
        return self.name


def operator(login: str | None = None) -> SystemActor:
    """The person at the command line, recorded as "kommandoraden (<login>)"."""
    try:
        who = login or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container), no login name
        who = "okänd"
    return SystemActor(f"kommandoraden ({who})")


SEED_LOADER = SystemActor("inläsning av underlagen")
WORKER = SystemActor("bakgrundsjobb")


def actor_user(actor: Any) -> Any:
    """The user account behind an actor, or None for a system actor."""
    if isinstance(actor, SystemActor) or actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def actor_label(actor: Any) -> str:
    """The name recorded beside a change: the user's full name (or login), or the system actor's."""
    if isinstance(actor, SystemActor):
        return actor.name
    user = actor_user(actor)
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Verdict(True)


def user_roles(user: Any) -> frozenset[tuple[str, str | None]]:
    """(role, county code) pairs, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_jamkoll_roles", None)
    if cached is None:
        pairs = {
            (a.role, a.county.code if a.county_id else None)
            for a in user.role_assignments.select_related("county")
        }
        if user.is_superuser:
            pairs.add((Role.ADMIN.value, None))
        cached = frozenset(pairs)
        user._jamkoll_roles = cached
    return cached


def has_role(user: Any, role: str, county: str | None = None) -> bool:
    roles = user_roles(user)
    if role == Role.RSS:
        return any(r == Role.RSS and (county is None or c == county) for r, c in roles)
    return any(r == role for r, _c in roles)


def rss_counties(user: Any) -> set[str]:
    return {c for r, c in user_roles(user) if r == Role.RSS and c}


def _role_predicate(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"is_{role.value}")
    def predicate(user: Any) -> bool:
        return has_role(user, role.value)

    return predicate


is_authenticated = rules.is_authenticated
is_coordinator = _role_predicate(Role.COORDINATOR)
is_certifier = _role_predicate(Role.CERTIFIER)
is_signatory = _role_predicate(Role.SIGNATORY)
is_ministry = _role_predicate(Role.MINISTRY)
is_treasury = _role_predicate(Role.TREASURY)
is_analyst = _role_predicate(Role.ANALYST)
is_admin = _role_predicate(Role.ADMIN)
is_any_rss = _role_predicate(Role.RSS)


def county_code_of(obj: Any) -> str | None:
    """The county an object is scoped to: a code, a county, or an object that names its county
    (`owner_county_code` for activities, `county_code` for obligations and plans)."""
    if obj is None or isinstance(obj, str):
        return obj
    for attr in ("owner_county_code", "county_code"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    return getattr(obj, "code", None)


@rules.predicate
def is_rss_for_county(user: Any, obj: Any) -> bool:
    code = county_code_of(obj)
    return bool(code) and has_role(user, Role.RSS, code)


@rules.predicate
def has_any_role(user: Any) -> bool:
    return bool(user_roles(user))


@rules.predicate
def is_own_account(user: Any, obj: Any) -> bool:
    """`obj` is the user's own account, or an API key of it (accounts/tokens.py)."""
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    owner = getattr(obj, "user_id", None) if hasattr(obj, "user_id") else getattr(obj, "pk", None)
    return owner is not None and owner == user.pk


# --- Reports: who may see drafts (predicate and its Q form) ---
# A report version that is not yet submitted (a draft, or a certified or signed version on its way)
# is seen by SKR's coordinator, the certifier and the signatory, and by an RSS leader for their own
# county's report; a submitted version is public (the reports app's selectors add that). The rule
# is stated here twice, side by side, in the two forms its callers need: `may_view_draft` for one
# version (through `check(user, "report.view_draft", version)`) and `draft_visibility_q` for a
# query over versions. tests/accounts/test_report_drafts.py checks that they agree for every
# persona and every version.

DRAFT_VIEWER_ROLES = (Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY)


@rules.predicate
def may_view_draft(user: Any, version: Any) -> bool:
    """May `user` see this version before it is submitted? `version` names its county
    (`county_code`, None for a national report)."""
    if any(has_role(user, role) for role in DRAFT_VIEWER_ROLES):
        return True
    code = county_code_of(version)
    return bool(code) and has_role(user, Role.RSS, code)


def draft_visibility_q(user: Any, *, county_field: str = "county__code") -> Q:
    """The same rule as a condition on report versions: the unsubmitted versions `user` may see
    (`county_field` is the lookup of the version's county code)."""
    if isinstance(user, SystemActor) or any(has_role(user, role) for role in DRAFT_VIEWER_ROLES):
        return _EVERYTHING  # every version, no condition in the SQL (see `record_visibility_q`)
    counties = rss_counties(user)
    if counties:
        return Q(**{f"{county_field}__in": sorted(counties)})
    return Q(pk__in=[])


# --- Obligations: "mine" (predicates and their Q forms) ---
# Who owes an obligation and who receives it, stated once: each predicate (one obligation: may
# this user register its submission?) beside its Q form (a list: "my obligations", the to-do list,
# the calendar feed). tests/obligations/test_mine.py checks that the two agree for every persona
# and every obligation. The Q forms name the obligation's fields (`owners__role`, `county__code`,
# `receiver_role`); accounts imports nothing from obligations. A Q form may join the owners, so
# a caller lists `.filter(q).values("pk")` as a subquery to get each obligation once.

_NOTHING = Q(pk__in=[])
_EVERYTHING = ~Q(pk__in=[])


def _global_roles(user: Any) -> list[str]:
    """The user's roles that are not scoped to a county (all but `rss`)."""
    return sorted({role for role, _county in user_roles(user)} - {Role.RSS.value})


@rules.predicate
def owes_obligation(user: Any, obligation: Any) -> bool:
    """The user holds a role that owes the obligation; an `rss` role only for its own county."""
    county = getattr(obligation, "county_code", None)
    for role in getattr(obligation, "owner_roles", ()):
        if role == Role.RSS:
            if county and has_role(user, Role.RSS, county):
                return True
        elif has_role(user, role):
            return True
    return False


def owes_obligation_q(user: Any) -> Q:
    """`owes_obligation` as a query condition on obligations."""
    roles, counties = _global_roles(user), sorted(rss_counties(user))
    q = Q(owners__role__in=roles) if roles else _NOTHING
    if counties:
        q |= Q(owners__role=Role.RSS, county__code__in=counties)
    return q


def obligation_owners_q(obligation: Any) -> Q:
    """`owes_obligation` from the obligation's side, as a query condition on role assignments: the
    roles that owe it, an `rss` role only for its county (the reminders' recipients). The
    users are `.values("user_id")` of the matching assignments."""
    owner_roles = set(getattr(obligation, "owner_roles", ()))
    county = getattr(obligation, "county_code", None)
    roles = sorted(owner_roles - {Role.RSS.value})
    q = Q(role__in=roles) if roles else _NOTHING
    if Role.RSS.value in owner_roles and county:
        q |= Q(role=Role.RSS, county__code=county)
    return q


@rules.predicate
def receives_obligation(user: Any, obligation: Any) -> bool:
    """The user works for the party the obligation is owed to (registers its receipt)."""
    role = getattr(obligation, "receiver_role", "")
    return bool(role) and role != Role.RSS and has_role(user, role)


def receives_obligation_q(user: Any) -> Q:
    """`receives_obligation` as a query condition on obligations."""
    roles = _global_roles(user)
    return Q(receiver_role__in=roles) if roles else _NOTHING


# --- Reports: four eyes (DESIGN §1) ---
# One account never both prepares and certifies, nor certifies and signs, the same document
# version, whatever roles it holds. A version names the account that generated it
# (`generated_by_id`), the version it is based on (`supersedes`) and, once certified, the account
# that certified it (`certified_by_id`, carried to every later version of the chain). accounts
# imports nothing from reports: these read those attributes.

# How far back a chain is followed (a chain is draft → certified → signed: three versions).
CHAIN_MAX = 20


def _chain(version: Any) -> list[Any]:
    """The version and the versions it is based on, newest first."""
    chain: list[Any] = []
    while version is not None and len(chain) < CHAIN_MAX:
        chain.append(version)
        version = version.supersedes if getattr(version, "supersedes_id", None) else None
    return chain


def _account_id(user: Any) -> Any:
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


@rules.predicate
def did_not_prepare(user: Any, version: Any) -> bool:
    """The user generated neither this version nor any version it is based on."""
    me = _account_id(user)
    return me is None or all(getattr(v, "generated_by_id", None) != me for v in _chain(version))


@rules.predicate
def did_not_certify(user: Any, version: Any) -> bool:
    """The user did not certify this version (nor a version it is based on)."""
    me = _account_id(user)
    return me is None or all(getattr(v, "certified_by_id", None) != me for v in _chain(version))


@rules.predicate
def has_title(user: Any) -> bool:
    """The account has a title (befattning), which a certification or signature shows."""
    profile = getattr(user, "profile", None)  # no profile: RelatedObjectDoesNotExist, an AttributeError
    return bool(getattr(profile, "title", ""))


# A system actor (the command line, the worker) is not a person: it cannot be a second pair of eyes,
# and a certification or signature names a person. The refusal of every `person_only` rule.
PERSON_REQUIRED = _(
    "Intygande, underskrift och inlämning görs av en person med ett eget konto, inte av systemet "
    "(på kommandoraden: --as ANVÄNDARNAMN)."
)
NO_TITLE = _("Ditt konto saknar titel; systemadministratören anger den under Användare (Befattning).")


# --- Reading: records of ledger entries and obligations (the table in the module docstring) ---
# A refused single object is 403 with the reason (as for drafts); a list leaves it out.

SKR_ROLES = (Role.COORDINATOR, Role.CERTIFIER, Role.SIGNATORY)
STATE_ROLES = (Role.MINISTRY, Role.TREASURY)


def _reads_every_record(user: Any) -> bool:
    return isinstance(user, SystemActor) or any(has_role(user, role) for role in (*SKR_ROLES, Role.ADMIN))


@rules.predicate
def may_view_record(user: Any, obj: Any) -> bool:
    """May `user` see the record of a ledger entry or an obligation (references, names, history)?
    `obj` names its `tier` ("state" or "rss") and `county_code`; None asks "every record"."""
    if _reads_every_record(user):
        return True
    if obj is None:
        return False
    if getattr(obj, "tier", None) == "state":
        return any(has_role(user, role) for role in STATE_ROLES)
    code = county_code_of(obj)
    return bool(code) and has_role(user, Role.RSS, code)


def record_visibility_q(user: Any, *, tier_field: str = "tier", county_field: str = "county__code") -> Q:
    """`may_view_record` as a condition on ledger entries or obligations (`tier_field` and
    `county_field` are the lookups of their tier and county code)."""
    if _reads_every_record(user):
        # Every row, and no condition in the SQL (`id IS NOT NULL` kept PostgreSQL from counting a
        # decision-year's entries from the index alone). Not `Q()`, which vanishes when combined
        # with |; this full match stays a full match when combined, and compiles to nothing.
        return _EVERYTHING
    q = _NOTHING
    if any(has_role(user, role) for role in STATE_ROLES):
        q |= Q(**{tier_field: "state"})
    counties = sorted(rss_counties(user))
    if counties:
        q |= Q(**{tier_field: "rss", f"{county_field}__in": counties})
    return q


@dataclass(frozen=True)
class Rule:
    predicate: rules.Predicate | Callable[..., bool]
    refusal: str | Promise
    # Further conditions, asked in order once the predicate allows, each with its own reason: the
    # role may, but not this person on this object (four eyes).
    conditions: tuple[tuple[rules.Predicate, str | Promise], ...] = ()
    # Only a person may: a `SystemActor` is refused with PERSON_REQUIRED.
    person_only: bool = False


# action -> rule. A refusal names what is missing, in the user's language (Swedish first).
RULES: dict[str, Rule] = {
    # Reports (issue 6). obj is the report version (or the county code when generating).
    "report.generate": Rule(
        is_coordinator | is_rss_for_county,
        _("Rapporter skapas av SKR:s samordnare; RSS-ledare skapar sitt läns rapport."),
    ),
    "report.view_draft": Rule(
        may_view_draft,
        _(
            "En version som inte har lämnats in visas bara för SKR:s samordnare, ekonomichef och "
            "behöriga företrädare "
            "(en RSS-ledare ser sitt eget läns länsrapport)."
        ),
    ),
    # May open the form that starts a report: a coordinator (any report), an RSS leader (their own
    # county's report; which county is "report.generate"'s question when the form is sent).
    "report.generate_form": Rule(
        is_coordinator | is_any_rss,
        _("Rapporter skapas av SKR:s samordnare; RSS-ledare skapar sitt läns rapport."),
    ),
    # The application for the next year's money (issue 11): SKR's own request to the government,
    # drafted by its programme staff; no county writes it.
    "report.generate_application": Rule(is_coordinator, _("Ansökan om medel upprättas av SKR:s samordnare.")),
    # Four eyes: the certifier did not generate the version (nor the one it is based on); the
    # signatory did not certify it. Each records the acting account, and a person's title.
    "report.certify": Rule(
        is_certifier,
        _("Den ekonomiska redovisningen intygas av ekonomichefen."),
        conditions=(
            (
                did_not_prepare,
                _("Du skapade den här versionen; en annan person måste intyga den (fyra ögon)."),
            ),
            (has_title, NO_TITLE),
        ),
        person_only=True,
    ),
    "report.sign": Rule(
        is_signatory,
        _("Rapporter undertecknas av en behörig företrädare för SKR."),
        conditions=(
            (
                did_not_certify,
                _("Du intygade den här versionen; en annan person måste underteckna den (fyra ögon)."),
            ),
            (has_title, NO_TITLE),
        ),
        person_only=True,
    ),
    "report.submit": Rule(
        is_coordinator | is_signatory,
        _("Inlämning registreras av SKR:s samordnare eller behöriga företrädare."),
        person_only=True,
    ),
    # Plans, activities and results (issue 5). obj is the plan or the activity.
    "plan.view": Rule(
        has_any_role, _("Planer och aktiviteter visas för användare med en roll i satsningen.")
    ),
    "plan.edit": Rule(is_coordinator, _("Projektplanen ändras av SKR:s samordnare.")),
    "plan.propose": Rule(is_coordinator, _("Förslaget lämnas av SKR:s samordnare.")),
    "plan.consult": Rule(
        is_ministry | is_coordinator, _("Samrådet registreras av Regeringskansliet eller SKR:s samordnare.")
    ),
    "plan.fix": Rule(is_coordinator, _("Planen fastställs av styrgruppen; registreras av SKR:s samordnare.")),
    # The ministry returns a proposed plan to SKR with a comment (issue 11): it is a draft again.
    "plan.send_back": Rule(
        is_ministry, _("Ett förslag skickas tillbaka till SKR av Regeringskansliet (departementet).")
    ),
    "activity.edit": Rule(
        is_coordinator | is_rss_for_county, _("Du kan bara ändra aktiviteter i ditt eget län.")
    ),
    # obj is the county code of the new activity, or None for a national (SKR) activity.
    "activity.create": Rule(
        is_coordinator | is_rss_for_county,
        _(
            "Nationella aktiviteter läggs till av SKR:s samordnare; en RSS-ledare lägger bara till "
            "aktiviteter för sitt eget län."
        ),
    ),
    "status_report.edit": Rule(is_coordinator, _("Halvårsrapporten skrivs av SKR:s samordnare.")),
    # The county's own work (issue 11). obj is the county plan (or the county code).
    "county_plan.edit": Rule(
        is_coordinator | is_rss_for_county, _("Du kan bara ändra ditt eget läns genomförandeplan.")
    ),
    # A plan marked "Framtagen" is opened for changes again by SKR, not by the county alone.
    "county_plan.reopen": Rule(
        is_coordinator, _("En framtagen genomförandeplan öppnas igen av SKR:s samordnare.")
    ),
    "evaluation.edit": Rule(is_coordinator, _("Utvärderingar registreras av SKR:s samordnare.")),
    "steering_group.edit": Rule(is_coordinator, _("Styrgruppens ledamöter registreras av SKR:s samordnare.")),
    # A half-yearly report still in draft; a submitted one is seen by everyone with "plan.view".
    "status_report.view_draft": Rule(
        is_coordinator | is_certifier | is_signatory,
        _(
            "Utkast till halvårsrapporter visas bara för SKR:s samordnare, ekonomichef och "
            "behöriga företrädare."
        ),
    ),
    # The ledger (issue 4). obj is the county code for the RSS tier.
    # The totals (the balance); the entries themselves are "ledger.view_entry".
    # A submitted report is public; who handed it in and the receiver's diary number are its record.
    "report.view_record": Rule(
        has_any_role, _("Mottagarens diarienummer visas för användare med en roll i satsningen.")
    ),
    "ledger.view": Rule(has_any_role, _("Medelsflödet visas för användare med en roll i satsningen.")),
    # The public's view (DESIGN §1, issue 15): sums per kind and county for a year, never an entry
    # (`jamkoll.web.public`).
    "ledger.view_public": Rule(rules.always_allow, ""),
    # One entry with its reference, note and recorder (obj: the entry; None: every entry).
    "ledger.view_entry": Rule(
        may_view_record,
        _(
            "Enskilda poster med referens och namn visas för SKR, för Regeringskansliet och "
            "Kammarkollegiet på statsnivån och för RSS-ledaren för det egna länets poster."
        ),
    ),
    # May record some entry at all (the entry form); which kind and county is the rules below.
    "ledger.record": Rule(
        is_coordinator | is_signatory | is_treasury | is_any_rss,
        _("Du har ingen roll som får registrera poster i medelsflödet."),
    ),
    # Sealing the chain under its key and catching up its anchor: the operator on the server only.
    "ledger.seal": Rule(
        rules.always_deny,
        _("Kedjans nyckel och ankare sköts av driftansvarig på servern (jamkoll ledger seal)."),
    ),
    "ledger.state.requisition": Rule(
        is_coordinator | is_signatory, _("Rekvisition kräver rollen samordnare eller behörig företrädare.")
    ),
    "ledger.state.disbursement": Rule(is_treasury, _("Utbetalningar registreras av Kammarkollegiet.")),
    "ledger.state.expenditure": Rule(is_coordinator, _("SKR:s utgifter registreras av en samordnare.")),
    "ledger.state.repayment": Rule(
        is_treasury | is_coordinator, _("Återbetalningar registreras av Kammarkollegiet eller en samordnare.")
    ),
    "ledger.state.reclaim": Rule(is_treasury, _("Återkrav registreras av Kammarkollegiet.")),
    "ledger.rss.requisition": Rule(
        is_coordinator | is_rss_for_county, _("Du kan bara rekvirera för ditt eget län.")
    ),
    "ledger.rss.disbursement": Rule(
        is_coordinator | is_signatory,
        _("Utbetalningar till RSS registreras av SKR (samordnare eller behörig företrädare)."),
    ),
    "ledger.rss.expenditure": Rule(
        is_coordinator | is_rss_for_county, _("Du kan bara redovisa utgifter för ditt eget län.")
    ),
    "ledger.rss.reclaim": Rule(rules.always_deny, _("Återkrav görs av staten mot SKR, inte mot ett län.")),
    "ledger.rss.repayment": Rule(
        is_coordinator | is_rss_for_county, _("Du kan bara registrera återbetalningar för ditt eget län.")
    ),
    "programme.view": Rule(rules.always_allow, ""),
    "allocation.view": Rule(rules.always_allow, ""),
    "organisation.view": Rule(rules.always_allow, ""),
    # The history of a programme or decision (an obligation's is "obligation.view_record").
    "history.view": Rule(has_any_role, _("Ändringshistoriken visas för användare med en roll i satsningen.")),
    "programme.change": Rule(is_coordinator | is_admin, _("Kräver rollen samordnare.")),
    # The page that registers and edits a decision: the coordinator writes; the ministry and the
    # treasury, the other parties to the decision, read it as entered.
    "decision.view_form": Rule(
        is_coordinator | is_admin | is_ministry | is_treasury,
        _("Beslutsregistreringen visas för SKR:s samordnare, Regeringskansliet och Kammarkollegiet."),
    ),
    "reference.change": Rule(is_admin, _("Kräver rollen systemadministratör.")),
    # Key figures (issue 14): the explorer is public (small counts suppressed); the analyst imports
    # and completes the catalogue, and so may the coordinator and the administrator.
    "indicator.view": Rule(rules.always_allow, ""),
    "indicator.view_unsuppressed": Rule(
        has_any_role, _("Värden bakom små antal visas bara för inloggade med en roll.")
    ),
    "indicator.import": Rule(
        is_analyst | is_coordinator | is_admin,
        _("Nyckeltal importeras av en analytiker, SKR:s samordnare eller systemadministratören."),
    ),
    "indicator.edit": Rule(
        is_analyst | is_coordinator | is_admin,
        _("Nyckeltalskatalogen ändras av en analytiker, SKR:s samordnare eller systemadministratören."),
    ),
    "county.edit": Rule(
        is_coordinator | is_rss_for_county,
        _("Du kan bara ändra uppgifter för ditt eget län."),
    ),
    "admin.access": Rule(is_admin, _("Administrationen kräver rollen systemadministratör.")),
    "users.manage": Rule(is_admin, _("Kräver rollen systemadministratör.")),
    # Obligations and deadlines (issue 4). obj is an Obligation.
    "obligation.submit": Rule(
        is_admin | owes_obligation | receives_obligation,
        _(
            "Du kan bara registrera inlämning av det som din roll ska lämna (RSS: bara för ditt eget län) "
            "eller av det som lämnas till din organisation."
        ),
    ),
    "obligation.waive": Rule(
        is_admin | is_coordinator | receives_obligation,
        _("Bara den som åtagandet lämnas till, eller SKR:s samordnare, kan undanta det."),
    ),
    "obligation.view": Rule(
        has_any_role, _("Tidsfrister och åtaganden visas för användare med en roll i satsningen.")
    ),
    # The public's view: what, owed by and to, the dates and the status; never its record.
    "obligation.view_public": Rule(rules.always_allow, ""),
    # The obligation's record: receipt reference, document, what closed it, names, history.
    "obligation.view_record": Rule(
        may_view_record,
        _(
            "Diarienummer, handlingar, namn och ändringshistorik visas för SKR, för "
            "Regeringskansliet och Kammarkollegiet på statsnivån och för RSS-ledaren för det "
            "egna länets åtaganden."
        ),
    ),
    # obligation.submit and obligation.waive: in the obligations section at the end of this file.
    "obligation.edit": Rule(
        is_admin | is_coordinator | is_ministry,
        _("Datum ändras av SKR:s samordnare eller av Regeringskansliet."),
    ),
    "feed.manage": Rule(is_authenticated, _("Logga in för att hantera ditt kalenderflöde.")),
    # The user's own second sign-in step (issue 12): offered to the roles that move money or
    # certify, and to the administrator who grants them (accounts/signin.py TWO_FACTOR_ROLES).
    # Personal API keys (issue 15): a user makes and revokes keys for their own account only (the
    # command line, a system actor, for anyone). obj is the account, or the key.
    "account.api_tokens": Rule(
        is_authenticated & is_own_account,
        _("Du kan bara skapa och återkalla API-nycklar för ditt eget konto."),
    ),
    "account.two_factor": Rule(
        is_coordinator | is_certifier | is_signatory | is_treasury | is_any_rss | is_admin,
        _(
            "Tvåstegsverifiering erbjuds de roller som hanterar pengar eller intygar: samordnare, "
            "ekonomichef, behörig företrädare, Kammarkollegiet, RSS och systemadministratör."
        ),
    ),
}


def _whole(rule: Rule) -> Any:
    """The rule's predicate and its conditions as one predicate (for `user.has_perm`)."""
    predicate: Any = rule.predicate
    for condition, _reason in rule.conditions:
        predicate = predicate & condition
    return predicate


for _action, _rule in RULES.items():
    rules.add_perm(f"jamkoll.{_action}", _whole(_rule))


def _test(predicate: Any, actor: Any, obj: Any) -> bool:
    return bool(
        predicate.test(actor, obj) if isinstance(predicate, rules.Predicate) else predicate(actor, obj)
    )


def check(actor: Any, action: str, obj: Any = None) -> Verdict:
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"okänd behörighet: {action}")
    if isinstance(actor, SystemActor):
        return Verdict(False, str(PERSON_REQUIRED)) if rule.person_only else ALLOW
    if not _test(rule.predicate, actor, obj):
        if not getattr(actor, "is_authenticated", False):
            return Verdict(False, f"{_('Logga in för att fortsätta.')} {rule.refusal}".strip())
        return Verdict(False, str(rule.refusal))
    for condition, refusal in rule.conditions:
        if not _test(condition, actor, obj):
            return Verdict(False, str(refusal))
    return ALLOW


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise `PermissionDenied` with the policy's reason unless `actor` may do `action`.

    A refusal here is an attempt, so it is audited (who, what, on what, why: accounts.audit);
    `check`, which also decides whether to show a button, is not."""
    verdict = check(actor, action, obj)
    if not verdict:
        record_refusal(actor, action, obj, verdict.reason)
        raise PermissionDenied(verdict.reason)


# --- Comments (issue 15) ---
# A comment's target (a project plan, an activity, a county plan, a report version) is described
# by the comments app as an object naming `county_code` (None for a national one) and `draft`
# (True for a report version not yet submitted). Comments are read by everyone with a role who may
# see the target; an account whose only roles are RSS roles reads (and writes) them only on its own
# county's activities, county plans and reports, and on national ones. A report version not yet
# submitted needs "report.view_draft" as well. accounts imports nothing from comments.


@rules.predicate
def may_view_comments(user: Any, target: Any) -> bool:
    if not has_any_role(user):
        return False
    if getattr(target, "draft", False) and not may_view_draft(user, target):
        return False
    code = county_code_of(target)
    if code and not _global_roles(user):  # RSS roles only: their own county's
        return has_role(user, Role.RSS, code)
    return True


def comment_visibility_q(user: Any, *, county_field: str | None = None, draft: Q | None = None) -> Q:
    """`may_view_comments` as a condition on targets of one kind: `county_field` is the lookup of
    the target's county code (None for a kind that is always national), `draft` the condition that
    the target is a report version not yet submitted (None for a kind that is never a draft).
    tests/comments/test_visibility.py checks that the two forms agree."""
    if isinstance(user, SystemActor):
        return _EVERYTHING
    if not has_any_role(user):
        return _NOTHING
    condition = _EVERYTHING
    if draft is not None:
        drafts = draft_visibility_q(user, county_field=county_field or "county__code")
        condition &= ~draft | (draft & drafts)
    if county_field and not _global_roles(user):
        condition &= Q(**{f"{county_field}__isnull": True}) | Q(
            **{f"{county_field}__in": sorted(rss_counties(user))}
        )
    return condition


_COMMENT_REFUSAL = _(
    "Kommentarer visas för användare med en roll i satsningen som får se det som kommenteras "
    "(en RSS-ledare ser kommentarerna för det egna länet)."
)
RULES["comment.view"] = Rule(may_view_comments, _COMMENT_REFUSAL)
RULES["comment.create"] = Rule(may_view_comments, _COMMENT_REFUSAL, person_only=True)
for _action in ("comment.view", "comment.create"):
    rules.add_perm(f"jamkoll.{_action}", _whole(RULES[_action]))
