// The docker work of the main step (phases/: run, build, load, retag, push, save) against the fake runner, with
// plans made by the real parseInputs and makePlan in a real temp workspace.
import { afterEach, beforeEach, describe, expect, it, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { tracked } from '../../../src/docker/cleanup.js'
import { Docker } from '../../../src/docker/docker.js'
import { nodeFs } from '../../../src/runner/environment.js'
import { DockerError, EngineUnreachable } from '../../../src/domain/errors.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { MadeImage } from '../../../src/phases/image.js'
import { CONCURRENCY } from '../../../src/docker/limit.js'
import type { Pushed } from '../../../src/domain/image.js'
import { logIn } from '../../../src/phases/login.js'
import { makeImage, PhaseFailure, runPhases } from '../../../src/phases/run.js'
import { save } from '../../../src/phases/save.js'
import { pushAll as pushGroups } from '../../../src/phases/push.js'
import { makePlan } from '../../../src/plan/plan.js'
import type { Plan, Secrets } from '../../../src/plan/steps.js'
import {
  after,
  builds,
  DENIED,
  digestOf,
  ENGINE_DOWN,
  failure,
  FakeDocker,
  instantTiming,
  isBuild,
  MANIFEST_UNKNOWN,
  pushed,
  UNAUTHORIZED,
  UNAVAILABLE,
  workingDocker
} from '../../__fixtures__/docker.js'
import type { Call, StreamReply } from '../../__fixtures__/docker.js'
import { removeTempDirs, tempDir, until, writeTree } from '../../__fixtures__/temp.js'
import { captureWorkflow } from '../../__fixtures__/workflow.js'
import type { Capture } from '../../__fixtures__/workflow.js'
import { env } from '../../__fixtures__/environment.js'
import { raw } from '../../__fixtures__/inputs.js'

const IMAGE_ID = `sha256:${'b'.repeat(64)}`
const PASSWORD = 'pa55-w0rd-very-secret'
const DOCKERFILE = 'FROM busybox\nRUN false\n'

let ws: string
let capture: Capture
let fake: FakeDocker
let timing: ReturnType<typeof instantTiming>
let docker: Docker

beforeEach(() => {
  ws = writeTree(tempDir('ws'), { Dockerfile: DOCKERFILE })
  capture = captureWorkflow()
  timing = instantTiming()
  fake = workingDocker(IMAGE_ID, 1234)
  docker = new Docker(fake, undefined, timing)
})

afterEach(() => {
  capture.restore()
  removeTempDirs()
})

/** The plan parseInputs and makePlan give for these inputs in the workspace; `buildx: false` is the classic builder. */
function planned(overrides: Partial<RawInputs>, { buildx = true } = {}): { plan: Plan; secrets: Secrets } {
  const parsed = parseInputs(raw(overrides), { ...env(), workspace: ws, fs: nodeFs, buildx })
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'))
  const facts = {
    buildx,
    buildkitEnv: false,
    workspace: ws,
    iidFile: path.join(ws, 'iid'),
    metadataFile: path.join(ws, 'metadata.json'),
    pigz: undefined,
    zstd: undefined
  }
  return makePlan(parsed.inputs, facts)
}

const TWO_REPOSITORIES = { images: 'alice/app\nlocalhost:5000/app', tags: 'v1,v2' }

/** The plan's pushes, as the push phase runs them; each completed push is also recorded. */
function pushAll(docker: Docker, plan: Plan, record: Pushed[] = []): Promise<Pushed[]> {
  return pushGroups(docker, plan.pushes, plan.attempts, (p) => record.push(p))
}
const refsOf = (calls: Call[]): string[] => calls.map((c) => c.args[1])

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

describe('logIn', () => {
  const login = (): Promise<void> => {
    const { plan, secrets } = planned({ username: 'alice', password: PASSWORD, registry: 'localhost:5443' })
    const [login] = plan.logins
    if (!login) throw new Error('the plan has no login')
    return logIn(docker, login, secrets.passwords[0], plan.attempts)
  }

  it('says who logged in where, in a group', async () => {
    await login()
    expect(capture.lines()).toEqual([
      '::group::Logging in to localhost:5443 as alice',
      'Logged in to localhost:5443 as alice.',
      '::endgroup::'
    ])
  })

  it('tries a wrong password once, and says which inputs to check', async () => {
    fake.on(['login'], UNAUTHORIZED)
    await expect(login()).rejects.toThrow(
      /^Login to localhost:5443 as alice failed: login attempt to https:\/\/localhost:5443\/v2\/ failed with status: 401 Unauthorized\. Check the username and password inputs \(a token needs permission to push\)\.$/
    )
    expect(fake.calls).toHaveLength(1)
    expect(capture.commands('warning')).toEqual([])
  })
})

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

describe('makeImage: retag', () => {
  const SOURCE = 'busybox:1.36'
  const retag = (): Promise<string> =>
    makeImage(docker, planned({ 'source-image': SOURCE, tags: 'v1,v2' }).plan, {
      passwords: [],
      buildEnv: {}
    }).then((image: MadeImage) => image.id)

  it('pulls an image that is not local, then tags it as each target', async () => {
    fake.on(['image', 'inspect'], failure(`Error response from daemon: No such image: ${SOURCE}\n`), {
      stdout: `${IMAGE_ID}\n`
    })
    await expect(retag()).resolves.toBe(IMAGE_ID)
    expect(fake.commands()).toEqual([
      `image inspect --format {{.Id}} ${SOURCE}`,
      `pull ${SOURCE}`,
      `image inspect --format {{.Id}} ${SOURCE}`,
      `image tag ${SOURCE} alice/app:v1`,
      `image tag ${SOURCE} alice/app:v2`
    ])
    expect(capture.lines()).toContain(`${SOURCE} is not in the local engine; pulling it.`)
  })

  it('tags a local image without pulling it', async () => {
    fake.on(['image', 'inspect'], { stdout: `${IMAGE_ID}\n` })
    await expect(retag()).resolves.toBe(IMAGE_ID)
    expect(fake.callsOf('pull')).toEqual([])
    expect(fake.callsOf('image', 'tag')).toHaveLength(2)
  })

  it('tags nothing when the pull fails', async () => {
    fake.on(['image', 'inspect'], failure('Error response from daemon: No such image\n')).on(['pull'], MANIFEST_UNKNOWN)
    await expect(retag()).rejects.toThrow(/manifest unknown \(docker pull busybox:1\.36 failed, exit code 1\)$/)
    expect(fake.callsOf('image', 'tag')).toEqual([])
  })
})

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

describe('save', () => {
  const BYTES = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 7919) % 256))
  const CHUNKS = [0, 1, 2, 3].map((i) => BYTES.subarray(i * 65536, (i + 1) * 65536))
  const EARLIER = 'an earlier tarball'

  const partials = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))
  const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

  /** Saves to `name` in the workspace, where an earlier file is; the fake docker stream plays `reply`. */
  function saveTo(name: string, reply: StreamReply) {
    const { plan } = planned({ save: name, push: 'false' })
    if (!plan.save) throw new Error('the plan has no save')
    const target = plan.save.target.path
    fs.writeFileSync(target, EARLIER)
    fake.onStream(['image', 'save'], reply)
    return { target, saving: save(docker, plan.save) }
  }

  test.each([
    ['a plain tar', 'image.tar', (file: Buffer) => file],
    ['a gzip tarball', 'image.tar.gz', (file: Buffer) => zlib.gunzipSync(file)]
  ])('writes %s beside the target, then renames it into place', async (_what, name, unpack) => {
    let seenWhileWriting: { partials: number; target: string } | undefined
    const { target, saving } = saveTo(name, {
      chunks: CHUNKS,
      between: async (i) => {
        if (i !== 1) return
        await until(() => partials(ws).length === 1, 5000, 'the partial file')
        seenWhileWriting = { partials: partials(ws).length, target: fs.readFileSync(target, 'utf8') }
      }
    })
    const tarball = await saving
    expect(seenWhileWriting).toEqual({ partials: 1, target: EARLIER })
    const file = fs.readFileSync(target)
    expect(unpack(file).equals(BYTES)).toBe(true)
    expect(tarball).toEqual({
      path: target,
      digest: sha256(file),
      size: file.length,
      compressor: name.endsWith('.gz') ? 'zlib' : 'none'
    })
    expect(partials(ws)).toEqual([])
    expect(tracked()).toEqual([])
    const how = name.endsWith('.gz') ? ', gzip level 3 by zlib' : ''
    expect(capture.lines()).toContain(`Wrote ${target} (${file.length} bytes${how}, ${tarball.digest}).`)
  })

  test.each(['image.tar', 'image.tar.gz'])(
    'leaves no partial %s and the earlier file unchanged when docker fails',
    async (name) => {
      const { target, saving } = saveTo(name, {
        chunks: CHUNKS.slice(0, 2),
        exitCode: 1,
        stderr: 'Error response from daemon: reference does not exist\n'
      })
      await expect(saving).rejects.toThrow(
        'Error response from daemon: reference does not exist (docker image save failed, exit code 1)'
      )
      expect(fs.readFileSync(target, 'utf8')).toBe(EARLIER)
      expect(partials(ws)).toEqual([])
      expect(tracked()).toEqual([])
    }
  )
})
