// phases/push.ts: the pushes against the scripted docker: each reference's digest, the log of
// one and of several pushes, retries, a failed push among others, and how many run at once.
import { describe, expect, it } from '@jest/globals'
import type { Docker } from '../../../src/docker/docker.js'
import { DockerError } from '../../../src/domain/errors.js'
import { CONCURRENCY } from '../../../src/docker/limit.js'
import type { Pushed } from '../../../src/domain/image.js'
import { pushAll as pushGroups } from '../../../src/phases/push.js'
import type { Plan } from '../../../src/plan/steps.js'
import { after, DENIED, digestOf, ENGINE_DOWN, pushed, UNAVAILABLE } from '../../__fixtures__/docker.js'
import type { Call } from '../../__fixtures__/docker.js'
import { capture, docker, fake, planned, TWO_REPOSITORIES, usePhases } from '../../__fixtures__/phases.js'

usePhases()

/** The plan's pushes, as the push phase runs them; each completed push is also recorded. */
function pushAll(docker: Docker, plan: Plan, record: Pushed[] = []): Promise<Pushed[]> {
  return pushGroups(docker, plan.pushes, plan.attempts, (p) => record.push(p))
}

const refsOf = (calls: Call[]): string[] => calls.map((c) => c.args[1])

describe('pushAll', () => {
  it("takes each reference's digest from its own push's output, however the pushes end", async () => {
    const { plan } = planned(TWO_REPOSITORIES)
    // Each push takes less time than the one started before it, so they end in another order.
    fake.on(['push'], (call) => after(40 - 10 * call.startedAt, pushed(call.args[1])))
    const results = await pushAll(docker, plan)
    expect(results.map((p) => [p.target.ref, p.digest])).toEqual(plan.targets.map((t) => [t.ref, digestOf(t.ref)]))
  })

  it('fails clearly when a push prints no digest', async () => {
    const { plan } = planned({})
    fake.on(['push'], { stdout: 'The push refers to repository [docker.io/alice/app]\nd0191d577827: Pushed\n' })
    await expect(pushAll(docker, plan)).rejects.toThrow(
      'docker push alice/app:latest succeeded but printed no manifest digest, so the digest outputs cannot be set.'
    )
  })

  it("shows one push's output as docker prints it", async () => {
    await pushAll(docker, planned({}).plan)
    expect(fake.calls[0].options).toEqual({})
    expect(capture.lines()).toEqual(['::group::Pushing alice/app:latest', '::endgroup::'])
  })

  it('marks each line of several pushes with its reference', async () => {
    await pushAll(docker, planned({ tags: 'v1,v2' }).plan)
    const lines = capture.lines()
    expect(lines[0]).toBe('::group::Pushing 2 references, up to 4 at a time: alice/app:v1, alice/app:v2')
    expect(lines).toContain(`[alice/app:v1] v1: digest: ${digestOf('alice/app:v1')} size: 735`)
    expect(lines).toContain(`[alice/app:v2] v2: digest: ${digestOf('alice/app:v2')} size: 735`)
    expect(lines.slice(1, -1).every((l) => /^\[alice\/app:v[12]\] /.test(l))).toBe(true)
  })

  describe('retries', () => {
    it('pushes again after a 503, twice, with a warning naming each attempt', async () => {
      fake.on(['push'], UNAVAILABLE, UNAVAILABLE, pushed('alice/app:latest'))
      const [result] = await pushAll(docker, planned({}).plan)
      expect(result.digest).toBe(digestOf('alice/app:latest'))
      expect(fake.commands()).toEqual(['push alice/app:latest', 'push alice/app:latest', 'push alice/app:latest'])
      expect(capture.commands('warning')).toEqual(
        [1, 2].map((n) =>
          expect.stringMatching(
            `^::warning::docker push to docker.io failed on attempt ${n} of 3 \\(the registry answered 503 Service Unavailable\\); trying again in`
          )
        )
      )
    })

    it('gives up after the retries input', async () => {
      fake.on(['push'], UNAVAILABLE)
      await expect(pushAll(docker, planned({ retries: '2' }).plan)).rejects.toThrow(
        /503 Service Unavailable \(docker push alice\/app:latest failed, exit code 1; docker\.io: gave up after 2 attempts\)$/
      )
      expect(fake.calls).toHaveLength(2)
    })

    it('does not retry a denied push', async () => {
      fake.on(['push'], DENIED)
      await expect(pushAll(docker, planned({}).plan)).rejects.toThrow(
        'denied: requested access to the resource is denied (docker push alice/app:latest failed, exit code 1)'
      )
      expect(fake.calls).toHaveLength(1)
    })

    it('says the engine is not reachable, without retrying', async () => {
      fake.on(['push'], ENGINE_DOWN)
      await expect(pushAll(docker, planned({}).plan)).rejects.toThrow(
        /^The Docker engine is not reachable at the default socket \/var\/run\/docker\.sock\./
      )
      expect(fake.calls).toHaveLength(1)
      expect(capture.commands('warning')).toEqual([])
    })
  })

  describe('when one push fails', () => {
    /** Runs the pushes with `failing` denied at once and every other push slow; returns what ran. */
    async function pushWithFailure(failing: string) {
      fake.on(['push'], (call) => (call.args[1] === failing ? DENIED : after(30, pushed(call.args[1]))))
      let inFlightAtError = -1
      const error = await pushAll(docker, planned({ ...TWO_REPOSITORIES, tags: 'v1,v2,v3' }).plan).then(
        () => new Error('the pushes did not fail'),
        (err: Error) => {
          inFlightAtError = fake.inFlight
          return err
        }
      )
      const succeeded = fake.calls.filter((c) => c.result?.exitCode === 0)
      return { error, inFlightAtError, succeeded: refsOf(succeeded), started: refsOf(fake.calls) }
    }

    it("lets the other repository's pushes finish before the error is thrown", async () => {
      const run = await pushWithFailure('alice/app:v1')
      expect(run.error).toBeInstanceOf(DockerError)
      expect(run.error.message).toMatch(
        /^denied: requested access to the resource is denied \(docker push alice\/app:v1 failed, exit code 1\)$/
      )
      expect(run.inFlightAtError).toBe(0)
      expect(run.succeeded.sort()).toEqual(['localhost:5000/app:v1', 'localhost:5000/app:v2', 'localhost:5000/app:v3'])
      // The failed repository's other tags would only add manifests to a repository that has no layers.
      expect(run.started).not.toContain('alice/app:v2')
    })

    it("lets its own repository's other tags finish too", async () => {
      const run = await pushWithFailure('alice/app:v2')
      expect(run.error.message).toMatch(/\(docker push alice\/app:v2 failed, exit code 1\)$/)
      expect(run.inFlightAtError).toBe(0)
      expect(run.succeeded).toHaveLength(5)
      expect(run.succeeded).toContain('alice/app:v3')
    })
  })

  it(`runs at most ${CONCURRENCY} pushes at once, each repository's other tags after its first`, async () => {
    expect(CONCURRENCY).toBe(4)
    fake.on(['push'], (call) => after(10, pushed(call.args[1])))
    const { plan } = planned({ images: 'alice/app\nlocalhost:5000/app\nghcr.io/org/app', tags: 'v1,v2,v3,v4' })
    await pushAll(docker, plan)
    expect(fake.calls).toHaveLength(12)
    expect(fake.maxInFlight).toBe(CONCURRENCY)
    for (const [first, ...rest] of plan.pushes) {
      const startOf = (ref: string): number => fake.calls.find((c) => c.args[1] === ref)?.startedAt ?? -1
      const firstEnded = fake.calls.find((c) => c.args[1] === first.ref)?.endedAt ?? Infinity
      for (const push of rest) expect(startOf(push.ref)).toBeGreaterThan(firstEnded)
    }
  })
})
