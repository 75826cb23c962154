// The main step, a thin shell: inputs → plan → docker (phases.ts) → outputs and summary.
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { remove, removeOnSignals, track } from './cleanup.js'
import { createDockerConfig } from './credentials.js'
import { Docker, DockerError } from './docker.js'
import { gitEventOf } from './event.js'
import type { GitEvent } from './event.js'
import { INPUT_NAMES, parseInputs } from './inputs.js'
import type { FileSystem, Inputs, RawInputs } from './inputs.js'
import { settleAll } from './limit.js'
import { commandLines, loginPlan, makePlan } from './plan.js'
import { metadataOf, outputsOf, writeOutputs } from './outputs.js'
import type { Outcome } from './outputs.js'
import { logIn, makeImage, pushAll, requireBuildKit, save, sizeOf } from './phases.js'
import { STATE_IS_POST, STATE_TEMP } from './state.js'
import { closingLine, summaryMarkdown } from './summary.js'
import type { Timings } from './summary.js'

const nodeFs: FileSystem = {
  kind(p) {
    try {
      const stat = fs.statSync(p)
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other'
    } catch {
      return 'missing'
    }
  }
}

/** The main step as the bundle runs it: marks the state for the post step, and fails a run that stops early. */
export function start(): void {
  core.saveState(STATE_IS_POST, 'true')
  let finished = false
  // Node exits quietly with 0 when nothing is left to wait for; a run that did
  // not reach its end must not pass as a success.
  process.on('exit', (code) => {
    if (!finished && code === 0) {
      core.error('ship-image stopped before it finished (an internal error); its outputs are not set.')
      process.exitCode = core.ExitCode.Failure
    }
  })
  void main().finally(() => {
    finished = true
  })
}

export async function main(): Promise<void> {
  const raw = Object.fromEntries(INPUT_NAMES.map((name) => [name, core.getInput(name)])) as RawInputs
  if (raw.password !== '') core.setSecret(raw.password)
  for (const line of raw.secrets.split('\n')) {
    const value = line.slice(line.indexOf('=') + 1)
    if (value.trim() !== '') core.setSecret(value)
  }

  const environment = {
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    fs: nodeFs,
    event: readGitEvent(),
    now: new Date()
  }
  const parsed = parseInputs(raw, environment)
  for (const notice of parsed.notices) core.notice(notice.message)
  for (const warning of parsed.warnings) core.warning(warning.message)
  if (!parsed.ok) {
    for (const problem of parsed.problems) core.error(problem.message)
    process.exitCode = core.ExitCode.Failure
    return
  }

  const inputs = parsed.inputs
  if (inputs.dryRun) return dryRun(inputs)

  removeOnSignals()
  const temp = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'ship-image-'))
  track(temp)
  core.saveState(STATE_TEMP, temp)
  try {
    const { outcome, timings, imageSize } = await execute(inputs, temp)
    const metadata = metadataOf(outcome)
    writeOutputs(outputsOf(metadata))
    if (inputs.summary) await writeSummary(summaryMarkdown({ metadata, timings, imageSize }))
    core.info(closingLine(metadata))
  } catch (err) {
    fail(err)
  } finally {
    remove(temp)
  }
}

/** One ::error:: for the failure: on the Dockerfile's line when the build names one. */
function fail(err: unknown): void {
  if (err instanceof DockerError && err.annotation) {
    core.error(err.message, { title: 'docker build failed', file: err.annotation.file, startLine: err.annotation.line })
    process.exitCode = core.ExitCode.Failure
  } else {
    core.setFailed(
      err instanceof DockerError
        ? err.message
        : `ship-image failed: ${err instanceof Error ? err.message : String(err)}`
    )
  }
}

