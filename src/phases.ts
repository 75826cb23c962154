// The docker work of the main step, one function per phase: log in, make the
// image (build, or pull and retag), push, save. Each runs the commands the plan
// made, in a log group that says what happens to which reference.
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { dockerfileError } from './annotations.js'
import { commandFailed, DockerError, EngineUnreachable, errorSummary, failureOf, pushedDigest } from './docker.js'
import type { Docker, RunResult } from './docker.js'
import { limiter, settleAll } from './limit.js'
import type { Plan, Push } from './plan.js'
import { registryOf } from './reference.js'
import type { Pushed } from './outputs.js'
import { saveImage } from './save.js'
import type { Tarball } from './save.js'

/** The image's size for the summary; a summary without it is no reason to fail. */
export async function sizeOf(docker: Docker, imageId: string): Promise<number | undefined> {
  const result = await docker.tryRun(['image', 'inspect', '--format', '{{.Size}}', imageId], { silent: true })
  const size = Number(result.stdout.trim())
  return result.exitCode === 0 && Number.isFinite(size) ? size : undefined
}

/** DOCKER_BUILDKIT=1 makes an older CLI (such as Debian's 20.10) build with BuildKit. */
export function requireBuildKit(buildx: boolean): void {
  if (buildx || process.env.DOCKER_BUILDKIT === '1') return
  throw new DockerError(
    "Input 'secrets': build secrets need BuildKit, but docker build here is the classic builder. Fix: install the buildx plugin (docker/setup-buildx-action), or set DOCKER_BUILDKIT=1 with a docker CLI that has BuildKit built in."
  )
}

export async function logIn(
  docker: Docker,
  login: NonNullable<Plan['login']>,
  password: string,
  attempts: number
): Promise<void> {
  const { registry, username, args } = login
  await core.group(`Logging in to ${registry} as ${username}`, async () => {
    const failure = (result: RunResult): DockerError => {
      const reason = errorSummary(result.stderr).replace(/^Error response from daemon: /, '')
      return new DockerError(
        `Login to ${registry} as ${username} failed: ${reason}. Check the username and password inputs (a token needs permission to push).`
      )
    }
    await docker.runRetrying(args, { registry, attempts, failure }, { input: password, silent: true })
    core.info(`Logged in to ${registry} as ${username}.`)
  })
}

export interface BuildContext {
  secrets: { id: string; value: string }[]
  /** The Dockerfile (absolute for a local context), for annotations. */
  file: string | undefined
  attempts: number
}

/** Builds the image, or retags the existing one (pulling it when it is not local); returns the image ID. */
export async function makeImage(
  docker: Docker,
  plan: Plan,
  { secrets, file, attempts }: BuildContext
): Promise<string> {
  const image = plan.image
  if (image.kind === 'build') {
    if (image.cachePulls.length > 0) await pullCache(docker, image.cachePulls, attempts)
    // Each secret reaches the build in its own environment variable, never in an argument.
    const env = Object.fromEntries(
      image.secretEnv.map(({ name, id }) => [name, secrets.find((s) => s.id === id)!.value])
    )
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
  const generic = commandFailed(args, result.exitCode, failureOf(result))
  if (file === undefined || !path.isAbsolute(file) || generic instanceof EngineUnreachable) return generic
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
            if (!(err instanceof DockerError) || err instanceof EngineUnreachable) throw err
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
export async function pushAll(docker: Docker, groups: Plan['pushes'], attempts: number): Promise<Pushed[]> {
  const total = groups.flat().length
  if (total === 0) return []
  const refs = groups.flat().map((p) => p.target.ref)
  const header =
    total === 1
      ? `Pushing ${refs[0]}`
      : `Pushing ${count(total, 'reference')}, up to ${CONCURRENCY} at a time: ${refs.join(', ')}`
  return core.group(header, async () => {
    const limit = limiter(CONCURRENCY)
    const pushOne = (push: Push): Promise<Pushed> => limit(() => pushReference(docker, push, total > 1, attempts))
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

/** Log lines of one of several commands running at once, each marked with its reference. */
function prefixed(ref: string): (line: string) => void {
  return (line) => core.info(`[${ref}] ${line}`)
}

export async function save(docker: Docker, save: NonNullable<Plan['save']>, references: number): Promise<Tarball> {
  return core.group(`Saving ${count(references, 'reference')} to ${save.target.path}`, async () => {
    const tarball = await saveImage(docker, save.args, save.target)
    const how = save.target.gzip ? `, gzip level ${save.target.level} by ${tarball.compressor}` : ''
    core.info(`Wrote ${tarball.path} (${tarball.size} bytes${how}, ${tarball.digest}).`)
    return tarball
  })
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
