import { describe, expect, it } from '@jest/globals'
import { classifyFailure } from '../../../src/docker/failures.js'
import { DEFAULT_POLICY, MAX_RETRY_AFTER_MS, retryDelay, withRetries } from '../../../src/docker/retry.js'
import type { AttemptResult, RetryHooks } from '../../../src/docker/retry.js'

// The backoff and the retry loop. Which failures are transient is
// docker/failures.ts's, tested with real docker output in e2e/faults.test.ts.
describe('retryDelay', () => {
  const policy = { baseMs: 1000, capMs: 30000 }

  it('uses 1 s doubling to a 30 s cap by default', () => {
    expect(DEFAULT_POLICY).toEqual({ baseMs: 1000, capMs: 30000 })
  })

  it('doubles from base and stops at the cap (jitter at its top)', () => {
    const top = (): number => 0.999999
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => retryDelay(n, policy, top))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000
    ])
  })

  it('jitters within the upper half: [d/2, d)', () => {
    expect(retryDelay(1, policy, () => 0)).toBe(500)
    expect(retryDelay(1, policy, () => 0.5)).toBe(750)
    expect(retryDelay(3, policy, () => 0)).toBe(2000)
    expect(retryDelay(3, policy, () => 0.5)).toBe(3000)
    expect(retryDelay(10, policy, () => 0)).toBe(15000)
    for (let i = 0; i < 200; i++) {
      const d = retryDelay(4, policy, Math.random)
      expect(d).toBeGreaterThanOrEqual(4000)
      expect(d).toBeLessThanOrEqual(8000)
    }
  })

  it('keeps random() out of range from breaking the bounds', () => {
    expect(retryDelay(2, policy, () => -3)).toBe(1000)
    expect(retryDelay(2, policy, () => 7)).toBe(2000)
  })

  it('treats a retry number below 1 as the first retry, and survives huge ones', () => {
    expect(retryDelay(0, policy, () => 0)).toBe(500)
    expect(retryDelay(5000, policy, () => 0)).toBe(15000)
  })

  it('honours a Retry-After hint as a floor, capped at 60 s', () => {
    expect(retryDelay(1, policy, () => 0, 5000)).toBe(5000)
    expect(retryDelay(6, policy, () => 0.999999, 5000)).toBe(30000)
    expect(retryDelay(1, policy, () => 0, 3_600_000)).toBe(MAX_RETRY_AFTER_MS)
    expect(MAX_RETRY_AFTER_MS).toBe(60000)
    expect(retryDelay(1, policy, () => 0, 0)).toBe(500)
    expect(retryDelay(1, policy, () => 0, Number.NaN)).toBe(500)
  })
})

