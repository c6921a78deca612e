// The doctor's report: one line per check, its status, what it saw, and for a failure the most
// likely cause in words an operator can act on.

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface CheckResult {
  /** configuration, mongodb, redis, livekit-api, clock, service, webhook-path, cleanup */
  name: string;
  status: CheckStatus;
  /** What was seen (durations, names; never a secret). */
  detail: string;
  /** For warn and fail: the most likely cause and what to change. */
  cause?: string;
}

export interface DoctorReport {
  version: string;
  checks: CheckResult[];
  /** True when no check failed: the whole path from LiveKit to the service works. */
  ok: boolean;
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' };

export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = [`autostart doctor ${report.version}`];
  for (const check of report.checks) {
    lines.push(`  ${LABEL[check.status]}  ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.cause) lines.push(`        ${' '.repeat(width)}  cause: ${check.cause}`);
  }
  lines.push(report.ok ? 'result: ok, webhooks from LiveKit reach the service' : 'result: FAILED, see the causes above');
  return lines.join('\n');
}
