// The main step, a thin shell: inputs → plan → docker → outputs.
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { remove, removeOnSignals, track } from './cleanup.js'
import { createDockerConfig } from './credentials.js'
import { dockerfileError } from './annotations.js'
import { commandFailed, Docker, DockerError, errorSummary, pushedDigest } from './docker.js'
import type { RunResult } from './docker.js'
import { gitEventOf } from './event.js'
import type { GitEvent } from './event.js'
import { INPUT_NAMES, parseInputs } from './inputs.js'
import type { FileSystem, Inputs, RawInputs } from './inputs.js'
import { limiter, settleAll } from './limit.js'
import { commandLines, loginPlan, makePlan } from './plan.js'
import type { Plan, Push } from './plan.js'
import { metadataOf, outputsOf, writeOutputs } from './outputs.js'
import type { Outcome, Pushed } from './outputs.js'
import { saveImage } from './save.js'
import type { Tarball } from './save.js'
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

  const environment = { workspace: process.env.GITHUB_WORKSPACE || process.cwd(), fs: nodeFs, event: readGitEvent(), now: new Date() }
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
    const outputs = outputsOf(outcome)
    writeOutputs(outputs)
    const metadata = metadataOf(outcome)
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
    core.setFailed(err instanceof DockerError ? err.message : `ship-image failed: ${err instanceof Error ? err.message : String(err)}`)
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
  const outcome: Outcome = { imageId: '', version: inputs.version, labels: labelsOf(inputs), targets: plan.targets, pushed: [], tarball: undefined }
  const { tags, version, metadata } = outputsOf(outcome)
  for (const [name, value] of Object.entries({ tags, version, metadata })) core.setOutput(name, value)
  if (inputs.summary) await writeSummary(summaryMarkdown({ metadata: metadataOf(outcome), timings: {}, imageSize: undefined, dryRun: lines }))
  core.info(`ship-image: dry run; would tag ${plan.targets.map((t) => t.ref).join(', ')}.`)
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown).write()
}

