// phases/run.ts: runPhases, the main step's docker work in order, against the scripted docker,
// with plans made by the real parseInputs and makePlan in a real temp workspace: the order and
// timing of the phases, where the secrets go, a phase that fails, and a tag another run moved.
import { describe, expect, it } from '@jest/globals'
import * as path from 'node:path'
import { DockerError } from '../../../src/domain/errors.js'
import { PhaseFailure, runPhases } from '../../../src/phases/run.js'
import { DENIED, digestOf, failure, isBuild, pushed } from '../../__fixtures__/docker.js'
import * as built from '../../__fixtures__/build-output.js'
import { writeTree } from '../../__fixtures__/temp.js'
import { capture, docker, fake, IMAGE_ID, planned, TWO_REPOSITORIES, usePhases, ws } from '../../__fixtures__/phases.js'
import { PASSWORD } from '../../__fixtures__/inputs.js'

usePhases()

describe('runPhases', () => {
  it('logs in, builds, saves, pushes and checks the tags, in that order, and times each phase', async () => {
    const { plan, secrets } = planned({ username: 'alice', password: PASSWORD, tags: 'v1,latest', save: 'image.tar' })
    fake.onStream(['image', 'save'], { chunks: [Buffer.from('tar')] })
    const result = await runPhases(docker, plan, secrets)
    expect(fake.calls.map((c) => `${c.kind} ${c.args.slice(0, 2).join(' ')}`)).toEqual([
      'run login --username',
      'run buildx build',
      'stream image save',
      'run push alice/app:v1',
      'run push alice/app:latest',
      'run image inspect'
    ])
    expect(Object.keys(result.timings)).toEqual(['login', 'build', 'save', 'push'])
    expect(result.imageSize).toBe(1234)
    expect(result.outcome).toMatchObject({
      imageId: IMAGE_ID,
      targets: plan.targets,
      tarball: { path: path.join(ws, 'image.tar'), size: 3 }
    })
  })

  it('without credentials, push or summary, only builds', async () => {
    const { plan, secrets } = planned({ push: 'false', summary: 'false' })
    const result = await runPhases(docker, plan, secrets)
    // The build, then the check of its tags (which also gives the engine's ID and size).
    expect(fake.calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual(['buildx build', 'image inspect'])
    expect(result).toMatchObject({ imageSize: 1234, outcome: { pushed: [], tarball: undefined } })
    expect(Object.keys(result.timings)).toEqual(['build'])
  })

  it('gives the password to the standard input of docker login only', async () => {
    writeTree(ws, { Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=npm_token true\n' })
    const { plan, secrets } = planned({ username: 'alice', password: PASSWORD, secrets: 'npm_token=x' })
    await runPhases(docker, plan, secrets)
    const [login, ...others] = fake.calls
    expect(login.args).toEqual(['login', '--username', 'alice', '--password-stdin'])
    expect(login.options).toMatchObject({ input: PASSWORD, silent: true })
    for (const call of fake.calls) {
      expect(call.args.join(' ')).not.toContain(PASSWORD)
      expect(Object.values(call.options.env ?? {})).not.toContain(PASSWORD)
    }
    expect(others.map((c) => c.options.input)).toEqual(others.map(() => undefined))
    expect(capture.text()).not.toContain(PASSWORD)
  })

  it("puts the build secrets in the build's environment only, each under its own name", async () => {
    writeTree(ws, { Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=npm_token --mount=type=secret,id=gh true\n' })
    const { plan, secrets } = planned({ secrets: 'npm_token=s3cr3t-value\ngh=other=value' })
    await runPhases(docker, plan, secrets)
    const build = fake.calls.find((c) => isBuild(c.args))
    expect(build?.options.env).toEqual({ SHIP_IMAGE_SECRET_1: 's3cr3t-value', SHIP_IMAGE_SECRET_2: 'other=value' })
    expect(build?.args).toEqual(
      expect.arrayContaining(['--secret', 'id=npm_token,env=SHIP_IMAGE_SECRET_1', 'id=gh,env=SHIP_IMAGE_SECRET_2'])
    )
    for (const call of fake.calls) expect(call.args.join(' ')).not.toMatch(/s3cr3t-value|other=value/)
    expect(fake.calls.filter((c) => c.options.env !== undefined)).toEqual([build])
  })
})

describe('runPhases: a phase that fails', () => {
  it('names the phase and carries what was pushed before it', async () => {
    const { plan, secrets } = planned(TWO_REPOSITORIES)
    fake.on(['push'], (call) => (call.args[1] === 'localhost:5000/app:v1' ? DENIED : pushed(call.args[1])))
    const failed = await runPhases(docker, plan, secrets).then(
      () => undefined,
      (err: unknown) => err
    )
    expect(failed).toBeInstanceOf(PhaseFailure)
    const failure = failed as PhaseFailure
    expect(failure.phase).toBe('push')
    expect(failure.cause).toBeInstanceOf(DockerError)
    expect(failure.done.outcome.imageId).toBe(IMAGE_ID)
    expect(failure.done.outcome.pushed.map((p) => [p.target.ref, p.digest])).toEqual([
      ['alice/app:v1', digestOf('alice/app:v1')],
      ['alice/app:v2', digestOf('alice/app:v2')]
    ])
    expect(Object.keys(failure.done.timings)).toEqual(['build', 'push'])
  })

  it('carries the tags a build that pushes (buildx, a BuildKit builder) had pushed when it failed', async () => {
    const more = { builders: { store: { current: 'remote-1', drivers: { 'remote-1': 'remote' } }, named: '' } }
    const { plan, secrets } = planned(
      { images: 'localhost:5000/repro/pp\nregistry.ship-image.test:5443/repro/pp', tags: 'v1,v2' },
      { more }
    )
    expect(plan.image).toMatchObject({
      kind: 'build',
      push: { registries: ['localhost:5000', 'registry.ship-image.test:5443'] }
    })
    fake.on(isBuild, failure(built.BUILDX_PUSH_PARTLY))
    const failed = (await runPhases(docker, plan, secrets).catch((e: unknown) => e)) as PhaseFailure
    expect(failed.phase).toBe('build')
    const digest = 'sha256:aa5c6b085d5ea681fc60a600926e7ed5f71d881d506858bbaf2e9529fd913002'
    expect(failed.done.outcome.pushed.map((p) => [p.target.ref, p.digest])).toEqual([
      ['localhost:5000/repro/pp:v1', digest],
      ['localhost:5000/repro/pp:v2', digest]
    ])
  })

  it('is the build phase, with nothing done, when the build fails', async () => {
    fake.on(isBuild, failure('ERROR: failed to solve: no such stage\n'))
    const failure_ = (await runPhases(docker, planned({}).plan, planned({}).secrets).catch(
      (e: unknown) => e
    )) as PhaseFailure
    expect(failure_.phase).toBe('build')
    expect(failure_.done.outcome).toMatchObject({ imageId: '', pushed: [], tarball: undefined })
  })
})

describe('runPhases: a tag another run re-tagged meanwhile', () => {
  const OTHER = `sha256:${'c'.repeat(64)}`

  it('is tagged again as this run’s image and pushed again, with a warning', async () => {
    const { plan, secrets } = planned({ tags: 'v1,v2' })
    // The first check finds alice/app:v2 naming another image; the second finds both ours.
    fake.on(
      ['image', 'inspect', '--format', '{{.Id}} {{.Size}}'],
      { stdout: `${IMAGE_ID} 1234\n${OTHER} 99\n` },
      { stdout: `${IMAGE_ID} 1234\n${IMAGE_ID} 1234\n` }
    )
    const result = await runPhases(docker, plan, secrets)
    expect(fake.commands().filter((c) => /^(push|image tag|image inspect)/.test(c))).toEqual([
      'push alice/app:v1',
      'push alice/app:v2',
      'image inspect --format {{.Id}} {{.Size}} alice/app:v1 alice/app:v2',
      `image tag ${IMAGE_ID} alice/app:v2`,
      'push alice/app:v2',
      'image inspect --format {{.Id}} {{.Size}} alice/app:v1 alice/app:v2'
    ])
    expect(capture.commands('warning')).toEqual([
      expect.stringContaining('alice/app:v2 named another image when this run checked')
    ])
    expect(result.imageSize).toBe(1234)
    expect(result.outcome.pushed.map((p) => p.target.ref)).toEqual(['alice/app:v1', 'alice/app:v2'])
  })

  it('fails, naming the tag, when it keeps moving', async () => {
    const { plan, secrets } = planned({ tags: 'v1', retries: '2' })
    fake.on(['image', 'inspect', '--format', '{{.Id}} {{.Size}}'], { stdout: `${OTHER} 99\n` })
    const failed = (await runPhases(docker, plan, secrets).catch((e: unknown) => e)) as PhaseFailure
    expect(failed.message).toMatch(/^Another run on this engine kept re-tagging alice\/app:v1 while this run pushed it/)
    expect(fake.callsOf('push')).toHaveLength(3)
  })
})
