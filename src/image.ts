// The image phase: build it (pulling the classic builder's cache images first),
// or pull and retag an existing one. A failed build points at its Dockerfile line.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { dockerfileError } from './annotations.js'
import { buildCache } from './docker-output.js'
import type { Docker, RunResult } from './docker.js'
import { DockerError, EngineUnreachable } from './errors.js'
import { CONCURRENCY, limiter, settleAll } from './limit.js'
import type { BuildStep, Plan, Secrets } from './plan.js'
import { registryOf } from './reference.js'
import * as workflow from './workflow.js'

/** The image the run made: its ID, and every digest that names it (to tell it from another run's). */
export interface MadeImage {
  id: string
  /** The image ID, and with buildx the manifest and config digests: the engine's ID is one of them, whatever its image store. */
  own: string[]
  /** The build's steps and cache hits, as the builder printed them (for the summary). */
  cache?: { steps: number; cached: number }
}

/** Builds the image, or retags the existing one (pulling it when it is not local). */
export async function makeImage(docker: Docker, plan: Plan, secrets: Secrets): Promise<MadeImage> {
  const image = plan.image
  const refs = plan.targets.map((t) => t.ref).join(', ')
  if (image.kind === 'build') {
    if (image.cachePulls.length > 0) await pullCache(docker, image.cachePulls, plan.attempts)
    return workflow.group(`Building ${refs}`, async () => {
      // Each secret reaches the build in its own environment variable, never in an argument.
      const result = await docker.tryRun(image.args, { env: secrets.buildEnv })
      if (result.exitCode !== 0) throw buildFailed(docker, image, result, plan.workspace)
      const id = fs.readFileSync(image.iidFile, 'utf8').trim()
      const cache = buildCache(`${result.stdout}\n${result.stderr}`)
      return { id, own: [id, ...builtDigests(image.metadataFile)], ...(cache ? { cache } : {}) }
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
    const id = inspected.stdout.trim()
    return { id, own: [id] }
  })
}

/**
 * The manifest and config digests buildx writes to its metadata file. In the
 * containerd image store the engine names an image by its manifest digest, in
 * the classic store by its config digest (which is also the --iidfile's).
 */
function builtDigests(metadataFile: string | undefined): string[] {
  if (metadataFile === undefined) return []
  try {
    const metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as Record<string, unknown>
    return ['containerimage.digest', 'containerimage.config.digest']
      .map((key) => metadata[key])
      .filter((d): d is string => typeof d === 'string')
  } catch {
    return []
  }
}

/** The build's failure, on the Dockerfile line it names when there is one. */
function buildFailed(docker: Docker, image: BuildStep, result: RunResult, workspace: string): DockerError {
  const generic = docker.failed(image.args, result)
  // The network input names one the engine does not have: the input is wrong, not the RUN line.
  const network = /^network (\S+) not found$/m.exec(`${result.stdout}\n${result.stderr}`)
  if (network) {
    return new DockerError(
      `Input 'network': the engine has no network '${network[1]}' for the build's RUN steps. Fix: give an existing network (docker network ls), or host, none or default.`
    )
  }
  const file = image.dockerfile
  if (file === undefined || generic instanceof EngineUnreachable) return generic
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return generic
  }
  // The build args fill in a FROM ${ARG}, to find the FROM of a base image that cannot be loaded.
  const buildArgs = image.args.flatMap((arg, i) => (image.args[i - 1] === '--build-arg' ? [arg.split(/=(.*)/s)] : []))
  const found = dockerfileError(
    `${result.stdout}\n${result.stderr}`,
    text,
    path.basename(file),
    Object.fromEntries(buildArgs.map(([key, value]) => [key, value ?? '']))
  )
  if (found === undefined) return generic
  const relative = path.relative(workspace, file)
  const shown = relative.startsWith('..') ? file : relative
  return new DockerError(`${shown}:${found.line}: ${found.message}`, { file: shown, line: found.line })
}

/** Pulls the cache-from images the classic builder needs locally; one that cannot be pulled is only a notice. */
async function pullCache(docker: Docker, pulls: BuildStep['cachePulls'], attempts: number): Promise<void> {
  await workflow.group(`Pulling ${workflow.counted(pulls.length, 'cache image')}`, async () => {
    const limit = limiter(CONCURRENCY)
    await settleAll(
      pulls.map(({ ref, args }) =>
        limit(async () => {
          try {
            await docker.runRetrying(args, { registry: registryOf(ref), attempts }, { onLine: workflow.prefixed(ref) })
          } catch (err) {
            if (!(err instanceof DockerError) || err instanceof EngineUnreachable) throw err
            // The first run of a workflow has no image to reuse yet: that is not a fault.
            const missing = /manifest unknown|not found/i.test(err.message)
            workflow.notice(
              missing
                ? `cache-from: ${ref} could not be pulled: it is not in the registry (yet: on a first run, or before that tag is pushed); building without it.`
                : `cache-from: ${ref} could not be pulled (${err.message}); building without it.`
            )
          }
        })
      )
    )
  })
}
