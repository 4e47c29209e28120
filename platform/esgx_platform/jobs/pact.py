"""The PACT job: answer lead factories' footprint requests at their own endpoints."""

from __future__ import annotations

from esgx_platform.jobs.base import JobContext, JobResult
from esgx_platform.pact.requests import answer_due
from esgx_platform.secretbox import SecretBox


def answer_pact_requests(ctx: JobContext) -> JobResult:
    """Fulfil or reject pending RequestCreated events; retry failed deliveries with back-off."""
    report = answer_due(
        ctx.database,
        SecretBox(ctx.settings.encryption_keys),
        host_source=ctx.settings.base_url,
        ca_file=ctx.settings.outbound_ca_file,
    )
    return JobResult.ok(report.summary()) if report.busy() else JobResult.skipped(report.summary())
