// The main step end to end, but with the fake docker runner: main(vars, runnerFor)
// with the runner's variables, real temp folders for the workspace, RUNNER_TEMP
// and the command files, and the log and records the runner would read.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { cliRunner } from '../../src/docker/docker.js'
import { main } from '../../src/main.js'
import type { RunnerFactory } from '../../src/main.js'
import { DENIED, digestOf, FakeDocker, isBuild, workingDocker } from '../__fixtures__/docker.js'
import { watchProcess } from '../__fixtures__/processes.js'
import { removeTempDirs, tempDir, writeTree } from '../__fixtures__/temp.js'
import { captureWorkflow } from '../__fixtures__/workflow.js'
import type { Capture } from '../__fixtures__/workflow.js'

const IMAGE_ID = `sha256:${'c'.repeat(64)}`
const PASSWORD = 'pa55-w0rd-very-secret'
const REPOSITORY = 'localhost:5000/app'
const LOGIN = { registry: 'localhost:5000', username: 'alice', password: PASSWORD, images: REPOSITORY }

let capture: Capture
let watch: ReturnType<typeof watchProcess>
let exitCode: typeof process.exitCode
let ws: string
let runnerTemp: string
let bin: string
let dockerConfig: string
let fake: FakeDocker
let runnerFor: jest.Mock<RunnerFactory>

beforeEach(() => {
  capture = captureWorkflow()
  // main installs the SIGINT/SIGTERM handlers; they are taken off again after each test.
  watch = watchProcess()
  exitCode = process.exitCode
  process.exitCode = undefined
  ws = writeTree(tempDir('ws'), { Dockerfile: 'FROM busybox\nRUN false\n' })
  runnerTemp = tempDir('runner-temp')
  // A docker on PATH (never run: the runner is the fake) and buildx in the docker config.
  bin = writeTree(tempDir('bin'), { docker: '#!/bin/sh\nexit 99\n' }, 0o755)
  dockerConfig = writeTree(tempDir('docker-config'), { 'cli-plugins/docker-buildx': '#!/bin/sh\n' }, 0o755)
  // The size is the summary's.
  fake = workingDocker(IMAGE_ID, 12345)
  runnerFor = jest.fn<RunnerFactory>(() => fake)
})

afterEach(async () => {
  await watch.restore()
  capture.restore()
  process.exitCode = exitCode
  removeTempDirs()
})

/**
 * The step's environment as the runner gives it, with these inputs (INPUT_<NAME>, hyphens
 * kept): set in this process too, where @actions/core reads the inputs (the capture puts the
 * environment back after each test).
 */
function vars(inputs: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const step = {
    PATH: bin,
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: runnerTemp,
    DOCKER_CONFIG: dockerConfig,
    ...capture.files,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
    ...extra
  }
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
  Object.assign(process.env, step)
  return step
}

