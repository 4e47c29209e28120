"""Running, storing and reading assessments; the factory's own model; improvement actions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.assessment.findings import findings
from esgx_platform.assessment.inputs import Gathered, gather
from esgx_platform.assessment.loading import (
    default_model,
    default_model_text,
    load_model,
    parse_json,
)
from esgx_platform.assessment.model import AssessmentModel
from esgx_platform.assessment.records import (
    AssessmentModelRecord,
    AssessmentSnapshot,
    Finding,
    ImprovementAction,
    ImprovementActionEvent,
)
from esgx_platform.assessment.scoring import assess, shown
from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import FieldError, InvalidInput, NotFound
from esgx_platform.exports import CONTROL
from esgx_platform.factors.services import factory_settings
from esgx_platform.factors.spend import Conversions
from esgx_platform.i18n import Text
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure
from esgx_platform.intake.receipts import LogSigner, covering_checkpoint
from esgx_platform.ledger.checkpoints import latest_checkpoint
from esgx_platform.ledger.log import current_state
from esgx_platform.organizations.models import Organization, OrgKind
from esgx_platform.rollups.report import report_json

ACTION_STATUSES = ("open", "in_progress", "closed")
NO_CONTROL = Text(
    "Use plain text (no control characters; a note at most 2,000 characters).",
    "请使用普通文本（不含控制字符；备注不超过 2000 字）。",
)
NOT_LEAD = Text("Only a lead factory is assessed.", "仅对龙头工厂进行评价。")


def factory_model(session: Session, organization_id: uuid.UUID) -> AssessmentModel:
    """The model the factory chose, else the platform's default."""
    chosen = factory_settings(session, organization_id).assessment_model_id
    record = session.get(AssessmentModelRecord, chosen) if chosen else None
    return load_model(record.body) if record else default_model()


def factory_model_body(session: Session, organization_id: uuid.UUID) -> dict[str, Any]:
    """The JSON of the model the factory uses (its own, or the platform's default file)."""
    chosen = factory_settings(session, organization_id).assessment_model_id
    record = session.get(AssessmentModelRecord, chosen) if chosen else None
    if record is not None:
        return dict(record.body)
    body: dict[str, Any] = parse_json(default_model_text())
    return body


def upload_model(
    session: Session,
    *,
    organization: Organization,
    body: Mapping[str, Any],
    actor_user_id: uuid.UUID | None,
) -> AssessmentModelRecord:
    """Check and store a factory's own indicator model and make it the one used from now on.
    Raises InvalidInput (with JSON paths) when the model does not pass its schema."""
    if organization.kind is not OrgKind.LEAD_FACTORY:
        raise InvalidInput(NOT_LEAD)
    model = load_model(body)
    record = session.scalar(
        select(AssessmentModelRecord).where(
            AssessmentModelRecord.organization_id == organization.id,
            AssessmentModelRecord.sha256 == model.sha256,
        )
    )
    if record is None:
        record = AssessmentModelRecord(
            organization_id=organization.id,
            model_id=model.id,
            version=model.version,
            sha256=model.sha256,
            body=dict(body),
            uploaded_by=actor_user_id,
        )
        session.add(record)
        session.flush()
    settings = factory_settings(session, organization.id)
    if settings.assessment_model_id != record.id:
        settings.assessment_model_id = record.id
        session.add(settings)
        session.flush()
        record_event(
            session,
            action="assessment.model_chosen",
            actor_user_id=actor_user_id,
            organization_id=organization.id,
            target_type="assessment_model",
            target_id=record.id,
            details={"model": model.id, "version": model.version, "sha256": model.sha256},
        )
    return record


