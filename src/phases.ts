// The docker work of the main step, one function per phase: log in, make the
// image (build, or pull and retag), push, save; and runPhases, which runs them in
// order as the plan says. Each phase runs the commands the plan made, in a log
// group that says what happens to which reference.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { dockerfileError } from './annotations.js'
import { errorSummary, pushedDigest } from './docker-output.js'
import type { Docker, RunResult } from './docker.js'
import { DockerError, EngineUnreachable } from './errors.js'
import { limiter, settleAll } from './limit.js'
import { platformsOf } from './outputs.js'
import type { Outcome, PlatformDigest, Pushed } from './outputs.js'
import type { BuildPush, BuildStep, Login, Plan, Push, Secrets } from './plan.js'
import { registryOf } from './reference.js'
import { saveImage } from './save.js'
import type { Tarball } from './save.js'
import type { Timings } from './summary.js'
import * as workflow from './workflow.js'

/** How many docker pushes or pulls run at once. */
export const CONCURRENCY = 4

export interface PhaseResult {
  outcome: Outcome
  timings: Timings
  /** The image's size in the engine, for the summary. */
  imageSize: number | undefined
}

/** Runs the plan: login, build or retag, push, save; each phase timed. */
export async function runPhases(docker: Docker, plan: Plan, secrets: Secrets): Promise<PhaseResult> {
  const timings: Timings = {}
  const login = plan.login
  if (login) await timed(timings, 'login', () => logIn(docker, login, secrets.password ?? '', plan.attempts))
  const imageId = await timed(timings, 'build', () => makeImage(docker, plan, secrets))
  const built = plan.image.kind === 'build' ? plan.image.push : undefined
  const { pushed, platforms } = built
    ? await timed(timings, 'push', () => readBack(docker, plan, built))
    : { pushed: plan.pushes.length > 0 ? await timed(timings, 'push', () => pushAll(docker, plan)) : [] }
  const saveStep = plan.save
  const tarball = saveStep && (await timed(timings, 'save', () => save(docker, saveStep, plan.targets.length)))
  const imageSize = plan.summary ? await sizeOf(docker, imageId) : undefined
  const outcome: Outcome = {
    imageId,
    version: plan.version,
    labels: plan.labels,
    targets: plan.targets,
    pushed,
    platforms: platforms ?? plan.platforms.map((platform) => ({ platform, digest: pushed[0]?.digest ?? null })),
    tarball
  }
  return { outcome, timings, imageSize }
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

/** The image's size for the summary; a summary without it is no reason to fail. */
export async function sizeOf(docker: Docker, imageId: string): Promise<number | undefined> {
  const result = await docker.tryRun(['image', 'inspect', '--format', '{{.Size}}', imageId], { silent: true })
  const size = Number(result.stdout.trim())
  return result.exitCode === 0 && Number.isFinite(size) ? size : undefined
}

export async function logIn(docker: Docker, login: Login, password: string, attempts: number): Promise<void> {
  const { registry, username, args } = login
  await workflow.group(`Logging in to ${registry} as ${username}`, async () => {
    const failure = (result: RunResult): DockerError => {
      const reason = errorSummary(result.stderr).replace(/^Error response from daemon: /, '')
      return new DockerError(
        `Login to ${registry} as ${username} failed: ${reason}. Check the username and password inputs (a token needs permission to push).`
      )
    }
    await docker.runRetrying(args, { registry, attempts, failure }, { input: password, silent: true })
    workflow.info(`Logged in to ${registry} as ${username}.`)
  })
}

/** Builds the image, or retags the existing one (pulling it when it is not local); returns the image ID. */
export async function makeImage(docker: Docker, plan: Plan, secrets: Secrets): Promise<string> {
  const image = plan.image
  const refs = plan.targets.map((t) => t.ref).join(', ')
  if (image.kind === 'build') {
    if (image.cachePulls.length > 0) await pullCache(docker, image.cachePulls, plan.attempts)
    return workflow.group(`Building ${refs}`, async () => {
      // Each secret reaches the build in its own environment variable, never in an argument.
      const options = { env: secrets.buildEnv }
      if (image.push) {
        // buildx pushes: a transient registry fault is worth another build (its steps are cached by then).
        const failure = (result: RunResult): DockerError => buildFailed(docker, image, result, plan.workspace)
        const registry = image.push.registries.join(', ')
        await docker.runRetrying(image.args, { registry, attempts: plan.attempts, failure }, options)
      } else {
        const result = await docker.tryRun(image.args, options)
        if (result.exitCode !== 0) throw buildFailed(docker, image, result, plan.workspace)
      }
      if (image.inspectId) return (await docker.run(image.inspectId, { silent: true })).stdout.trim()
      // buildx without a local image (several platforms not pushed) may write no image ID.
      return fs.existsSync(image.iidFile) ? fs.readFileSync(image.iidFile, 'utf8').trim() : ''
    })
  }
  return workflow.group(`Tagging ${image.source} as ${refs}`, async () => {
    let inspected = await docker.tryRun(image.inspect, { silent: true })
    if (inspected.exitCode !== 0) {
      workflow.info(`${image.source} is not in the local engine; pulling it.`)
      await docker.runRetrying(image.pull, { registry: registryOf(image.source), attempts: plan.attempts })
      inspected = await docker.run(image.inspect, { silent: true })
    }
    for (const args of image.tag) await docker.run(args)
    return inspected.stdout.trim()
  })
}

/** The build's failure, on the Dockerfile line it names when there is one. */
function buildFailed(docker: Docker, image: BuildStep, result: RunResult, workspace: string): DockerError {
  const generic = docker.failed(image.args, result)
  const file = image.dockerfile
  if (file === undefined || generic instanceof EngineUnreachable) return generic
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return generic
  }
  const found = dockerfileError(`${result.stdout}\n${result.stderr}`, text, path.basename(file))
  if (found === undefined) return generic
  const relative = path.relative(workspace, file)
  const shown = relative.startsWith('..') ? file : relative
  return new DockerError(`${shown}:${found.line}: ${found.message}`, { file: shown, line: found.line })
}