describe('the dry run', () => {
  beforeEach(() => main(vars({ ...LOGIN, tags: 'v1', 'dry-run': 'true' }), runnerFor))

  it('runs nothing and makes no temp folder', () => {
    expect(runnerFor).not.toHaveBeenCalled()
    expect(fs.readdirSync(runnerTemp)).toEqual([])
    expect(capture.state()).toEqual({})
    expect(process.exitCode).toBeUndefined()
  })

  it('prints the commands, with *** for the password, and what it would tag', () => {
    const lines = capture.lines()
    expect(lines).toContain('::group::Dry run: the docker commands this run would make (with buildx; nothing runs)')
    expect(lines).toContain("echo '***' | docker login --username alice --password-stdin localhost:5000")
    expect(lines.filter((l) => l.startsWith('docker buildx build --load '))).toHaveLength(1)
    expect(lines).toContain('docker push localhost:5000/app:v1')
    expect(lines[lines.length - 1]).toBe('ship-image: dry run; would tag localhost:5000/app:v1.')
    // Only the mask command carries the password, and the runner consumes it.
    expect(lines.filter((l) => l.includes(PASSWORD))).toEqual([`::add-mask::${PASSWORD}`])
  })

  it('sets the outputs known without running: tags, version and metadata', () => {
    const outputs = capture.outputs()
    expect(Object.keys(outputs).sort()).toEqual(['metadata', 'tags', 'version'])
    expect(outputs).toMatchObject({ tags: 'localhost:5000/app:v1', version: '' })
    expect(JSON.parse(outputs.metadata)).toMatchObject({ digest: '', tags: ['localhost:5000/app:v1'], refs: [] })
  })

  it('says in the summary that it was a dry run, with the commands', () => {
    const summary = capture.summary()
    expect(summary).toMatch(/^### ship-image: dry run: nothing was run\n/)
    expect(summary).toContain("echo '***' | docker login --username alice --password-stdin localhost:5000\n")
    expect(summary).not.toContain(PASSWORD)
  })
})

describe('input errors', () => {
  beforeEach(() => main(vars({ images: '', latest: 'sometimes', retries: 'many' }), runnerFor))

  it('gives one error per problem, in input order, and fails the step', () => {
    expect(capture.commands('error')).toEqual([
      expect.stringMatching(/^::error::Input 'images': no repository given\. Fix: /),
      expect.stringMatching(/^::error::Input 'latest': 'sometimes' is not auto, true or false\. Fix: /),
      "::error::Input 'retries': 'many' is not a number of attempts from 1 to 10. Fix: write a whole number such as 3 (1 turns retries off)."
    ])
    expect(process.exitCode).toBe(1)
  })

  it('starts no docker, makes no temp folder and sets no output', () => {
    expect(runnerFor).not.toHaveBeenCalled()
    expect(fs.readdirSync(runnerTemp)).toEqual([])
    expect(capture.outputs()).toEqual({})
    expect(capture.state()).toEqual({})
  })
})

describe('the failure path', () => {
  /** Runs main with a login (so the temp folder holds a docker config) and checks what every failure leaves. */
  async function failingRun(factory: RunnerFactory = runnerFor): Promise<string[]> {
    await main(vars({ ...LOGIN, tags: 'v1' }), factory)
    expect(process.exitCode).toBe(1)
    expect(capture.outputs()).toEqual({})
    // The temp folder was made (the post step is told where) and is gone.
    expect(capture.state().temp).toMatch(new RegExp(`^${runnerTemp}/ship-image-`))
    expect(fs.readdirSync(runnerTemp)).toEqual([])
    return capture.commands('error')
  }

  it("is one error on the Dockerfile's line when the build names it", async () => {
    fake.on(isBuild, {
      exitCode: 1,
      stderr:
        ' > [2/2] RUN false:\n------\nERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1\n'
    })
    expect(await failingRun()).toEqual([
      '::error title=docker build failed,file=Dockerfile,line=2::Dockerfile:2: RUN false failed: exit code 1'
    ])
    expect(fake.callsOf('push')).toEqual([])
  })

  it("is docker's message for a failed push", async () => {
    fake.on(['push'], DENIED)
    expect(await failingRun()).toEqual([
      '::error::denied: requested access to the resource is denied (docker push localhost:5000/app:v1 failed, exit code 1)'
    ])
  })

  it('says so plainly when there is no docker CLI', async () => {
    fs.rmSync(path.join(bin, 'docker'))
    expect(await failingRun(cliRunner)).toEqual([
      '::error::The docker CLI is not installed or not on PATH. Run the action on a runner with Docker (ubuntu-latest has it), or install Docker first.'
    ])
  })

  it("names the action in an error that is not docker's", async () => {
    const broken: RunnerFactory = () => {
      throw new Error('unexpected')
    }
    expect(await failingRun(broken)).toEqual(['::error::ship-image failed: unexpected'])
  })
})

describe('the success path', () => {
  beforeEach(() => main(vars({ ...LOGIN, tags: 'v1\nlatest' }, { DOCKER_HOST: 'unix:///run/docker.sock' }), runnerFor))

  const refs = ['localhost:5000/app:v1', 'localhost:5000/app:latest']

  it("gives the runner factory the docker on PATH, this run's DOCKER_CONFIG and DOCKER_HOST", () => {
    const temp = capture.state().temp
    expect(runnerFor.mock.calls).toEqual([
      [
        path.join(bin, 'docker'),
        { DOCKER_CONFIG: path.join(temp, 'docker-config'), BUILDX_CONFIG: path.join(dockerConfig, 'buildx') },
        'unix:///run/docker.sock'
      ]
    ])
    expect(fake.callsOf('login')[0].options.input).toBe(PASSWORD)
  })

  it('sets the outputs from what the pushes printed', () => {
    const digest = digestOf(refs[0])
    const outputs = capture.outputs()
    expect(outputs).toEqual({
      imageid: IMAGE_ID,
      digest,
      tags: refs.join('\n'),
      refs: `${REPOSITORY}@${digest}`,
      version: '',
      tarball: '',
      'tarball-digest': '',
      'cosign-verify': '',
      metadata: expect.any(String)
    })
    const metadata = JSON.parse(outputs.metadata)
    expect(metadata.images).toEqual([
      {
        repository: REPOSITORY,
        registry: 'localhost:5000',
        digest,
        ref: `${REPOSITORY}@${digest}`,
        tags: refs.map((ref) => ({ tag: ref.split(':').pop(), ref, digest: digestOf(ref) }))
      }
    ])
  })

  it('writes the summary and the closing line, and removes the temp folder', () => {
    expect(capture.summary()).toMatch(/^### ship-image: pushed 1 repository\n/)
    expect(capture.summary()).toContain('| 12.3 KB |')
    const lines = capture.lines()
    expect(lines[lines.length - 1]).toBe(`ship-image: pushed ${REPOSITORY}@${digestOf(refs[0])}.`)
    expect(fs.existsSync(capture.state().temp)).toBe(false)
    expect(fs.readdirSync(runnerTemp)).toEqual([])
  })

  it('does not fail the step', () => {
    expect(capture.commands('error')).toEqual([])
    expect(capture.commands('warning')).toEqual([])
    expect(process.exitCode).toBeUndefined()
  })
})

describe('the classic builder', () => {
  const notice = (): string[] => capture.commands('notice').filter((n) => n.includes('classic builder'))

  it('is a notice, once per job: the step exports a marker that later steps of the job see', async () => {
    const classic = writeTree(tempDir('docker-config'), { 'config.json': '{}' })
    await main(vars({ images: REPOSITORY, push: 'false' }, { DOCKER_CONFIG: classic }), runnerFor)
    expect(capture.commands('warning')).toEqual([])
    expect(notice()).toEqual([
      expect.stringMatching(/^::notice::docker build here is the classic builder, which Docker has deprecated\./)
    ])
    const exported = fs.readFileSync(capture.files.GITHUB_ENV, 'utf8')
    expect(exported).toMatch(/^SHIP_IMAGE_CLASSIC_BUILDER_NOTED<<ghadelimiter_[0-9a-f-]+\ntrue\n/)

    await main(
      vars({ images: REPOSITORY, push: 'false' }, { DOCKER_CONFIG: classic, SHIP_IMAGE_CLASSIC_BUILDER_NOTED: 'true' }),
      runnerFor
    )
    expect(notice()).toHaveLength(1)
  })

  it('is not mentioned with buildx', async () => {
    await main(vars({ images: REPOSITORY, push: 'false' }), runnerFor)
    expect(notice()).toEqual([])
    expect(fs.readFileSync(capture.files.GITHUB_ENV, 'utf8')).toBe('')
  })
})

describe('buildx-version on a runner without buildx', () => {
  it('plans the build with buildx, the release the run fetches before it builds', async () => {
    const classic = writeTree(tempDir('docker-config'), { 'config.json': '{}' })
    const inputs = { images: REPOSITORY, tags: 'v1', 'buildx-version': 'v0.29.1', 'dry-run': 'true' }
    await main(vars(inputs, { DOCKER_CONFIG: classic }), runnerFor)
    const lines = capture.lines()
    expect(lines).toContain('::group::Dry run: the docker commands this run would make (with buildx; nothing runs)')
    expect(lines.filter((l) => l.startsWith('docker buildx build --load '))).toHaveLength(1)
    expect(lines.filter((l) => /^docker (image )?build /.test(l))).toEqual([])
    expect(capture.commands('notice')).toEqual([])
  })
})
