// The image phase: build it (pulling the classic builder's cache images first),
// pull and retag an existing one, or load one from a tarball. A failed build points at its Dockerfile line.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { dockerfileError } from './annotations.js'
import { buildCache } from '../docker/output.js'
import type { Docker, RunResult } from '../docker/docker.js'
import { DockerError, EngineUnreachable } from '../domain/errors.js'
import { CONCURRENCY, limiter, settleAll } from '../docker/limit.js'
import { filterThrough } from '../docker/children.js'
import { loadedImages, NAME_TAKEN } from '../docker/output.js'
import { tagArgs } from '../plan/plan.js'
import type { BuildStep, LoadStep, Plan, Secrets } from '../plan/plan.js'
import { registryOf } from '../domain/reference.js'
import * as workflow from '../runner/workflow.js'

/** The image the run made: its ID, and every digest that names it (to tell it from another run's). */
export interface MadeImage {
  id: string
  /** The image ID, and with buildx the manifest and config digests: the engine's ID is one of them, whatever its image store. */
  own: string[]
  /** The build's steps and cache hits, as the builder printed them (for the summary). */
  cache?: { steps: number; cached: number }
  /** The tags a loaded tarball gave it: the source's own, which cleanup keeps. */
  loaded?: string[]
  /** The digest the registry gave a source image that was pulled, to tell whether the push kept it. */
  pulledDigest?: string
}

/**
 * Loads the tarball (through zstd when the plan says so) and tags the one image
 * in it as every target. A tarball of several images is an error naming them.
 */
async function loadImage(docker: Docker, image: LoadStep, plan: Plan): Promise<MadeImage> {
  const refs = plan.targets.map((t) => t.ref)
  return workflow.group(`Loading ${image.path} and tagging it as ${refs.join(', ')}`, async () => {
    const unpack = image.decompress && filterThrough(image.decompress.program, image.decompress.args, undefined)
    const result = await docker.tryRun(image.args, unpack ? { stdin: unpack.output } : {})
    const unpacked = await unpack?.done.then(
      () => undefined,
      (err: unknown) => err
    )
    if (result.exitCode !== 0 || unpacked !== undefined) {
      const zstdHint =
        image.path.endsWith('.zst') && !image.decompress
          ? ' The engine may be older than 23.0, which cannot read zstd: install zstd on the runner.'
          : ''
      const why = unpacked instanceof Error ? unpacked.message : docker.failed(image.args, result).message
      throw new DockerError(`Loading ${image.path} failed: ${why}.${zstdHint}`)
    }
    const loaded = loadedImages(`${result.stdout}\n${result.stderr}`)
    const ids = new Set(loaded.ids)
    if (loaded.refs.length > 0) {
      const inspected = await docker.run(['image', 'inspect', '--format', '{{.Id}}', ...loaded.refs], { silent: true })
      for (const id of inspected.stdout.split('\n').filter((l) => l.trim() !== '')) ids.add(id.trim())
    }
    if (ids.size !== 1) {
      const names = [...loaded.refs, ...loaded.ids].join(', ') || 'nothing docker named'
      throw new DockerError(
        `Input 'source-image': the tarball ${image.path} holds ${ids.size} images (${names}), and this run pushes one. Fix: save one image per tarball (with as many tags as it needs).`
      )
    }
    const [id] = ids
    for (const ref of refs) await docker.run(tagArgs(id, ref))
    return { id, own: [id], loaded: loaded.refs }
  })
}

/** Builds the image, or retags the existing one (pulling it when it is not local). */
export async function makeImage(docker: Docker, plan: Plan, secrets: Secrets): Promise<MadeImage> {
  const image = plan.image
  const refs = plan.targets.map((t) => t.ref).join(', ')
  if (image.kind === 'build') {
    if (image.cachePulls.length > 0) await pullCache(docker, image.cachePulls, plan.attempts)
    return workflow.group(`Building ${refs}`, async () => {
      // Each secret reaches the build in its own environment variable, never in an argument.
      const options = { env: secrets.buildEnv, input: image.dockerfileText }
      let result: RunResult
      if (image.push) {
        // buildx pushes: a transient registry fault is worth another build (its steps are cached by then).
        const failure = (result: RunResult): DockerError => buildFailed(docker, image, result, plan.workspace)
        const registry = image.push.registries.join(', ')
        result = await docker.runRetrying(image.args, { registry, attempts: plan.attempts, failure }, options)
      } else {
        result = await docker.tryRun(image.args, options)
        // Another run's build named the same image at the same moment (the containerd store refuses the
        // second name): the build again, from its cache, names it for this run.
        for (
          let attempt = 1;
          result.exitCode !== 0 && NAME_TAKEN.test(result.stderr) && attempt < plan.attempts;
          attempt++
        ) {
          workflow.warning(
            `Another build on this engine named the same image at the same moment (attempt ${attempt} of ${plan.attempts}); building again, from the cache.`
          )
          result = await docker.tryRun(image.args, options)
        }
        if (result.exitCode !== 0) throw buildFailed(docker, image, result, plan.workspace)
      }
      // buildx without a local image (several platforms, pushed) may write no image ID.
      const id = fs.existsSync(image.iidFile) ? fs.readFileSync(image.iidFile, 'utf8').trim() : ''
      const cache = buildCache(`${result.stdout}\n${result.stderr}`)
      return { id, own: [id, ...builtDigests(image.metadataFile)], ...(cache ? { cache } : {}) }
    })
  }
  if (image.kind === 'load') return loadImage(docker, image, plan)
  if (image.kind === 'merge') throw new Error('a merge makes no local image')
  return workflow.group(`Tagging ${image.source} as ${refs}`, async () => {
    let inspected = await docker.tryRun(image.inspect, { silent: true })
    let pulledDigest: string | undefined
    if (inspected.exitCode !== 0) {
      workflow.info(`${image.source} is not in the local engine; pulling it.`)
      const pulled = await docker.runRetrying(image.pull, {
        registry: registryOf(image.source),
        attempts: plan.attempts
      })
      pulledDigest = /^Digest: (sha256:[a-f0-9]{64})\s*$/m.exec(pulled.stdout)?.[1]
      inspected = await docker.run(image.inspect, { silent: true })
    }
    for (const args of image.tag) await docker.run(args)
    const id = inspected.stdout.trim()
    return { id, own: [id], pulledDigest }
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