/** Pulls the cache-from images the classic builder needs locally; one that cannot be pulled is only a notice. */
async function pullCache(docker: Docker, pulls: BuildStep['cachePulls'], attempts: number): Promise<void> {
  await workflow.group(`Pulling ${count(pulls.length, 'cache image')}`, async () => {
    const limit = limiter(CONCURRENCY)
    await settleAll(
      pulls.map(({ ref, args }) =>
        limit(async () => {
          try {
            await docker.runRetrying(args, { registry: registryOf(ref), attempts }, { onLine: prefixed(ref) })
          } catch (err) {
            if (!(err instanceof DockerError) || err instanceof EngineUnreachable) throw err
            workflow.notice(`cache-from: ${ref} could not be pulled (${err.message}); building without it.`)
          }
        })
      )
    )
  })
}

/**
 * Pushes every reference, up to CONCURRENCY at a time: the first tag of each
 * repository first (it uploads the layers), then its other tags (only manifests).
 * Each digest is the one docker reports from the registry.
 */
export async function pushAll(docker: Docker, plan: Plan): Promise<Pushed[]> {
  const groups = plan.pushes
  const total = groups.flat().length
  if (total === 0) return []
  const refs = groups.flat().map((p) => p.target.ref)
  const header =
    total === 1
      ? `Pushing ${refs[0]}`
      : `Pushing ${count(total, 'reference')}, up to ${CONCURRENCY} at a time: ${refs.join(', ')}`
  return workflow.group(header, async () => {
    const limit = limiter(CONCURRENCY)
    const pushOne = (push: Push): Promise<Pushed> => limit(() => pushReference(docker, push, total > 1, plan.attempts))
    const perRepository = groups.map(async ([first, ...rest]) => [
      await pushOne(first),
      ...(await settleAll(rest.map(pushOne)))
    ])
    return (await settleAll(perRepository)).flat()
  })
}