function labelsOf(inputs: Inputs): Record<string, string> {
  return inputs.source.kind === 'build' ? Object.fromEntries(inputs.source.build.labels.map((l) => [l.key, l.value])) : {}
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
      core.warning(`Could not read the event payload ${file} (${err instanceof Error ? err.message : String(err)}); pull request tags fall back to GITHUB_SHA.`)
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

async function execute(inputs: Inputs, temp: string): Promise<{ outcome: Outcome; timings: Timings; imageSize: number | undefined }> {
  const timings: Timings = {}
  const config = inputs.credentials && createDockerConfig(temp, inputs.registry)
  const docker = await Docker.locate(config?.env)
  // The builder check and the login are independent: they overlap.
  const buildx = inputs.source.kind === 'build' ? docker.hasBuildx() : Promise.resolve(false)
  const needsBuildKit = inputs.source.kind === 'build' && inputs.source.build.secrets.length > 0
  const login = loginPlan(inputs)
  // Secrets need BuildKit: know the builder before logging in, so a classic builder fails with nothing done.
  if (needsBuildKit) requireBuildKit(await buildx)
  const loggedIn = login ? timed(timings, 'login', () => logIn(docker, login, inputs.credentials!.password, inputs.attempts)) : Promise.resolve()
  await settleAll<unknown>([buildx, loggedIn])
  const builder = (await buildx) ? 'buildx' : 'docker'
  const buildkit = builder === 'buildx' || process.env.DOCKER_BUILDKIT === '1'
  if (inputs.source.kind === 'build' && !buildkit) {
    core.warning('docker build here is the classic builder, which Docker has deprecated. Install the buildx plugin (docker/setup-buildx-action) to build with BuildKit; it is also what build secrets need.')
  }
  const plan = makePlan(inputs, { builder, buildkit, iidFile: path.join(temp, 'iid') })

  const secrets = inputs.source.kind === 'build' ? inputs.source.build.secrets : []
  const file = inputs.source.kind === 'build' ? inputs.source.build.file : undefined
  const imageId = await timed(timings, 'build', () => makeImage(docker, plan, { secrets, file, attempts: inputs.attempts }))
  const pushed = plan.pushes.length > 0 ? await timed(timings, 'push', () => pushAll(docker, plan.pushes, inputs.attempts)) : []
  const tarball = plan.save && (await timed(timings, 'save', () => save(docker, plan.save!, plan.targets.length)))
  const imageSize = inputs.summary ? await sizeOf(docker, imageId) : undefined
  return { outcome: { imageId, version: inputs.version, labels: labelsOf(inputs), targets: plan.targets, pushed, tarball }, timings, imageSize }
}

/** The image's size for the summary; a summary without it is no reason to fail. */
async function sizeOf(docker: Docker, imageId: string): Promise<number | undefined> {
  const result = await docker.tryRun(['image', 'inspect', '--format', '{{.Size}}', imageId], { silent: true })
  const size = Number(result.stdout.trim())
  return result.exitCode === 0 && Number.isFinite(size) ? size : undefined
}

/** DOCKER_BUILDKIT=1 makes an older CLI (such as Debian's 20.10) build with BuildKit. */
function requireBuildKit(buildx: boolean): void {
  if (buildx || process.env.DOCKER_BUILDKIT === '1') return
  throw new DockerError(
    "Input 'secrets': build secrets need BuildKit, but docker build here is the classic builder. Fix: install the buildx plugin (docker/setup-buildx-action), or set DOCKER_BUILDKIT=1 with a docker CLI that has BuildKit built in."
  )
}

async function logIn(docker: Docker, login: NonNullable<Plan['login']>, password: string, attempts: number): Promise<void> {
  const { registry, username, args } = login
  await core.group(`Logging in to ${registry} as ${username}`, async () => {
    const failure = (result: RunResult): DockerError => {
      const reason = errorSummary(result.stderr).replace(/^Error response from daemon: /, '')
      return new DockerError(`Login to ${registry} as ${username} failed: ${reason}. Check the username and password inputs (a token needs permission to push).`)
    }
    await docker.runRetrying(args, { registry, attempts, failure }, { input: password, silent: true })
    core.info(`Logged in to ${registry} as ${username}.`)
  })
}

/** Builds the image, or retags the existing one (pulling it when it is not local); returns the image ID. */
interface BuildContext {
  secrets: { id: string; value: string }[]
  /** The Dockerfile (absolute for a local context), for annotations. */
  file: string | undefined
  attempts: number
}

async function makeImage(docker: Docker, plan: Plan, { secrets, file, attempts }: BuildContext): Promise<string> {
  const image = plan.image
  if (image.kind === 'build') {
    if (image.cachePulls.length > 0) await pullCache(docker, image.cachePulls, attempts)
    // Each secret reaches the build in its own environment variable, never in an argument.
    const env = Object.fromEntries(image.secretEnv.map(({ name, id }) => [name, secrets.find((s) => s.id === id)!.value]))
    return core.group(`Building ${plan.targets.map((t) => t.ref).join(', ')}`, async () => {
      const result = await docker.tryRun(image.args, { env })
      if (result.exitCode !== 0) throw buildFailed(image.args, result, file)
      return fs.readFileSync(image.iidFile, 'utf8').trim()
    })
  }
  return core.group(`Tagging ${image.source} as ${plan.targets.map((t) => t.ref).join(', ')}`, async () => {
    let inspected = await docker.tryRun(image.inspect, { silent: true })
    if (inspected.exitCode !== 0) {
      core.info(`${image.source} is not in the local engine; pulling it.`)
      await docker.runRetrying(image.pull, { registry: registryOf(image.source), attempts })
      inspected = await docker.run(image.inspect, { silent: true })
    }
    for (const args of image.tag) await docker.run(args)
    return inspected.stdout.trim()
  })
}

/** The build's failure, on the Dockerfile line it names when there is one. */
function buildFailed(args: string[], result: RunResult, file: string | undefined): DockerError {
  const generic = commandFailed(args, result.exitCode, errorSummary(result.stderr, result.stdout))
  if (file === undefined || !path.isAbsolute(file) || generic.message.startsWith('The Docker engine')) return generic
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return generic
  }
  const found = dockerfileError(`${result.stdout}\n${result.stderr}`, text, path.basename(file))
  if (found === undefined) return generic
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const relative = path.relative(workspace, file)
  const shown = relative.startsWith('..') ? file : relative
  return new DockerError(`${shown}:${found.line}: ${found.message}`, { file: shown, line: found.line })
}

