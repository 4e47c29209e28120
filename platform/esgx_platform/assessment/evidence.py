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
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.assessment.records import AssessmentSnapshot, Finding
from esgx_platform.exports import Cell, csv_bytes, xlsx_bytes
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure
from esgx_platform.intake.receipts import LogSigner, bundle_for, covering_checkpoint
from esgx_platform.keys.services import key_events
from esgx_platform.ledger.checkpoints import checkpoint_with_cosignatures
from esgx_platform.ledger.models import LogKey
from esgx_platform.organizations.models import Organization

Signed = StoredDisclosure | FootprintCredential
# Fixed timestamps inside the ZIP: the same snapshot always gives the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def evidence_pack(
    session: Session,
    *,
    snapshot: AssessmentSnapshot,
    findings: Sequence[Finding],
    signer: LogSigner,
) -> bytes:
    """The ZIP for `snapshot`. May sign a checkpoint when none covers its disclosures yet, so
    the caller runs it in a write transaction."""
    ids = [*snapshot.inputs["supplierDisclosures"], *snapshot.inputs["ownDisclosures"]]
    rows = _disclosures(session, ids)
    newest = max((r.log_index for r in rows), default=0)
    checkpoint = covering_checkpoint(session, newest, signer)
    files: dict[str, bytes] = {}
    for row in rows:
        files[f"disclosures/{row.content_id}.jws"] = row.jws.encode("ascii")
        bundle = bundle_for(session, row, signer)
        files[f"bundles/{row.content_id}.json"] = _json(bundle)
    files.update(_key_events(session, rows))
    files["log/checkpoint.txt"] = checkpoint_with_cosignatures(session, checkpoint).encode()
    # The key that signed this checkpoint (every bundle here is checked against it), and all
    # the log's keys, retired ones included, for reference.
    signing_key = session.get(LogKey, checkpoint.log_key_id)
    assert signing_key is not None
    files["log/verifier-key.txt"] = (signing_key.verifier_key + "\n").encode()
    files["log/all-verifier-keys.txt"] = _verifier_keys(session)
    files["assessment/snapshot.json"] = _json(_snapshot_json(snapshot, findings))
    files.update(_summaries(session, snapshot, rows))
    files["README.md"] = readme(snapshot, len(rows)).encode()
    files["MANIFEST.sha256"] = _manifest(files)
    return _zip(files)


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


def _key_events(session: Session, rows: Sequence[Signed]) -> dict[str, bytes]:
    """Each issuer's key history (registrations, rotations, revocations) as signed and logged;
    the bundles carry the same events with receipts, this is the readable overview."""
    files: dict[str, bytes] = {}
    for org_id in sorted({r.organization_id for r in rows}, key=str):
        org = session.get(Organization, org_id)
        assert org is not None
        events = [
            {"logIndex": e.log_index, "event": e.envelope}
            for e in key_events(session, organization_id=org_id)
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
    files["summary/summary.xlsx"] = xlsx_bytes(sheets)
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


def readme(snapshot: AssessmentSnapshot, count: int) -> str:
    """How to check the pack offline, in English and Chinese."""
    created = snapshot.created_at
    stamp = created.isoformat() if isinstance(created, datetime) else str(created)
    return README.format(
        period=snapshot.period,
        grade=snapshot.grade,
        score=snapshot.total_score,
        model=f"{snapshot.model_id} {snapshot.model_version}",
        sha=snapshot.model_sha256,
        count=count,
        created=stamp,
        size=snapshot.inputs.get("logSize"),
    )


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
