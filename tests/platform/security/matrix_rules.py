"""Who may do what, as data: every endpoint of the URL map names one rule, and a rule says for
every actor of the matrix (see matrix_world) what a request must come to.

Outcomes, from the response alone:

- `allowed`: the request reached the view and got its answer: 2xx, or 3xx anywhere but the
  sign-in page, or 400/409/415/422, the view refusing the (empty) request body or its input;
- `sign-in`: 401, or a redirect to /login (pages send people there; APIs answer 401);
- `forbidden`: 403 (never the CSRF refusal: the matrix sends the session's CSRF token);
- `not-found`: 404: the target belongs to a tenant the actor cannot see, which must look
  exactly like a target that does not exist.

A rule lists the actors allowed, those denied as `not-found` (they cannot see the tenant the
target belongs to) and those sent to sign in besides the anonymous visitor (machines on
people's pages); every other actor must be `forbidden`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.platform.security.matrix_world import ACTORS, MACHINES, PEOPLE

ALLOWED, SIGN_IN, FORBIDDEN, NOT_FOUND = "allowed", "sign-in", "forbidden", "not-found"


@dataclass(frozen=True)
class Rule:
    name: str
    allow: frozenset[str]
    hidden: frozenset[str] = frozenset()
    sign_in: frozenset[str] = frozenset()
    # What an allowed actor gets: the view's own answer (the catch-all of an API answers 404,
    # a failed sign-in 401, signing out redirects to the sign-in page).
    answer: str = ALLOWED

    def __post_init__(self) -> None:
        unknown = (self.allow | self.hidden | self.sign_in) - set(ACTORS)
        assert not unknown, f"rule {self.name} names unknown actors {unknown}"

    def expect(self, actor: str) -> str:
        if actor in self.allow:
            return self.answer
        if actor == "anonymous" or actor in self.sign_in:
            return SIGN_IN
        return NOT_FOUND if actor in self.hidden else FORBIDDEN


def _rule(
    name: str,
    allow: set[str] | tuple[str, ...],
    hidden: set[str] | tuple[str, ...] = (),
    sign_in: set[str] | tuple[str, ...] = (),
    answer: str = ALLOWED,
) -> Rule:
    return Rule(name, frozenset(allow), frozenset(hidden), frozenset(sign_in), answer)


def _page(
    name: str, allow: set[str] | tuple[str, ...], hidden: set[str] | tuple[str, ...] = ()
) -> Rule:
    """A rule for people's pages and session-only APIs: machines are sent to sign in."""
    return _rule(name, allow, hidden, sign_in=MACHINES)


EVERYONE = set(ACTORS)
A_PEOPLE = {"a_member", "a_admin"}
CLIENTS = {"l_client", "m_client"}
# Cannot see A at all: A's data and A's profile are another tenant's.
NOT_OF_A = {"b_admin", "l_admin", "m_analyst", "m_client"}
# Cannot see lead factory L (A's people see only A; B and M only themselves).
NOT_OF_L = {"a_member", "a_admin", "b_admin", "m_analyst"}

PUBLIC = _rule("public", EVERYONE)
INVITATION = _rule("public: the link's token is the credential", EVERYONE)
SIGN_IN_FORM = _rule("public (a failed sign-in answers 401)", EVERYONE, answer=SIGN_IN)
SIGN_OUT = _rule("public (signing out leads to the sign-in page)", EVERYONE, answer=SIGN_IN)
SIGNED_IN_PEOPLE = _page("signed-in people", PEOPLE)
AUTHENTICATED = _rule("any signed-in person or machine", {*PEOPLE, *MACHINES})
FEED = _rule(
    "any person or machine with disclosures:read (sees only what it may)", {*PEOPLE, *MACHINES}
)
OPERATORS = _page("operators", {"operator"})
WITNESSES = _page(
    "people of any lead factory with procurement or analyst roles (witnesses), operators",
    {"l_procurement", "l_analyst", "m_analyst", "operator"},
)

