// Retries of docker commands that failed on a transient registry fault (a 503, a
// rate limit, a dropped connection): the backoff and the loop. Which failures are
// transient is read from docker's output (failures.ts). Pure: no I/O, no
// clock, no randomness of its own; the caller passes sleep and random in
// (see RetryHooks).
import type { Classification } from './failures.js'

export interface RetryPolicy {
  /** How many times the command runs at most (1: no retry). */
  attempts: number
  /** Delay before the first retry; doubled for each later one. */
  baseMs: number
  /** No computed delay is longer than this (a Retry-After hint may be, up to MAX_RETRY_AFTER_MS). */
  capMs: number
}

/**
 * 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s. A registry blip (a load balancer
 * restarting a node, a rolling deploy, a short rate limit) passes within seconds
 * to tens of seconds, so a few retries with these delays ride it out, while a CI
 * job never sits idle for more than half a minute between two attempts; an outage
 * longer than that is better reported than waited for. (The engine's own layer
 * retries wait 5, 10, 15 and 20 s.)
 */
export const DEFAULT_POLICY: Omit<RetryPolicy, 'attempts'> = { baseMs: 1000, capMs: 30_000 }

/** A registry's Retry-After is honoured up to this, so a hostile or broken header cannot stall a job. */
export const MAX_RETRY_AFTER_MS = 60_000

/**
 * Delay before retry number `retry` (1 = the first retry): base, 2×base, 4×base…
 * capped at capMs, with "equal jitter" (a random point in the upper half: [d/2, d)),
 * so concurrent jobs spread out yet the wait still grows. A Retry-After hint is a
 * floor, itself capped at MAX_RETRY_AFTER_MS.
 */
export function retryDelay(
  retry: number,
  policy: Omit<RetryPolicy, 'attempts'>,
  random: () => number,
  hintMs?: number
): number {
  const n = Math.max(1, Math.floor(retry))
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(n - 1, 52))
  const r = Math.min(Math.max(random(), 0), 1)
  const jittered = exponential / 2 + (exponential / 2) * r
  const floor = hintMs !== undefined && Number.isFinite(hintMs) && hintMs > 0 ? Math.min(hintMs, MAX_RETRY_AFTER_MS) : 0
  return Math.round(Math.max(jittered, floor))
}

export interface RetryHooks {
  sleep(ms: number): Promise<void>
  /** A number in [0, 1), for the jitter. */
  random(): number
  /** Called before each wait; `attempt` is the attempt that just failed (1-based). */
  onRetry(info: { attempt: number; attempts: number; reason: string; delayMs: number }): void
}

/** An attempt's value, or its error and whether trying again can help (classifyFailure). */
export type AttemptResult<T> = { ok: true; value: T } | { ok: false; classification: Classification; error: Error }

/**
 * Runs `attempt` up to policy.attempts times. Only transient failures are retried; a permanent one is thrown at once, and after the last
 * attempt its error is thrown. A rejected `attempt` (not a failed command) is not
 * retried.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<AttemptResult<T>>,
  hooks: RetryHooks
): Promise<T> {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1)
    throw new RangeError(`attempts must be a whole number of at least 1, got ${policy.attempts}`)
  for (let n = 1; ; n++) {
    const result = await attempt()
    if (result.ok) return result.value
    if (n >= policy.attempts) throw result.error
    const { classification } = result
    if (!classification.transient) throw result.error
    const delayMs = retryDelay(n, policy, hooks.random, classification.retryAfterMs)
    hooks.onRetry({ attempt: n, attempts: policy.attempts, reason: classification.reason, delayMs })
    await hooks.sleep(delayMs)
  }
}
