"""Configuration versions, procurement's ratings and the previous period."""

from __future__ import annotations

import gc
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.errors import InvalidInput, NotFound
from esgx_platform.scoring.config import PenaltyKind, config_sha256, default_config_body
from esgx_platform.scoring.services import (
    config_version,
    current_config,
    cyclic_gc_paused,
    previous_period,
    rating_history,
    record_rating,
    relationship_with,
    set_config,
)
from tests.platform.factories import make_org
from tests.platform.rollups.world import Scenario


def test_configuration_versions(session: Session) -> None:
    w = Scenario(session)
    default = current_config(session, w.factory.id)
    assert default.version == 0 and default.sha256 == config_sha256(default_config_body())
    body = default_config_body()
    body["penalties"]["late"] = "15"
    first = set_config(session, organization=w.factory, body=body, actor_user_id=None)
    assert first.version == 1
    # The same content again (even laid out differently) is not a new version.
    again = set_config(
        session,
        organization=w.factory,
        body=json.loads(json.dumps(body, sort_keys=True)),
        actor_user_id=None,
    )
    assert (again.version, again.sha256) == (1, first.sha256)
    body["penalties"]["late"] = "12"
    assert set_config(session, organization=w.factory, body=body, actor_user_id=None).version == 2
    assert current_config(session, w.factory.id).config.penalties[PenaltyKind.LATE] == 12
    assert config_version(session, w.factory.id, 1).sha256 == first.sha256
    with pytest.raises(NotFound):
        config_version(session, w.factory.id, 7)
    events = session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "ranking.config_set")
    ).all()
    assert [e["version"] for e in events] == [1, 2]
    # Configurations are the factory's own: another factory still has the default.
    other = make_org(session, "lead_factory", "Other Plant")
    assert current_config(session, other.id).version == 0


def test_an_invalid_configuration_or_a_supplier_is_refused(session: Session) -> None:
    w = Scenario(session)
    body = default_config_body()
    body["metrics"][0]["weight"] = "21"
    with pytest.raises(InvalidInput) as caught:
        set_config(session, organization=w.factory, body=body, actor_user_id=None)
    assert caught.value.errors[0].path == "$.metrics"
    supplier = w.supplier("Alpha")
    with pytest.raises(InvalidInput) as caught:
        set_config(
            session, organization=supplier.org, body=default_config_body(), actor_user_id=None
        )
    assert caught.value.detail.en == "Only a lead factory ranks suppliers."


def test_ratings_are_versioned_and_audited(session: Session) -> None:
    w = Scenario(session)
    alpha = w.supplier("Alpha")
    rel = relationship_with(session, w.factory.id, alpha.org.id)
    record_rating(
        session, relationship=rel, cdp_score="B", ecovadis_medal=None, note=" ", actor_user_id=None
    )
    record_rating(
        session,
        relationship=rel,
        cdp_score="A-",
        ecovadis_medal="gold",
        note="CDP 2025 response",
        actor_user_id=None,
    )
    history = rating_history(session, rel.id)
    assert [(r.version, r.cdp_score, r.ecovadis_medal, r.note) for r in history] == [
        (2, "A-", "gold", "CDP 2025 response"),
        (1, "B", None, None),
    ]
    actions = session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "ranking.rating_recorded")
    ).all()
    assert [(a["version"], a["cdpScore"]) for a in actions] == [(1, "B"), (2, "A-")]
    with pytest.raises(InvalidInput) as caught:
        record_rating(
            session,
            relationship=rel,
            cdp_score="E",
            ecovadis_medal="diamond",
            note=None,
            actor_user_id=None,
        )
    assert [e.path for e in caught.value.errors] == ["$.cdpScore", "$.ecovadisMedal"]
    assert caught.value.errors[1].message.zh.startswith("EcoVadis 奖章须为")
    stranger = make_org(session, "supplier", "Stranger")
    with pytest.raises(NotFound):
        relationship_with(session, w.factory.id, stranger.id)


@pytest.mark.parametrize(
    ("period", "before"), [("2025", "2024"), ("2025-Q3", "2025-Q2"), ("2025-Q1", "2024-Q4")]
)
def test_the_previous_period(period: str, before: str) -> None:
    assert previous_period(period) == before


def _paused_then_failing() -> None:
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():  # nested: the outer one decides
            pass
        assert not gc.isenabled()
        raise RuntimeError


def test_the_garbage_collector_resumes_after_a_ranking() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        _paused_then_failing()
    assert gc.isenabled()
