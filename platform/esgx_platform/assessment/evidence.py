"""The evidence pack: a ZIP an auditor can check offline, years later, with `esgx-sign`.

It holds every disclosure an assessment used (the JWS as filed and an offline bundle: receipt,
the issuer's key events with their receipts, the log's verifier key), the log's verifier keys
and newest checkpoint, the assessment snapshot and its model, CSV and XLSX summaries, a README
in both languages, and a SHA-256 manifest of all of it.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.assessment.records import AssessmentSnapshot, Finding
from esgx_platform.exports import Cell, csv_bytes, xlsx_bytes
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure
from esgx_platform.intake.receipts import receipts_for
from esgx_platform.keys.services import key_events
from esgx_platform.ledger.checkpoints import checkpoint_with_cosignatures, latest_checkpoint
from esgx_platform.ledger.models import LogCheckpoint, LogKey
from esgx_platform.organizations.models import Organization
from signing import build_bundle

Signed = StoredDisclosure | FootprintCredential
# Fixed timestamps inside the ZIP: the same snapshot always gives the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def pack_checkpoint(session: Session, snapshot: AssessmentSnapshot) -> LogCheckpoint | None:
    """The checkpoint the pack's bundles are checked against: the one recorded when the
    assessment was made (older snapshots: the newest one if it covers their disclosures)."""
    recorded = snapshot.inputs.get("checkpoint")
    if recorded:
        return session.get(LogCheckpoint, recorded["id"])
    latest = latest_checkpoint(session)
    ids = [*snapshot.inputs["supplierDisclosures"], *snapshot.inputs["ownDisclosures"]]
    newest = max((r.log_index for r in _disclosures(session, ids)), default=-1)
    return latest if latest is not None and latest.size > newest else None


def evidence_pack(
    session: Session,
    *,
    snapshot: AssessmentSnapshot,
    findings: Sequence[Finding],
    checkpoint: LogCheckpoint,
    readable: Callable[[uuid.UUID], bool],
) -> bytes:
    """The ZIP for `snapshot`, read-only: the same snapshot gives the same bytes while the
    reader's access stays the same. Disclosures of organizations `readable` refuses (a supplier
    that has withdrawn consent since) are left out and listed in `withheld.json`."""
    ids = [*snapshot.inputs["supplierDisclosures"], *snapshot.inputs["ownDisclosures"]]
    found = _disclosures(session, ids)
    rows = [r for r in found if readable(r.organization_id)]
    withheld = sorted(set(ids) - {r.content_id for r in rows})
    files: dict[str, bytes] = {}
    for row, bundle in zip(rows, _bundles(session, rows, checkpoint), strict=True):
        files[f"disclosures/{row.content_id}.jws"] = row.jws.encode("ascii")
        files[f"bundles/{row.content_id}.json"] = _json(bundle)
    files.update(_key_events(session, rows, checkpoint.size))
    files["log/checkpoint.txt"] = checkpoint_with_cosignatures(session, checkpoint).encode()
    # The key that signed this checkpoint (every bundle here is checked against it), and all
    # the log's keys, retired ones included, for reference.
    signing_key = session.get(LogKey, checkpoint.log_key_id)
    assert signing_key is not None
    files["log/verifier-key.txt"] = (signing_key.verifier_key + "\n").encode()
    files["log/all-verifier-keys.txt"] = _verifier_keys(session)
    files["assessment/snapshot.json"] = _json(_snapshot_json(snapshot, findings))
    if withheld:
        files["withheld.json"] = _json({"reason": WITHHELD, "contentIds": withheld})
    files.update(_summaries(session, snapshot, rows))
    files["README.md"] = readme(snapshot, len(rows), len(withheld)).encode()
    files["MANIFEST.sha256"] = _manifest(files)
    return _zip(files)


WITHHELD = {
    "en": "Used by the assessment, but the issuer no longer shares its data with you (consent "
    "withdrawn or the relationship ended), so its disclosure is not in this pack.",
    "zh": "评价时使用过，但签发方已不再向您共享数据（撤回同意或供应关系已结束），"
    "故本证据包未收录其披露。",
}


def _bundles(
    session: Session, rows: Sequence[Signed], checkpoint: LogCheckpoint
) -> list[dict[str, Any]]:
    """Every row's offline bundle against one checkpoint, with one receipt query for all of
    them and one key-event query per issuer (not a round of queries per disclosure)."""
    events = {
        org_id: [
            e for e in key_events(session, organization_id=org_id) if e.log_index < checkpoint.size
        ]
        for org_id in {r.organization_id for r in rows}
    }
    indices = {r.log_index for r in rows} | {e.log_index for es in events.values() for e in es}
    receipts = receipts_for(session, sorted(indices), checkpoint) if indices else {}
    log_key = session.get(LogKey, checkpoint.log_key_id)
    assert log_key is not None
    return [
        build_bundle(
            credential=r.jws,
            receipt=receipts[r.log_index],
            key_events=[(e.envelope, receipts[e.log_index]) for e in events[r.organization_id]],
            log_key=log_key.verifier_key,
        )
        for r in rows
    ]


def _disclosures(session: Session, content_ids: Iterable[str]) -> list[Signed]:
    """The stored credentials behind the content ids: disclosures, and the stand-alone footprint
    credentials that priced purchases."""
    wanted = sorted(set(content_ids))
    found: list[Signed] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for model in (StoredDisclosure, FootprintCredential):
            found += session.scalars(select(model).where(model.content_id.in_(chunk)))
    return sorted(found, key=lambda r: r.log_index)


def _key_events(session: Session, rows: Sequence[Signed], size: int) -> dict[str, bytes]:
    """Each issuer's key history (registrations, rotations, revocations) as signed and logged;
    the bundles carry the same events with receipts, this is the readable overview."""
    files: dict[str, bytes] = {}
    for org_id in sorted({r.organization_id for r in rows}, key=str):
        org = session.get(Organization, org_id)
        assert org is not None
        events = [
            {"logIndex": e.log_index, "event": e.envelope}
            for e in key_events(session, organization_id=org_id)
            if e.log_index < size  # as the checkpoint saw them
        ]
        files[f"key-events/{org.uscc or org.id}.json"] = _json(
            {"organization": org.urn, "name": org.name_en, "events": events}
        )
    return files


def _verifier_keys(session: Session) -> bytes:
    keys = session.scalars(select(LogKey).order_by(LogKey.id)).all()
    return "".join(k.verifier_key + "\n" for k in keys).encode()


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _snapshot_json(snapshot: AssessmentSnapshot, findings: Sequence[Finding]) -> dict[str, Any]:
    return {
        "id": str(snapshot.id),
        "organizationId": str(snapshot.organization_id),
        "period": snapshot.period,
        "createdAt": snapshot.created_at.isoformat(),
        "model": {
            "id": snapshot.model_id,
            "version": snapshot.model_version,
            "sha256": snapshot.model_sha256,
        },
        "grade": snapshot.grade,
        "totalScore": str(snapshot.total_score),
        "inputs": snapshot.inputs,
        "metrics": snapshot.metrics,
        "result": snapshot.result,
        "findings": [
            {
                "indicator": f.indicator_id,
                "severity": f.severity,
                "title": {"en": f.title_en, "zh": f.title_zh},
                "action": {"en": f.action_en, "zh": f.action_zh},
                "observed": f.observed,
            }
            for f in findings
        ],
    }


def _summaries(
    session: Session, snapshot: AssessmentSnapshot, rows: Sequence[Signed]
) -> dict[str, bytes]:
    found = session.execute(
        select(Organization.id, Organization.name_en).where(
            Organization.id.in_({r.organization_id for r in rows})
        )
    )
    names = {org_id: name for org_id, name in found}
    rollup = snapshot.result["rollup"]
    sheets: list[tuple[str, Sequence[str], list[Sequence[Cell]]]] = [
        ("categories", *_category_rows(rollup)),
        ("disclosures", *_disclosure_rows(rows, names)),
        ("assessment", *_indicator_rows(snapshot.result["assessment"])),
    ]
    files = {f"summary/{title}.csv": csv_bytes(header, body) for title, header, body in sheets}
    files["summary/summary.xlsx"] = xlsx_bytes(sheets, stamp=snapshot.created_at)
    return files


def _category_rows(rollup: dict[str, Any]) -> tuple[Sequence[str], list[Sequence[Cell]]]:
    header = ["category", "tco2e", "supplier_data_pct", "primary_data_pct", "coverage_by_spend_pct"]
    body: list[Sequence[Cell]] = [
        [
            category,
            _dec(figures["tco2e"]),
            _dec(figures["supplierDataPct"]),
            _dec(figures["primaryDataPct"]),
            _dec(figures["coverageBySpendPct"]),
        ]
        for category, figures in [*rollup["categories"].items(), ("total", rollup["total"])]
    ]
    return header, body


def _disclosure_rows(
    rows: Sequence[Signed], names: dict[Any, str]
) -> tuple[Sequence[str], list[Sequence[Cell]]]:
    header = ["content_id", "issuer", "organization", "period", "log_index", "logged_at"]
    body: list[Sequence[Cell]] = [
        [
            r.content_id,
            r.issuer,
            names.get(r.organization_id, ""),
            r.period_key if isinstance(r, StoredDisclosure) else "",
            r.log_index,
            r.logged_at.isoformat(),
        ]
        for r in rows
    ]
    return header, body


def _indicator_rows(scored: dict[str, Any]) -> tuple[Sequence[str], list[Sequence[Cell]]]:
    header = ["module", "indicator", "metric", "value", "score", "status"]
    body: list[Sequence[Cell]] = [
        [
            module["id"],
            indicator["id"],
            indicator["metric"],
            _dec(indicator["value"]),
            _dec(indicator["score"]),
            indicator["status"],
        ]
        for module in scored["modules"]
        for indicator in module["indicators"]
    ]
    return header, body


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _manifest(files: dict[str, bytes]) -> bytes:
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ]
    return "".join(lines).encode()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def readme(snapshot: AssessmentSnapshot, count: int, withheld: int = 0) -> str:
    """How to check the pack offline, in English and Chinese."""
    created = snapshot.created_at
    stamp = created.isoformat() if isinstance(created, datetime) else str(created)
    note = WITHHELD_NOTE.format(n=withheld) if withheld else ""
    return note + README.format(
        period=snapshot.period,
        grade=snapshot.grade,
        score=snapshot.total_score,
        model=f"{snapshot.model_id} {snapshot.model_version}",
        sha=snapshot.model_sha256,
        count=count,
        created=stamp,
        size=snapshot.inputs.get("logSize"),
    )


WITHHELD_NOTE = """> {n} disclosure(s) the assessment used are not included: their issuers no longer
> share their data with you. `withheld.json` lists their content ids.
> 评价所用的 {n} 份披露未收录：其签发方已不再向您共享数据，内容标识见 `withheld.json`。