describe('withRetries', () => {
  const policy = { attempts: 3, baseMs: 1000, capMs: 30000 }
  const TRANSIENT = 'received unexpected HTTP status: 503 Service Unavailable\n'
  const PERMANENT =
    'Error response from daemon: login attempt to https://localhost:5443/v2/ failed with status: 401 Unauthorized\n'

  function hooks(): RetryHooks & { slept: number[]; retries: Parameters<RetryHooks['onRetry']>[0][] } {
    const slept: number[] = []
    const retries: Parameters<RetryHooks['onRetry']>[0][] = []
    return {
      slept,
      retries,
      sleep: async (ms) => {
        slept.push(ms)
      },
      random: () => 0,
      onRetry: (info) => retries.push(info)
    }
  }

  /** An attempt function that plays the given results in order. */
  function script<T>(results: AttemptResult<T>[]): { attempt: () => Promise<AttemptResult<T>>; calls: () => number } {
    let calls = 0
    return {
      attempt: async () => {
        const r = results[Math.min(calls, results.length - 1)]
        calls++
        return r
      },
      calls: () => calls
    }
  }

  const fail = (output: string, message = output.trim()): AttemptResult<never> => ({
    ok: false,
    classification: classifyFailure(output),
    error: new Error(message)
  })

  it('returns the first success without waiting', async () => {
    const h = hooks()
    const s = script([{ ok: true, value: 'sha256:abc' }])
    await expect(withRetries(policy, s.attempt, h)).resolves.toBe('sha256:abc')
    expect(s.calls()).toBe(1)
    expect(h.slept).toEqual([])
    expect(h.retries).toEqual([])
  })

  it('retries transient failures and returns the later success', async () => {
    const h = hooks()
    const s = script<string>([
      fail(TRANSIENT),
      fail('Put "http://localhost:1/v2/x/manifests/v1": EOF\n'),
      { ok: true, value: 'done' }
    ])
    await expect(withRetries(policy, s.attempt, h)).resolves.toBe('done')
    expect(s.calls()).toBe(3)
    expect(h.slept).toEqual([500, 1000])
    expect(h.retries).toEqual([
      { attempt: 1, attempts: 3, reason: 'the registry answered 503 Service Unavailable', delayMs: 500 },
      { attempt: 2, attempts: 3, reason: 'the registry closed the connection (EOF)', delayMs: 1000 }
    ])
  })

  it('throws the last error once the attempts are used up', async () => {
    const h = hooks()
    const s = script<string>([
      fail(TRANSIENT, 'first'),
      fail(TRANSIENT, 'second'),
      fail(TRANSIENT, 'third'),
      { ok: true, value: 'never' }
    ])
    await expect(withRetries(policy, s.attempt, h)).rejects.toThrow('third')
    expect(s.calls()).toBe(3)
    expect(h.slept).toHaveLength(2)
  })

  it('throws a permanent failure at once', async () => {
    const h = hooks()
    const s = script<string>([fail(PERMANENT, 'bad password'), { ok: true, value: 'never' }])
    await expect(withRetries(policy, s.attempt, h)).rejects.toThrow('bad password')
    expect(s.calls()).toBe(1)
    expect(h.slept).toEqual([])
  })

  it('stops at a permanent failure after transient ones', async () => {
    const h = hooks()
    const s = script<string>([fail(TRANSIENT), fail(PERMANENT, 'bad password'), { ok: true, value: 'never' }])
    await expect(withRetries({ ...policy, attempts: 5 }, s.attempt, h)).rejects.toThrow('bad password')
    expect(s.calls()).toBe(2)
  })

  it('runs once with attempts: 1', async () => {
    const h = hooks()
    const s = script<string>([fail(TRANSIENT, 'only'), { ok: true, value: 'never' }])
    await expect(withRetries({ ...policy, attempts: 1 }, s.attempt, h)).rejects.toThrow('only')
    expect(s.calls()).toBe(1)
    expect(h.retries).toEqual([])
  })

  it('waits at least the Retry-After hint', async () => {
    const h = hooks()
    const s = script<string>([fail('toomanyrequests: slow down, retry after 7s\n'), { ok: true, value: 'ok' }])
    await expect(withRetries(policy, s.attempt, h)).resolves.toBe('ok')
    expect(h.slept).toEqual([7000])
  })

  it('uses the growing, capped delays of the policy', async () => {
    const h = hooks()
    h.random = () => 0.999999
    const s = script<string>([fail(TRANSIENT)])
    await expect(withRetries({ attempts: 8, baseMs: 1000, capMs: 10000 }, s.attempt, h)).rejects.toThrow()
    expect(h.slept).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000])
    expect(h.retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('does not retry an attempt function that rejects', async () => {
    const h = hooks()
    let calls = 0
    const attempt = async (): Promise<AttemptResult<string>> => {
      calls++
      throw new Error('spawn docker ENOENT')
    }
    await expect(withRetries(policy, attempt, h)).rejects.toThrow('ENOENT')
    expect(calls).toBe(1)
  })

  it('refuses a policy without a whole number of attempts', async () => {
    const s = script<string>([{ ok: true, value: 'x' }])
    await expect(withRetries({ ...policy, attempts: 0 }, s.attempt, hooks())).rejects.toThrow(RangeError)
    await expect(withRetries({ ...policy, attempts: 1.5 }, s.attempt, hooks())).rejects.toThrow(RangeError)
    await expect(withRetries({ ...policy, attempts: Number.NaN }, s.attempt, hooks())).rejects.toThrow(RangeError)
    expect(s.calls()).toBe(0)
  })
})