# Supplier A's data and records.
A_READERS = _rule(
    "who may read A's data: A, A's token, L's procurement, analysts and client (consent), "
    "operators",
    {*A_PEOPLE, "a_token", "l_procurement", "l_analyst", "l_client", "operator"},
    hidden=NOT_OF_A,
)
A_PAGE = _page(
    "A's organization page: people who may see A",
    {*A_PEOPLE, "l_procurement", "l_analyst", "operator"},
    hidden={"b_admin", "l_admin", "m_analyst"},
)
A_FILERS = _rule(
    "filers of A's credentials: A's people and A's token (the body names A)",
    {*A_PEOPLE, "a_token"},
)
A_MEMBERS = _rule(
    "A's people, A's token, operators",
    {*A_PEOPLE, "a_token", "operator"},
    hidden=NOT_OF_A,
)
A_KEY_ADMINS = _rule(
    "A's key administrators: A's admin, A's token (keys:manage), operators",
    {"a_admin", "a_token", "operator"},
    hidden={"b_admin", "l_admin", "m_analyst"},
)
A_TOKEN_ADMINS = _page(
    "A's admin and operators, signed in (never with a token)",
    {"a_admin", "operator"},
    hidden={"b_admin", "l_admin", "m_analyst"},
)
A_OWN_SCORECARD = _rule(
    "A's people and operators (rankings:read, people only)",
    {*A_PEOPLE, "operator"},
    hidden=NOT_OF_A,
)
SUPPLIER_PEOPLE = _page(
    "people of any supplier, operators",
    {*A_PEOPLE, "b_admin", "operator"},
)
A_PORTAL = _page(
    "A's people and operators (portal pages)",
    {*A_PEOPLE, "operator"},
    hidden={"b_admin"},
)
A_SCORECARDS = _page(
    "A's people and operators (its scorecards page judges the tenant first)",
    {*A_PEOPLE, "operator"},
    hidden={"b_admin", "l_admin", "m_analyst"},
)
A_PORTAL_ADMIN = _page(
    "A's admin and operators (portal)",
    {"a_admin", "operator"},
    hidden={"b_admin"},
)
A_CONSENT = _page(
    "A's admin only: consent is the supplier's own act",
    {"a_admin"},
    hidden={"b_admin", "operator"},
)
OWN_NOTIFICATION = _page(
    "the notification's addressee only (A's member)",
    {"a_member"},
    hidden={"a_admin", "b_admin", "operator"},
)

# Lead factory L's APIs.
L_ANALYSTS_READ = _rule(
    "L's analysts, L's client (the scope), operators",
    {"l_analyst", "l_client", "operator"},
    hidden=NOT_OF_L | {"m_client"},
)
L_ANALYSTS_WRITE = _rule(
    "L's analysts and operators (people only)",
    {"l_analyst", "operator"},
    hidden=NOT_OF_L,
)
L_RANKING_READ = _rule(
    "L's procurement and analysts, L's client (rankings:read), operators",
    {"l_procurement", "l_analyst", "l_client", "operator"},
    hidden=NOT_OF_L | {"m_client"},
)
L_RANKING_WRITE = _rule(
    "L's procurement and analysts, operators (people only)",
    {"l_procurement", "l_analyst", "operator"},
    hidden=NOT_OF_L,
)
L_RATINGS_WRITE = _rule(
    "L's procurement and operators: external ratings are procurement's",
    {"l_procurement", "operator"},
    hidden=NOT_OF_L,
)
CLIENT_WEBHOOKS = _rule("OAuth2 clients (their own endpoints)", CLIENTS)
L_CLIENT_WEBHOOK = _rule("L's client only (L's endpoint)", {"l_client"}, hidden={"m_client"})
PACT_CLIENTS = _rule("lead factories' OAuth2 clients", CLIENTS, sign_in=PEOPLE)
PACT_OF_A = _rule(
    "L's client (A's footprint, consent)", {"l_client"}, hidden={"m_client"}, sign_in=PEOPLE
)
PACT_UNKNOWN = _rule(
    "lead factories' OAuth2 clients (an unknown PACT path answers 404)",
    CLIENTS,
    sign_in=PEOPLE,
    answer=NOT_FOUND,
)


# Lead factory L's pages: other tenants find nothing.
def _l_page(name: str, allow: set[str]) -> Rule:
    return _page(name, allow, hidden=NOT_OF_L)


