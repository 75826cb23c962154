// phases/build.ts (through makeImage): the build against the scripted docker: the classic
// builder's cache-from pulls, a name another build took, and a failed build's error.
import { describe, expect, it } from '@jest/globals'
import { DockerError, EngineUnreachable } from '../../../src/domain/errors.js'
import { makeImage } from '../../../src/phases/run.js'
import { builds, ENGINE_DOWN, failure, isBuild, MANIFEST_UNKNOWN, UNAVAILABLE } from '../../__fixtures__/docker.js'
import { capture, docker, fake, IMAGE_ID, planned, usePhases } from '../../__fixtures__/phases.js'

usePhases()

describe('makeImage: cache-from with the classic builder', () => {
  const CACHE = { 'cache-from': 'localhost:5000/app:cache\nlocalhost:5000/app:gone' }
  const build = (): Promise<string> => {
    const { plan, secrets } = planned(CACHE, { buildx: false })
    return makeImage(docker, plan, secrets).then((image) => image.id)
  }

  it('pulls the cache images first; one that cannot be pulled is a notice, and the build runs', async () => {
    fake.on(['pull', 'localhost:5000/app:gone'], MANIFEST_UNKNOWN)
    await expect(build()).resolves.toBe(IMAGE_ID)
    expect(fake.calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual([
      'pull localhost:5000/app:cache',
      'pull localhost:5000/app:gone',
      'build --file'
    ])
    expect(capture.commands('notice')).toEqual([
      expect.stringMatching(
        /^::notice::cache-from: localhost:5000\/app:gone could not be pulled: it is not in the registry \(yet: on a first run, or before that tag is pushed\); building without it\.$/
      )
    ])
    expect(capture.lines()[0]).toBe('::group::Pulling 2 cache images')
  })

  it('stops when the engine goes away during a pull, also after a retry', async () => {
    fake.on(['pull', 'localhost:5000/app:cache'], UNAVAILABLE, ENGINE_DOWN)
    await expect(build()).rejects.toThrow(EngineUnreachable)
    expect(fake.calls.some((c) => isBuild(c.args))).toBe(false)
    expect(capture.commands('notice')).toEqual([])
  })

  it('pulls nothing with BuildKit, which reads the cache from the registry', async () => {
    const { plan, secrets } = planned(CACHE)
    await makeImage(docker, plan, secrets)
    expect(fake.callsOf('pull')).toEqual([])
  })
})

describe('makeImage: a build whose name another build took', () => {
  const taken = failure('ERROR: failed to solve: image "docker.io/alice/app:latest": already exists\n')

  it('builds again, from the cache, with a warning', async () => {
    fake.on(isBuild, taken, builds(IMAGE_ID))
    const { plan, secrets } = planned({})
    await expect(makeImage(docker, plan, secrets)).resolves.toMatchObject({ id: IMAGE_ID })
    expect(fake.calls.filter((c) => isBuild(c.args))).toHaveLength(2)
    expect(capture.commands('warning')).toEqual([
      expect.stringContaining('Another build on this engine named the same image at the same moment (attempt 1 of 3)')
    ])
  })

  it('gives up after the retries input', async () => {
    fake.on(isBuild, taken)
    const { plan, secrets } = planned({ retries: '2' })
    await expect(makeImage(docker, plan, secrets)).rejects.toThrow(/already exists/)
    expect(fake.calls.filter((c) => isBuild(c.args))).toHaveLength(2)
  })
})

describe('makeImage: a failed build', () => {
  const buildFails = (output: Partial<{ stdout: string; stderr: string }>): Promise<unknown> => {
    fake.on(isBuild, { exitCode: 1, ...output })
    const { plan, secrets } = planned({})
    return makeImage(docker, plan, secrets).catch((err: unknown) => err)
  }

  it('is a DockerError on the Dockerfile line the builder names', async () => {
    const err = await buildFails({
      stderr:
        '------\n > [2/2] RUN false:\n------\nERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1\n'
    })
    expect(err).toBeInstanceOf(DockerError)
    expect(err).toMatchObject({
      message: 'Dockerfile:2: RUN false failed: exit code 1',
      annotation: { file: 'Dockerfile', line: 2 }
    })
  })

  it("is docker's own message when the output names no line", async () => {
    const err = await buildFails({ stderr: 'ERROR: failed to solve: busybox: not found\n' })
    expect(err).toMatchObject({ annotation: undefined })
    expect((err as Error).message).toMatch(
      /^ERROR: failed to solve: busybox: not found \(docker buildx build failed, exit code 1\)$/
    )
  })

  it('is the engine-unreachable error, not an annotation, when the engine is not there', async () => {
    const err = await buildFails({ stderr: ENGINE_DOWN.stderr })
    expect(err).toBeInstanceOf(EngineUnreachable)
    expect(err).toMatchObject({ annotation: undefined })
  })
})
