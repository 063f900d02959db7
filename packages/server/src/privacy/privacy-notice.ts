import { createHash } from 'node:crypto';
import type { PrivacyNotice, PrivacyNoticeFacts } from '@fedrec/core/protocol';
import type { ResolvedServerConfig } from '../config/server-config.js';

/**
 * The privacy notice this configuration makes true (see `PrivacyNotice`):
 * generated from the resolved configuration — the calibrated noise
 * multiplier included — never written by hand, so it says what the server
 * does. A pure function: the same configuration always gives the same
 * notice and version, across restarts and across the servers of a cluster.
 *
 * @example
 * const notice = privacyNoticeFor(resolveServerConfig(withDefaultPrivacy({ modelDir: './model' })));
 * notice.differentialPrivacy?.epsilon; // 3
 */
export function privacyNoticeFor(config: ResolvedServerConfig): PrivacyNotice {
  const { privacy, rounds, secureAggregation, privacyNotice } = config;
  const operator = privacyNotice === undefined || (privacyNotice.operator === undefined && privacyNotice.contact === undefined)
    ? null
    : { ...(privacyNotice.operator !== undefined ? { name: privacyNotice.operator } : {}), ...(privacyNotice.contact !== undefined ? { contact: privacyNotice.contact } : {}) };
  const facts: PrivacyNoticeFacts = {
    format: 'fedrec-privacy-notice',
    formatVersion: 1,
    // Shoppers' clients decline rounds that announce no DP parameters, so a server without them receives nothing.
    collected: { rawEvents: false, sent: privacy === undefined ? 'nothing' : 'clipped-noised-updates' },
    differentialPrivacy:
      privacy === undefined
        ? null
        : {
            epsilon: privacy.targetEpsilon,
            delta: privacy.delta,
            accountant: privacy.accountant ?? 'rdp',
            clipNorm: privacy.clipNorm,
            noiseMultiplier: privacy.noiseMultiplier,
            noisePlacement: privacy.placement,
          },
    cohortSampling: rounds.sampling.kind === 'poisson' ? { kind: 'poisson', rate: rounds.sampling.rate } : { kind: 'fixed', size: rounds.sampling.size },
    secureAggregation: secureAggregation?.enabled === true,
    // The accumulator sums each accepted update into the round's aggregate and keeps nothing else; only checkpoints reach the disk.
    retention: { updates: 'round-memory', checkpoints: config.modelDir === undefined ? 0 : config.checkpoints.keep },
    operator,
  };
  return { ...facts, version: privacyNoticeVersion(facts) };
}

/** 16 hex digits of SHA-256 over the facts as canonical JSON (keys sorted), so the order fields were written in does not matter. */
export function privacyNoticeVersion(facts: PrivacyNoticeFacts): string {
  return createHash('sha256').update(canonicalJson(facts)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
