"""Ranking snapshots: stored append-only, and checked by recomputing them from what they store.

A snapshot keeps its inputs whole (every figure with the content id of the signed disclosure
it came from, the statuses, the ratings, the previous period's places), the configuration's
body and the result. `verify_snapshot` answers four questions: are the stored inputs and
configuration the ones hashed at the time; does ranking those inputs with that configuration
give exactly the stored result; do the stored figures still match the disclosures their
content ids name; and what has changed since (a live gathering of the same period).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.errors import InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.ledger.log import current_state
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.scoring.config import config_sha256
from esgx_platform.scoring.config_schema import load_config
from esgx_platform.scoring.engine import rank
from esgx_platform.scoring.facts import Figures, ScoringInputs, inputs_from_json, inputs_json
from esgx_platform.scoring.gather import gather_inputs
from esgx_platform.scoring.records import RankingSnapshot
from esgx_platform.scoring.report import ranking_json
from esgx_platform.scoring.services import NOT_LEAD, compute_ranking, cyclic_gc_paused

# The stored figures a disclosure record must still show (attribute of Figures, column).
_CHECKED = (
    ("scope1", "scope1_tco2e"),
    ("scope2_market", "scope2_market_tco2e"),
    ("revenue_amount", "revenue_amount"),
    ("revenue_currency", "revenue_currency"),
    ("output_amount", "output_amount"),
    ("output_unit", "output_unit"),
    ("electricity_mwh", "electricity_mwh"),
    ("renewable_mwh", "renewable_electricity_mwh"),
    ("primary_data_share", "primary_data_share"),
    ("verification", "verification_level"),
    ("target_status", "best_target_status"),
    ("offsets_tco2e", "offsets_tco2e"),
)


def canonical_sha256(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(dict(body))).hexdigest()


def store_snapshot(
    session: Session, *, organization: Organization, period: str, actor_user_id: uuid.UUID | None
) -> RankingSnapshot:
    """Rank the factory's suppliers for `period` and store the snapshot (with the trend);
    raises InvalidInput for a malformed period or a non-factory, NotFound for a period
    without quarters."""
    if organization.kind is not OrgKind.LEAD_FACTORY:
        raise InvalidInput(NOT_LEAD)
    with cyclic_gc_paused():
        live = compute_ranking(session, lead_factory_id=organization.id, period=period)
        inputs = inputs_json(live.ranking.inputs)
        result = ranking_json(live.ranking, version=live.config.version)
    snapshot = RankingSnapshot(
        id=uuid.uuid4(),
        organization_id=organization.id,
        period=period,
        config_version=live.config.version,
        config_sha256=live.config.sha256,
        inputs_sha256=canonical_sha256(inputs),
        result_sha256=canonical_sha256(result),
        supplier_count=len(live.ranking.scorecards),
        config=dict(live.config.body),
        inputs=inputs,
        result=result,
        log_size=current_state(session).size,
        created_by=actor_user_id,
    )
    session.add(snapshot)
    session.flush()
    record_event(
        session,
        action="ranking.snapshot_created",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="ranking_snapshot",
        target_id=snapshot.id,
        details={"period": period, "configVersion": snapshot.config_version},
    )
    return snapshot


def list_snapshots(session: Session, organization_id: uuid.UUID) -> list[RankingSnapshot]:
    stmt = (
        select(RankingSnapshot)
        .where(RankingSnapshot.organization_id == organization_id)
        .order_by(RankingSnapshot.created_at.desc(), RankingSnapshot.id)
    )
    return list(session.scalars(stmt))


def get_snapshot(
    session: Session, organization_id: uuid.UUID, snapshot_id: uuid.UUID
) -> RankingSnapshot:
    """The factory's snapshot; NotFound for another factory's (never revealing it exists)."""
    snapshot = session.get(RankingSnapshot, snapshot_id)
    if snapshot is None or snapshot.organization_id != organization_id:
        raise NotFound(Text("No such ranking snapshot.", "没有该排名快照。"))
    return snapshot


@dataclass
class SnapshotCheck:
    inputs_intact: bool
    config_intact: bool
    reproduced: bool
    # Content ids whose stored figures no longer match the disclosure record (or that vanished).
    sources_mismatched: list[str] = field(default_factory=list)
    # Relationships whose inputs differ from a live gathering of the same period now.
    changed_since: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The snapshot is what was stored and recomputes exactly from it."""
        return (
            self.inputs_intact
            and self.config_intact
            and self.reproduced
            and not self.sources_mismatched
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "inputsIntact": self.inputs_intact,
            "configIntact": self.config_intact,
            "reproduced": self.reproduced,
            "sourcesMismatched": self.sources_mismatched,
            "changedSince": self.changed_since,
        }


def recompute(inputs: Mapping[str, Any], config: Mapping[str, Any], version: int) -> dict[str, Any]:
    """The result JSON that stored inputs and a stored configuration give (pure)."""
    return ranking_json(rank(inputs_from_json(inputs), load_config(config)), version=version)


def verify_snapshot(
    session: Session, snapshot: RankingSnapshot, *, compare_live: bool = True
) -> SnapshotCheck:
    """Recompute the snapshot from its stored inputs and compare (see the module docstring)."""
    try:
        with cyclic_gc_paused():
            again = recompute(snapshot.inputs, snapshot.config, snapshot.config_version)
            inputs = inputs_from_json(snapshot.inputs)
    except (KeyError, TypeError, ValueError, InvalidInput):
        # Stored inputs that no longer parse cannot reproduce anything.
        return SnapshotCheck(False, False, False)
    reproduced = again == snapshot.result
    check = SnapshotCheck(
        inputs_intact=canonical_sha256(snapshot.inputs) == snapshot.inputs_sha256,
        config_intact=config_sha256(snapshot.config) == snapshot.config_sha256,
        reproduced=reproduced and canonical_sha256(snapshot.result) == snapshot.result_sha256,
        sources_mismatched=_mismatched_sources(session, inputs),
    )
    if compare_live:
        check.changed_since = _changed_since(session, snapshot, inputs)
    return check


def _mismatched_sources(session: Session, inputs: ScoringInputs) -> list[str]:
    stored: dict[str, Figures] = {f.content_id: f for s in inputs.suppliers for _, f in s.visible}
    if not stored:
        return []
    rows = {
        d.content_id: d
        for d in session.scalars(
            select(StoredDisclosure).where(StoredDisclosure.content_id.in_(list(stored)))
        )
    }
    bad = []
    for content_id, figures in sorted(stored.items()):
        record = rows.get(content_id)
        if record is None or any(
            getattr(figures, attr) != getattr(record, column) for attr, column in _CHECKED
        ):
            bad.append(content_id)
    return bad


def _changed_since(session: Session, snapshot: RankingSnapshot, inputs: ScoringInputs) -> list[str]:
    """Relationships whose facts differ now: a restatement, a new or late filing, a changed
    consent or rating, a new relationship (rates and settings changes show up here too)."""
    try:
        live = gather_inputs(
            session, lead_factory_id=snapshot.organization_id, period=snapshot.period
        )
    except NotFound:
        return sorted(str(s.relationship_id) for s in inputs.suppliers)
    then = {s.relationship_id: s for s in inputs.suppliers}
    now = {s.relationship_id: s for s in live.suppliers}
    return sorted(str(rid) for rid in then.keys() | now.keys() if then.get(rid) != now.get(rid))