async function pushReference(docker: Docker, push: Push, concurrent: boolean, attempts: number): Promise<Pushed> {
  const { ref, repository } = push.target
  const result = await docker.runRetrying(
    push.args,
    { registry: repository.domain, attempts },
    concurrent ? { onLine: prefixed(ref) } : {}
  )
  const digest = pushedDigest(result.stdout)
  if (digest === undefined) {
    throw new DockerError(
      `docker push ${ref} succeeded but printed no manifest digest, so the digest outputs cannot be set.`
    )
  }
  return { target: push.target, digest }
}

/**
 * What buildx pushed: the digest from its metadata file, checked against each
 * repository's manifest or index as the registry serves it, and each platform's
 * manifest digest from that index.
 */
export async function readBack(
  docker: Docker,
  plan: Plan,
  push: BuildPush
): Promise<{ pushed: Pushed[]; platforms: PlatformDigest[] }> {
  let digest: unknown
  try {
    digest = (JSON.parse(fs.readFileSync(push.metadataFile, 'utf8')) as Record<string, unknown>)[
      'containerimage.digest'
    ]
  } catch {
    digest = undefined
  }
  if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new DockerError(
      'docker buildx build --push succeeded but wrote no image digest to its metadata file, so the digest outputs cannot be set.'
    )
  }
  const repositories = [...new Map(plan.targets.map((t) => [t.repository.name, t.repository])).values()]
  const pushedDigest = digest
  return workflow.group(`Reading back ${repositories.map((r) => `${r.name}@${pushedDigest}`).join(', ')}`, async () => {
    const limit = limiter(CONCURRENCY)
    const served = await settleAll(
      repositories.map((r) => limit(() => servedIndex(docker, push, r.name, pushedDigest)))
    )
    const index = served.find((m) => m !== undefined)
    const platforms =
      index === undefined
        ? plan.platforms.map((platform) => ({ platform, digest: null }))
        : platformsOf(index, pushedDigest, plan.platforms)
    for (const { platform, digest: d } of platforms) workflow.info(`${platform}: ${d ?? 'unknown'}`)
    return { pushed: plan.targets.map((target) => ({ target, digest: pushedDigest })), platforms }
  })
}

/**
 * The manifest or index `name@digest` as the registry serves it: buildx's raw
 * bytes, which must hash to the digest; else the docker CLI's reading. Undefined
 * (with a warning) when neither can read it: the push itself succeeded.
 */
async function servedIndex(docker: Docker, push: BuildPush, name: string, digest: string): Promise<unknown> {
  const ref = `${name}@${digest}`
  const raw = await docker.tryRun([...push.inspect, ref], { silent: true })
  if (raw.exitCode === 0) {
    const hash = `sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`
    if (hash !== digest) {
      throw new DockerError(
        `${name} serves a manifest whose digest is ${hash}, not the ${digest} buildx reported for its push.`
      )
    }
    workflow.info(`${ref}: the registry serves it (${raw.stdout.length} bytes).`)
    return JSON.parse(raw.stdout) as unknown
  }
  const cli = await docker.tryRun([...push.fallback, ref], { silent: true })
  if (cli.exitCode === 0) {
    workflow.info(`${ref}: the registry serves it (read by docker manifest inspect).`)
    return JSON.parse(cli.stdout) as unknown
  }
  workflow.warning(
    `Could not read ${ref} back from the registry (${errorSummary(raw.stderr)}; ${errorSummary(cli.stderr)}), so the platform digests in metadata are unknown. The push itself succeeded.`
  )
  return undefined
}

/** Log lines of one of several commands running at once, each marked with its reference. */
function prefixed(ref: string): (line: string) => void {
  return (line) => workflow.info(`[${ref}] ${line}`)
}

export async function save(docker: Docker, step: NonNullable<Plan['save']>, references: number): Promise<Tarball> {
  return workflow.group(`Saving ${count(references, 'reference')} to ${step.target.path}`, async () => {
    const tarball = await saveImage(docker, step.args, step.target, step.compressor)
    const how = step.target.gzip ? `, gzip level ${step.target.level} by ${tarball.compressor}` : ''
    workflow.info(`Wrote ${tarball.path} (${tarball.size} bytes${how}, ${tarball.digest}).`)
    return tarball
  })
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