def run_assessment(
    session: Session,
    *,
    organization: Organization,
    year: int,
    actor_user_id: uuid.UUID | None,
    signer: LogSigner | None = None,
) -> AssessmentSnapshot:
    """Assess the factory for a complete `year` and store the immutable snapshot with its
    findings. With `signer`, a checkpoint covering every input is signed if none does yet and
    recorded, so the evidence pack always verifies against that one checkpoint. Raises
    InvalidInput for a year whose four quarters have not all ended."""
    if organization.kind is not OrgKind.LEAD_FACTORY:
        raise InvalidInput(NOT_LEAD)
    _check_complete(year)
    model = factory_model(session, organization.id)
    gathered = gather(
        session, organization_id=organization.id, year=year, claim_type=model.claim_type
    )
    result = assess(model, gathered.metrics)
    found = findings(result)
    ids = gathered.input_ids()
    snapshot = AssessmentSnapshot(
        id=uuid.uuid4(),
        organization_id=organization.id,
        period=str(year),
        model_id=model.id,
        model_version=model.version,
        model_sha256=model.sha256,
        grade=result.grade.id,
        total_score=shown(result.total),
        inputs={
            **ids,
            "logSize": current_state(session).size,
            "checkpoint": _checkpoint(session, ids, signer),
        },
        metrics={k: None if v is None else str(v) for k, v in sorted(gathered.metrics.items())},
        result=_result_json(gathered, result.as_json()),
        created_by=actor_user_id,
    )
    session.add(snapshot)
    session.flush()
    session.add_all(
        Finding(
            snapshot_id=snapshot.id,
            indicator_id=f.indicator_id,
            severity=f.severity.value,
            title_en=f.title.en,
            title_zh=f.title.zh,
            action_en=f.action.en,
            action_zh=f.action.zh,
            observed=None if f.observed is None else str(f.observed),
        )
        for f in found
    )
    session.flush()
    record_event(
        session,
        action="assessment.created",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="assessment_snapshot",
        target_id=snapshot.id,
        details={"year": year, "grade": result.grade.id, "model_sha256": model.sha256},
    )
    return snapshot


INCOMPLETE = Text(
    "The year {y} is not complete: assessments are of a whole year, after its last quarter.",
    "{y} 年尚未结束：评价针对完整年度，须在第四季度结束后进行。",
)


def _check_complete(year: int) -> None:
    if date(year, 12, 31) >= utcnow().date():
        message = INCOMPLETE.format(y=year)
        raise InvalidInput(message, (FieldError("year", message),))


def _checkpoint(
    session: Session, ids: dict[str, Any], signer: LogSigner | None
) -> dict[str, int] | None:
    """The checkpoint that covers every input (signed now when needed and possible)."""
    wanted = [*ids["supplierDisclosures"], *ids["ownDisclosures"]]
    newest = session.scalar(
        select(func.max(StoredDisclosure.log_index)).where(StoredDisclosure.content_id.in_(wanted))
    )
    newest_footprint = session.scalar(
        select(func.max(FootprintCredential.log_index)).where(
            FootprintCredential.content_id.in_(wanted)
        )
    )
    index = max(newest or 0, newest_footprint or 0)
    latest = latest_checkpoint(session)
    if latest is None or latest.size <= index:
        if signer is None:
            return None
        latest = covering_checkpoint(session, index, signer)
    return {"id": latest.id, "size": latest.size}


def _result_json(gathered: Gathered, scored: dict[str, Any]) -> dict[str, Any]:
    """What the report shows, frozen with the snapshot so it never changes after the fact."""
    return {
        "assessment": scored,
        # With its supplier-quarter lines: every tonne traceable to its method and source.
        "rollup": report_json(gathered.rollup, suppliers=True),
        "neutrality": gathered.neutrality.as_json() if gathered.neutrality else None,
        "pathway": _pathway_json(gathered),
        # The rates and price indices spend-based estimates could use, as they were then
        # (re-imports replace them; the factor table itself is a fixed version).
        "conversions": _conversions_json(gathered.conversions),
        "ownQuarters": [
            {"quarter": q.quarter, "contentId": q.content_id, "scope12Tco2e": str(q.scope12_market)}
            for q in gathered.own
        ],
    }


def _conversions_json(conversions: Conversions) -> dict[str, Any]:
    return {
        "rates": [
            {"currency": c, "quoteCurrency": q, "year": y, "rate": str(r)}
            for (c, q, y), r in sorted(conversions.rates.items())
        ],
        "indices": [
            {"currency": c, "year": y, "index": str(i)}
            for (c, y), i in sorted(conversions.indices.items())
        ],
    }


def _pathway_json(gathered: Gathered) -> dict[str, Any] | None:
    path, target = gathered.pathway, gathered.target
    if path is None or target is None:
        return None
    return {
        "baseYear": target.base_year,
        "baseTco2e": str(target.base_tco2e),
        "targetYear": target.target_year,
        "reductionPct": str(target.reduction_percent),
        "year": path.year,
        "emissionsTco2e": str(path.emissions_tco2e),
        "pathTco2e": str(path.path_tco2e),
        "onTrack": path.on_track,
        "progressPct": None if path.progress_pct is None else str(shown(path.progress_pct)),
    }