/** Pulls the cache-from images the classic builder needs locally; one that cannot be pulled is only a notice. */
async function pullCache(docker: Docker, pulls: { ref: string; args: string[] }[], attempts: number): Promise<void> {
  await core.group(`Pulling ${count(pulls.length, 'cache image')}`, async () => {
    const limit = limiter(CONCURRENCY)
    await settleAll(
      pulls.map(({ ref, args }) =>
        limit(async () => {
          try {
            await docker.runRetrying(args, { registry: registryOf(ref), attempts }, { onLine: prefixed(ref) })
          } catch (err) {
            if (!(err instanceof DockerError) || err.message.startsWith('The Docker engine')) throw err
            core.notice(`cache-from: ${ref} could not be pulled (${err.message}); building without it.`)
          }
        })
      )
    )
  })
}

/** How many docker pushes or pulls run at once. */
const CONCURRENCY = 4

/**
 * Pushes every reference, up to CONCURRENCY at a time: the first tag of each
 * repository first (it uploads the layers), then its other tags (only manifests).
 * Each digest is the one docker reports from the registry.
 */
async function pushAll(docker: Docker, groups: Plan['pushes'], attempts: number): Promise<Pushed[]> {
  const total = groups.flat().length
  if (total === 0) return []
  const refs = groups.flat().map((p) => p.target.ref)
  const header = total === 1 ? `Pushing ${refs[0]}` : `Pushing ${count(total, 'reference')}, up to ${CONCURRENCY} at a time: ${refs.join(', ')}`
  return core.group(header, async () => {
    const limit = limiter(CONCURRENCY)
    const pushOne = (push: Push): Promise<Pushed> => limit(() => pushReference(docker, push, total > 1, attempts))
    const perRepository = groups.map(async ([first, ...rest]) => [await pushOne(first), ...(await settleAll(rest.map(pushOne)))])
    return (await settleAll(perRepository)).flat()
  })
}

async function pushReference(docker: Docker, push: Push, concurrent: boolean, attempts: number): Promise<Pushed> {
  const { ref, repository } = push.target
  const result = await docker.runRetrying(push.args, { registry: repository.domain, attempts }, concurrent ? { onLine: prefixed(ref) } : {})
  const digest = pushedDigest(result.stdout)
  if (digest === undefined) {
    throw new DockerError(`docker push ${ref} succeeded but printed no manifest digest, so the digest outputs cannot be set.`)
  }
  return { target: push.target, digest }
}

/** Log lines of one of several commands running at once, each marked with its reference. */
function prefixed(ref: string): (line: string) => void {
  return (line) => core.info(`[${ref}] ${line}`)
}

async function save(docker: Docker, save: NonNullable<Plan['save']>, references: number): Promise<Tarball> {
  return core.group(`Saving ${count(references, 'reference')} to ${save.target.path}`, async () => {
    const tarball = await saveImage(docker, save.args, save.target)
    const how = save.target.gzip ? `, gzip level ${save.target.level} by ${tarball.compressor}` : ''
    core.info(`Wrote ${tarball.path} (${tarball.size} bytes${how}, ${tarball.digest}).`)
    return tarball
  })
}

/** The registry host of an image reference, for messages (`docker.io` when it names none). */
function registryOf(ref: string): string {
  const first = ref.split('/')[0]
  return ref.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io'
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