/** Validates, prints the commands and sets the outputs known without running; runs no docker command. */
async function dryRun(inputs: Inputs): Promise<void> {
  // Hosted runners have buildx; the classic builder would get `docker build` with the same options.
  const plan = makePlan(inputs, { builder: 'buildx', buildkit: true, iidFile: '$RUNNER_TEMP/iid' })
  const lines = commandLines(plan)
  await core.group('Dry run: the docker commands this run would make (with buildx; nothing runs)', async () => {
    for (const line of lines) core.info(line)
  })
  const outcome: Outcome = {
    imageId: '',
    version: inputs.version,
    labels: labelsOf(inputs),
    targets: plan.targets,
    pushed: [],
    tarball: undefined
  }
  const metadata = metadataOf(outcome)
  const outputs = outputsOf(metadata)
  writeOutputs({ tags: outputs.tags, version: outputs.version, metadata: outputs.metadata })
  if (inputs.summary)
    await writeSummary(summaryMarkdown({ metadata, timings: {}, imageSize: undefined, dryRun: lines }))
  core.info(`ship-image: dry run; would tag ${plan.targets.map((t) => t.ref).join(', ')}.`)
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown).write()
}

function labelsOf(inputs: Inputs): Record<string, string> {
  return inputs.source.kind === 'build'
    ? Object.fromEntries(inputs.source.build.labels.map((l) => [l.key, l.value]))
    : {}
}

/** The name @github/local-action looks for (`npx local-action run . src/main.ts .env`). */
export const run = main

/** The event from GITHUB_* and the payload file; a missing or unreadable payload counts as none. */
function readGitEvent(): GitEvent {
  let payload: unknown
  const file = process.env.GITHUB_EVENT_PATH
  if (file) {
    try {
      payload = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (err) {
      core.warning(
        `Could not read the event payload ${file} (${err instanceof Error ? err.message : String(err)}); pull request tags fall back to GITHUB_SHA.`
      )
    }
  }
  return gitEventOf(process.env, payload)
}

/** Runs `phase` and records how long it took. */
async function timed<T>(timings: Timings, phase: keyof Timings, work: () => Promise<T>): Promise<T> {
  const start = performance.now()
  try {
    return await work()
  } finally {
    timings[phase] = performance.now() - start
  }
}

async function execute(
  inputs: Inputs,
  temp: string
): Promise<{ outcome: Outcome; timings: Timings; imageSize: number | undefined }> {
  const timings: Timings = {}
  const config = inputs.credentials && createDockerConfig(temp, inputs.registry)
  const docker = await Docker.locate(config?.env)
  // The builder check and the login are independent: they overlap.
  const buildx = inputs.source.kind === 'build' ? docker.hasBuildx() : Promise.resolve(false)
  const needsBuildKit = inputs.source.kind === 'build' && inputs.source.build.secrets.length > 0
  const login = loginPlan(inputs)
  // Secrets need BuildKit: know the builder before logging in, so a classic builder fails with nothing done.
  if (needsBuildKit) requireBuildKit(await buildx)
  const loggedIn = login
    ? timed(timings, 'login', () => logIn(docker, login, inputs.credentials!.password, inputs.attempts))
    : Promise.resolve()
  await settleAll<unknown>([buildx, loggedIn])
  const builder = (await buildx) ? 'buildx' : 'docker'
  const buildkit = builder === 'buildx' || process.env.DOCKER_BUILDKIT === '1'
  if (inputs.source.kind === 'build' && !buildkit) {
    core.warning(
      'docker build here is the classic builder, which Docker has deprecated. Install the buildx plugin (docker/setup-buildx-action) to build with BuildKit; it is also what build secrets need.'
    )
  }
  const plan = makePlan(inputs, { builder, buildkit, iidFile: path.join(temp, 'iid') })

  const secrets = inputs.source.kind === 'build' ? inputs.source.build.secrets : []
  const file = inputs.source.kind === 'build' ? inputs.source.build.file : undefined
  const imageId = await timed(timings, 'build', () =>
    makeImage(docker, plan, { secrets, file, attempts: inputs.attempts })
  )
  const pushed =
    plan.pushes.length > 0 ? await timed(timings, 'push', () => pushAll(docker, plan.pushes, inputs.attempts)) : []
  const tarball = plan.save && (await timed(timings, 'save', () => save(docker, plan.save!, plan.targets.length)))
  const imageSize = inputs.summary ? await sizeOf(docker, imageId) : undefined
  return {
    outcome: { imageId, version: inputs.version, labels: labelsOf(inputs), targets: plan.targets, pushed, tarball },
    timings,
    imageSize
  }
}