def list_snapshots(session: Session, organization_id: uuid.UUID) -> list[AssessmentSnapshot]:
    stmt = (
        select(AssessmentSnapshot)
        .where(AssessmentSnapshot.organization_id == organization_id)
        .order_by(AssessmentSnapshot.created_at.desc())
    )
    return list(session.scalars(stmt))


def get_snapshot(
    session: Session, organization_id: uuid.UUID, snapshot_id: uuid.UUID
) -> AssessmentSnapshot:
    snapshot = session.get(AssessmentSnapshot, snapshot_id)
    if snapshot is None or snapshot.organization_id != organization_id:
        raise NotFound(Text("No such assessment.", "没有该评价。"))
    return snapshot


def snapshot_findings(session: Session, snapshot_id: uuid.UUID) -> list[Finding]:
    return list(session.scalars(select(Finding).where(Finding.snapshot_id == snapshot_id)))


def create_action(
    session: Session,
    *,
    organization: Organization,
    title: str,
    owner: str,
    due_on: date,
    finding_id: uuid.UUID | None,
    actor_user_id: uuid.UUID | None,
) -> ImprovementAction:
    """Commit to an improvement action (optionally answering a finding of this factory's)."""
    errors = []
    for name, value in (("title", title), ("owner", owner)):
        if CONTROL.search(value):
            errors.append(FieldError(name, NO_CONTROL))
    if not title.strip() or len(title) > 300:
        errors.append(
            FieldError(
                "title", Text("Give a title (up to 300 characters).", "请填写标题（最多 300 字）。")
            )
        )
    if not owner.strip() or len(owner) > 120:
        errors.append(
            FieldError(
                "owner",
                Text(
                    "Name who owns the action (up to 120 characters).",
                    "请填写负责人（最多 120 字）。",
                ),
            )
        )
    if finding_id is not None and not _own_finding(session, organization.id, finding_id):
        errors.append(FieldError("finding", Text("No such finding.", "没有该发现项。")))
    if errors:
        raise InvalidInput(Text("The action could not be saved.", "无法保存该改进措施。"), errors)
    action = ImprovementAction(
        organization_id=organization.id,
        finding_id=finding_id,
        title=title.strip(),
        owner=owner.strip(),
        due_on=due_on,
        status="open",
        created_by=actor_user_id,
    )
    session.add(action)
    session.flush()
    session.add(ImprovementActionEvent(action_id=action.id, status="open", by=actor_user_id))
    session.flush()
    return action


def _own_finding(session: Session, organization_id: uuid.UUID, finding_id: uuid.UUID) -> bool:
    found = session.scalar(
        select(Finding.id)
        .join(AssessmentSnapshot, AssessmentSnapshot.id == Finding.snapshot_id)
        .where(Finding.id == finding_id, AssessmentSnapshot.organization_id == organization_id)
    )
    return found is not None


def set_action_status(
    session: Session,
    *,
    action: ImprovementAction,
    status: str,
    note: str | None,
    actor_user_id: uuid.UUID | None,
) -> None:
    """Move an action along (open → in progress → closed, or reopen), or add a note to it
    without moving it; every change is kept in its history."""
    if status not in ACTION_STATUSES:
        raise InvalidInput(
            Text("Unknown status.", "未知状态。"),
            (
                FieldError(
                    "status",
                    Text("Choose open, in progress or closed.", "请选择未开始、进行中或已关闭。"),
                ),
            ),
        )
    note = (note or "").strip() or None
    if note is not None and (CONTROL.search(note) or len(note) > 2000):
        raise InvalidInput(NO_CONTROL, (FieldError("note", NO_CONTROL),))
    if status == action.status and note is None:
        return  # nothing to record
    if status != action.status:
        action.status = status
        action.closed_at = utcnow() if status == "closed" else None
    session.add(
        ImprovementActionEvent(action_id=action.id, status=status, note=note, by=actor_user_id)
    )
    session.flush()


def list_actions(session: Session, organization_id: uuid.UUID) -> list[ImprovementAction]:
    stmt = (
        select(ImprovementAction)
        .where(ImprovementAction.organization_id == organization_id)
        .order_by(ImprovementAction.status == "closed", ImprovementAction.due_on)
    )
    return list(session.scalars(stmt))


def get_action(
    session: Session, organization_id: uuid.UUID, action_id: uuid.UUID
) -> ImprovementAction:
    action = session.get(ImprovementAction, action_id)
    if action is None or action.organization_id != organization_id:
        raise NotFound(Text("No such action.", "没有该改进措施。"))
    return action