"""

README = """# esgx evidence pack / esgx 证据包

Assessment {period}: grade `{grade}`, {score} points, model {model} (sha256 {sha}),
computed {created} from {count} signed disclosures, with the transparency log at size {size}.

评价期间 {period}：等级 `{grade}`，得分 {score}，评价模型 {model}（sha256 {sha}），
计算于 {created}，依据 {count} 份已签名披露，当时透明日志大小为 {size}。

## What is inside / 内容

- `disclosures/<content id>.jws` — each disclosure exactly as its issuer signed it (compact JWS).
  每份披露的原始签名文件（紧凑 JWS）。
- `bundles/<content id>.json` — everything to verify it offline: the JWS, its log receipt, the
  issuer's key events with their receipts, the log's verifier key.
  离线验证所需的全部材料：JWS、日志回执、签发方密钥事件及其回执、日志验证公钥。
- `key-events/<credit code>.json` — each issuer's key history (registrations, rotations,
  revocations) as signed; the bundles carry the same events with their receipts.
  各签发方的密钥历史（登记、轮换、吊销）原文；证据包内的 bundle 附有相同事件及其回执。
- `log/checkpoint.txt` — the log's signed checkpoint every bundle here is checked against;
  `log/verifier-key.txt` — the log key that signed it (compare it with one you obtained
  independently, e.g. from the platform's `/log/key` or a witness); `log/all-verifier-keys.txt`
  — every key the log has used. 日志签名检查点；签署该检查点的日志验证公钥（请与另行从平台
  `/log/key` 或见证方获取的公钥比对）；日志用过的全部公钥。
- `assessment/snapshot.json` — the assessment as stored: model id, version and sha256, the
  content ids of its inputs, every metric, score, gate and finding.
  评价快照：模型标识、版本与 sha256、输入披露的内容标识、各项指标、得分、门槛与发现项。
- `summary/*.csv`, `summary/summary.xlsx` — the roll-up by category, the disclosures used and
  the indicator scores. 汇总表：按类别的范围三汇总、所用披露、指标得分。
- `MANIFEST.sha256` — SHA-256 of every other file (`sha256sum -c MANIFEST.sha256`).
  其余各文件的 SHA-256 校验值。

## How to verify / 如何验证

1. Check the files: `sha256sum -c MANIFEST.sha256`.
   校验文件完整性。
2. Install the verifier `esgx-sign` from the esgx source (`pip install <esgx checkout>`); its
   `signing` package needs only Python and `cryptography`, no network and no database.
   从 esgx 源码安装验证工具 `esgx-sign`（仅依赖 Python 与 `cryptography`，无需联网或数据库）。
3. Verify every disclosure against the log key:

       for b in bundles/*.json; do
         esgx-sign verify-bundle --log-key log/verifier-key.txt "$b" || echo "FAILED $b"
       done

   Each bundle proves that the JWS was signed by a key its issuer had registered (and not
   revoked) at the time, and that the disclosure is in the append-only log under a checkpoint
   signed by the log key. 每个证据包证明：JWS 由签发方当时已登记且未吊销的密钥签署，且该披露
   已记入只追加日志，并由日志密钥签署的检查点覆盖。
4. A disclosure's content id is the SHA-256 of its signed payload (the JWS's middle part,
   base64url-decoded); the snapshot and the summaries cite figures by these ids.
   内容标识即已签名载荷的 SHA-256；快照与汇总表均以此标识引用数据。

What the signatures and the log do not prove: that the reported figures are true. That is what
the issuers' verification statements (named in each disclosure) and your audit are for.
签名与日志不能证明所报数据本身真实：这需要依靠披露中载明的核查声明以及您的审计。
"""
