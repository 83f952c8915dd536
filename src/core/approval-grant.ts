import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What an approver approves, bound to the release by an HMAC that only slipway's processes can make: the key
 * lives in slipway's environment or its data dir, never in Redis. Whoever can write Redis can change a run's
 * digest or an approval request, but cannot make a signature for the digest they put there.
 */
export type Signed = { runId: string; environment: string; digest: string };

/** A person's go-ahead for one release in one environment of one run, signed when they gave it. */
export type Grant = { environment: string; digest: string; by: string; at: string; signature: string };

// A label and a JSON array: no two different triples give the same bytes, whatever characters they hold.
const message = (s: Signed) => JSON.stringify(['slipway-approval-v1', s.runId, s.environment, s.digest]);

export function signRelease(key: Buffer, signed: Signed): string {
  return createHmac('sha256', key).update(message(signed)).digest('hex');
}

export function verifyRelease(key: Buffer, signed: Signed, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signRelease(key, signed), 'hex'), Buffer.from(signature, 'hex'));
}

export function grantFor(key: Buffer, signed: Signed, by: string, at: Date): Grant {
  return { environment: signed.environment, digest: signed.digest, by, at: at.toISOString(), signature: signRelease(key, signed) };
}

/** Whether the run holds a valid grant for deploying `digest` to `environment`: checked right before the deploy. */
export function grantAllows(key: Buffer, runId: string, grants: readonly Grant[] | undefined, environment: string, digest: string): boolean {
  return (grants ?? []).some((g) => g.environment === environment && g.digest === digest && verifyRelease(key, { runId, environment, digest }, g.signature));
}

/**
 * The grants a re-run of a failed run may take along: only those that verify for the old run and are for the
 * very digest the re-run deploys, signed anew for the new run's id. A grant rewritten in Redis (another digest,
 * another environment) does not verify and stays behind, so the re-run's deploy is refused like any other.
 */
export function carryGrants(key: Buffer, from: { runId: string; grants?: readonly Grant[] }, to: { runId: string; digest: string; environments: readonly string[] }): Grant[] {
  return (from.grants ?? [])
    .filter((g) => g.digest === to.digest && to.environments.includes(g.environment) && verifyRelease(key, { runId: from.runId, environment: g.environment, digest: g.digest }, g.signature))
    .map((g) => ({ ...g, signature: signRelease(key, { runId: to.runId, environment: g.environment, digest: g.digest }) }));
}

/** The release that approvers in this environment must have approved before a deploy. */
export const TAMPERED_CAUSE = 'the release was changed after approval; nothing was deployed';