L_ANALYST_PAGES = _l_page("L's analysts and operators (pages)", {"l_analyst", "operator"})
L_RANKING_PAGES = _l_page(
    "L's procurement and analysts, operators (pages)", {"l_procurement", "l_analyst", "operator"}
)
L_RATING_FORM = _l_page("L's procurement and operators (pages)", {"l_procurement", "operator"})
L_INTEGRATIONS = _l_page(
    "L's administrators and analysts, operators (integration pages)",
    {"l_admin", "l_analyst", "operator"},
)
L_INTEGRATIONS_ADMIN = _l_page(
    "L's administrators and operators (integration changes)", {"l_admin", "operator"}
)

RULES: dict[str, Rule] = {
    # public
    "static": PUBLIC,
    "portal.static": PUBLIC,
    "health.healthz": PUBLIC,
    "oauth.discovery": PUBLIC,
    "oauth.token": PUBLIC,
    "openapi.docs": PUBLIC,
    "openapi.openapi_json": PUBLIC,
    "log_api.checkpoint": PUBLIC,
    "log_api.verifier_keys": PUBLIC,
    "auth.login_form": PUBLIC,
    "auth.login": SIGN_IN_FORM,
    "auth.logout": SIGN_OUT,
    "i18n.switch_language": PUBLIC,
    "portal_team.accept_invitation": INVITATION,
    # anyone authenticated
    "pages.home": SIGNED_IN_PEOPLE,
    "api.me": SIGNED_IN_PEOPLE,
    "log_api.entry": AUTHENTICATED,
    "log_api.inclusion": AUTHENTICATED,
    "log_api.consistency": AUTHENTICATED,
    "feed_api.disclosure_feed": FEED,
    "log_api.cosign": WITNESSES,
    "operator_jobs.jobs": OPERATORS,
    "operator_jobs.run": OPERATORS,
    # supplier A
    "pages.organization": A_PAGE,
    "api.organization": A_READERS,
    "api.relationships": A_MEMBERS,
    "intake_api.keys": A_READERS,
    "intake_api.events": A_READERS,
    "intake_api.key_challenge": A_KEY_ADMINS,
    "intake_api.key_register": A_KEY_ADMINS,
    "intake_api.key_event": A_KEY_ADMINS,
    "intake_api.submit": A_FILERS,
    "intake_api.submit_batch": A_FILERS,
    "intake_api.submit_footprint_credential": A_FILERS,
    "intake_api.disclosure": A_READERS,
    "intake_api.receipt": A_READERS,
    "intake_api.bundle": A_READERS,
    "intake_api.footprint": A_READERS,
    "intake_api.footprint_bundle": A_READERS,
    "tokens_api.tokens": A_TOKEN_ADMINS,
    "tokens_api.create": A_TOKEN_ADMINS,
    "tokens_api.revoke": A_TOKEN_ADMINS,
    "ranking_api.own_scorecard": A_OWN_SCORECARD,
    "portal.home": SUPPLIER_PEOPLE,
    "portal_inbox.inbox": SUPPLIER_PEOPLE,
    "portal_inbox.read_all": SUPPLIER_PEOPLE,
    "portal_inbox.read": OWN_NOTIFICATION,
    "portal.disclosures": A_PORTAL,
    "portal.keys": A_PORTAL,
    "portal.sign": A_PORTAL,
    "portal.consent": A_CONSENT,
    "portal_form.disclosure_form": A_PORTAL,
    "portal_form.spreadsheet_template": A_PORTAL,
    "portal_form.spreadsheet_upload": A_PORTAL,
    "portal_scorecards.scorecards": A_SCORECARDS,
    "portal_team.team": A_PORTAL,
    "portal_team.create_invitation": A_PORTAL_ADMIN,
    "portal_team.withdraw_invitation": A_PORTAL_ADMIN,
    # lead factory L: APIs
    "rollup_api.rollup": L_ANALYSTS_READ,
    "rollup_api.rollup_history": L_ANALYSTS_READ,
    "assessment_api.model": L_ANALYSTS_READ,
    "assessment_api.assessments": L_ANALYSTS_READ,
    "assessment_api.assessment": L_ANALYSTS_READ,
    "assessment_api.evidence": L_ANALYSTS_READ,
    "assessment_api.replace_model": L_ANALYSTS_WRITE,
    "assessment_api.run": L_ANALYSTS_WRITE,
    "ranking_api.ranking": L_RANKING_READ,
    "ranking_api.snapshots": L_RANKING_READ,
    "ranking_api.snapshot": L_RANKING_READ,
    "ranking_api.verification": L_RANKING_READ,
    "ranking_api.config": L_RANKING_READ,
    "ranking_api.ratings": L_RANKING_READ,
    "ranking_api.take_snapshot": L_RANKING_WRITE,
    "ranking_api.replace_config": L_RANKING_WRITE,
    "ranking_api.replace_ratings": L_RATINGS_WRITE,
    "webhooks_api.endpoints": CLIENT_WEBHOOKS,
    "webhooks_api.create": CLIENT_WEBHOOKS,
    "webhooks_api.endpoint": L_CLIENT_WEBHOOK,
    "webhooks_api.delete": L_CLIENT_WEBHOOK,
    "webhooks_api.rotate": L_CLIENT_WEBHOOK,
    "webhooks_api.deliveries": L_CLIENT_WEBHOOK,
    "webhooks_api.redeliver_one": L_CLIENT_WEBHOOK,
    "pact.list_footprints": PACT_CLIENTS,
    "pact.events": PACT_CLIENTS,
    "pact.get_footprint": PACT_OF_A,
    "pact.unknown": PACT_UNKNOWN,
    # lead factory L: pages
    "factory.rollup": L_ANALYST_PAGES,
    "factory.category": L_ANALYST_PAGES,
    "factory.supplier": L_ANALYST_PAGES,
    "factory_assessments.assessments": L_ANALYST_PAGES,
    "factory_assessments.run": L_ANALYST_PAGES,
    "factory_assessments.snapshot": L_ANALYST_PAGES,
    "factory_assessments.report": L_ANALYST_PAGES,
    "factory_assessments.model": L_ANALYST_PAGES,
    "factory_actions.actions": L_ANALYST_PAGES,
    "factory_actions.create": L_ANALYST_PAGES,
    "factory_actions.change_status": L_ANALYST_PAGES,
    "procurement.ranking": L_RANKING_PAGES,
    "procurement.compare": L_RANKING_PAGES,
    "procurement.export": L_RANKING_PAGES,
    "procurement.method_csv": L_RANKING_PAGES,
    "procurement.supplier": L_RANKING_PAGES,
    "procurement.rate": L_RATING_FORM,
    "procurement_method.method": L_RANKING_PAGES,
    "procurement_method.config_file": L_RANKING_PAGES,
    "procurement_method.upload_config": L_RANKING_PAGES,
    "procurement_method.snapshot": L_RANKING_PAGES,
    "procurement_method.snapshot_page": L_RANKING_PAGES,
    "factory_clients.clients": L_INTEGRATIONS,
    "factory_clients.confirm": L_INTEGRATIONS_ADMIN,
    "factory_clients.create": L_INTEGRATIONS_ADMIN,
    "factory_clients.rotate": L_INTEGRATIONS_ADMIN,
    "factory_clients.revoke": L_INTEGRATIONS_ADMIN,
    "factory_pact.pact": L_INTEGRATIONS,
    "factory_pact.set_credentials": L_INTEGRATIONS_ADMIN,
    "factory_pact.remove_credentials": L_INTEGRATIONS_ADMIN,
    "factory_webhooks.endpoints": L_INTEGRATIONS,
    "factory_webhooks.endpoint": L_INTEGRATIONS,
    "factory_webhooks.dead": L_INTEGRATIONS,
    "factory_webhooks.register": L_INTEGRATIONS_ADMIN,
    "factory_webhooks.rotate": L_INTEGRATIONS_ADMIN,
    "factory_webhooks.change": L_INTEGRATIONS_ADMIN,
    "factory_webhooks.redeliver_one": L_INTEGRATIONS_ADMIN,
}

# Parameters whose real value depends on the endpoint (the rest are filled by name).
PARAMETERS: dict[str, dict[str, object]] = {
    "factory_clients.confirm": {"action": "revoke"},
    "portal.consent": {"action": "withdraw"},
    "intake_api.key_event": {"kind": "rotations"},
    "portal_form.spreadsheet_template": {"kind": "xlsx"},
    "static": {"filename": "esgx.css"},
    "portal.static": {"filename": "portal.js"},
}
