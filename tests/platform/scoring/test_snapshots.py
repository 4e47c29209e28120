"""Snapshots reproduce exactly from what they store, and a changed input is detected."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from esgx_platform.organizations.services import give_consent
from esgx_platform.scoring.config import default_config_body
from esgx_platform.scoring.facts import inputs_from_json, inputs_json
from esgx_platform.scoring.gather import gather_inputs
from esgx_platform.scoring.records import RankingSnapshot
from esgx_platform.scoring.services import record_rating, set_config
from esgx_platform.scoring.snapshots import (
    get_snapshot,
    list_snapshots,
    recompute,
    store_snapshot,
    verify_snapshot,
)
from tests.platform.rollups.world import Scenario, Supplier, at

Q3 = "2025-Q3"


def world(session: Session) -> tuple[Scenario, dict[str, Supplier]]:
    w = Scenario(session)
    w.periods("2025-Q2", Q3)
    alpha, beta, gamma = w.supplier("Alpha"), w.supplier("Beta"), w.supplier("Gamma", consent=False)
    w.file(alpha, "2025-Q2", "20.00")
    w.file(alpha, Q3, "18.00", renewable="30.00")
    w.file(beta, Q3, "40.00", verification="reasonable")
    w.file(gamma, Q3, "5.00")
    session.flush()
    return w, {"alpha": alpha, "beta": beta, "gamma": gamma}


def test_inputs_round_trip_through_json(session: Session) -> None:
    w, _ = world(session)
    inputs = gather_inputs(session, lead_factory_id=w.factory.id, period=Q3)
    assert inputs_from_json(inputs_json(inputs)) == inputs


def test_a_snapshot_reproduces_exactly(session: Session) -> None:
    w, s = world(session)
    snapshot = store_snapshot(session, organization=w.factory, period=Q3, actor_user_id=None)
    session.expire_all()
    stored = get_snapshot(session, w.factory.id, snapshot.id)
    assert (stored.period, stored.config_version, stored.supplier_count) == (Q3, 0, 3)
    # The trend: the quarter before was ranked with the same configuration.
    assert stored.result["previousPeriod"] == "2025-Q2"
    assert stored.inputs["previous"]
    # Recomputing from the stored inputs and configuration gives the stored result exactly.
    assert recompute(stored.inputs, stored.config, stored.config_version) == stored.result
    check = verify_snapshot(session, stored)
    assert check.as_json() == {
        "ok": True,
        "inputsIntact": True,
        "configIntact": True,
        "reproduced": True,
        "sourcesMismatched": [],
        "changedSince": [],
    }
    # The content ids it rests on are the visible disclosures (not Gamma's: no consent).
    ids = inputs_from_json(stored.inputs).content_ids()
    assert s["beta"].filed[Q3] in ids and s["gamma"].filed[Q3] not in ids
    assert [x.id for x in list_snapshots(session, w.factory.id)] == [snapshot.id]


def test_later_changes_are_detected_and_the_snapshot_still_reproduces(session: Session) -> None:
    w, s = world(session)
    snapshot = store_snapshot(session, organization=w.factory, period=Q3, actor_user_id=None)
    # After the snapshot: Alpha restates its quarter, Gamma gives consent, and the factory
    # changes its weights.
    w.restate(s["alpha"], Q3, "12.00", when=at("2025-11-02"))
    give_consent(session, s["gamma"].relationship, actor_user_id=None)
    body = default_config_body()
    body["penalties"]["late"] = "15"
    set_config(session, organization=w.factory, body=body, actor_user_id=None)
    session.flush()
    check = verify_snapshot(session, snapshot)
    # What was stored still recomputes exactly (with the configuration it was taken with) ...
    assert check.ok and check.reproduced
    # ... and the suppliers whose inputs have changed since are named.
    assert check.changed_since == sorted(
        [str(s["alpha"].relationship.id), str(s["gamma"].relationship.id)]
    )
    later = store_snapshot(session, organization=w.factory, period=Q3, actor_user_id=None)
    assert later.config_version == 1 and later.result != snapshot.result


def test_a_tampered_input_or_result_is_detected(session: Session) -> None:
    w, _ = world(session)
    snapshot = store_snapshot(session, organization=w.factory, period=Q3, actor_user_id=None)
    # A copy (the stored row cannot be changed) with one figure altered: it no longer hashes
    # to what was stored, no longer gives the stored result, and no longer matches the
    # disclosure its content id names.
    inputs = copy.deepcopy(snapshot.inputs)
    figures = next(q["figures"] for x in inputs["suppliers"] for q in x["quarters"] if q["figures"])
    figures["scope1"] = "1.000000"
    forged = RankingSnapshot(
        organization_id=snapshot.organization_id,
        period=snapshot.period,
        config_version=snapshot.config_version,
        config_sha256=snapshot.config_sha256,
        inputs_sha256=snapshot.inputs_sha256,
        result_sha256=snapshot.result_sha256,
        supplier_count=snapshot.supplier_count,
        config=snapshot.config,
        inputs=inputs,
        result=snapshot.result,
        log_size=snapshot.log_size,
    )
    check = verify_snapshot(session, forged, compare_live=False)
    assert not check.ok
    assert (check.inputs_intact, check.config_intact, check.reproduced) == (False, True, False)
    assert check.sources_mismatched == [figures["content_id"]]
    # A changed weight: the configuration no longer hashes to what was stored.
    config = copy.deepcopy(snapshot.config)
    config["metrics"][0]["weight"], config["metrics"][1]["weight"] = "15", "10"
    forged.inputs, forged.config = snapshot.inputs, config
    check = verify_snapshot(session, forged, compare_live=False)
    assert (check.inputs_intact, check.config_intact, check.reproduced) == (True, False, False)


def test_snapshots_configurations_and_ratings_are_append_only(session: Session) -> None:
    w, s = world(session)
    snapshot = store_snapshot(session, organization=w.factory, period=Q3, actor_user_id=None)
    body = default_config_body()
    body["penalties"]["late"] = "15"
    set_config(session, organization=w.factory, body=body, actor_user_id=None)
    record_rating(
        session,
        relationship=s["alpha"].relationship,
        cdp_score="B",
        ecovadis_medal="silver",
        note=None,
        actor_user_id=None,
    )
    session.flush()
    for statement in (
        update(RankingSnapshot).where(RankingSnapshot.id == snapshot.id).values(period="2025"),
        text("DELETE FROM ranking_snapshots"),
        text("UPDATE ranking_configs SET version = 9"),
        text("DELETE FROM supplier_ratings"),
    ):
        with pytest.raises(DatabaseError), session.begin_nested():
            session.execute(statement)
