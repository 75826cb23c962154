// The build: the classic builder's cache images pulled first, then `docker build`
// or `docker buildx build` with each secret in the build's environment. A failed
// build points at its Dockerfile line (annotations.ts).
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Docker, RunResult } from '../docker/docker.js'
import { CONCURRENCY, limiter, settleAll } from '../docker/limit.js'
import { buildCache, NAME_TAKEN, pushedManifests } from '../docker/output.js'
import { DockerError, EngineUnreachable } from '../domain/errors.js'
import { registryOf } from '../domain/reference.js'
import * as render from '../plan/render.js'
import type { BuildStep, Plan, Secrets } from '../plan/steps.js'
import * as log from '../runner/log.js'
import { dockerfileError } from './annotations.js'
import type { MadeImage } from './image.js'

/** BuildKit's words for a failed push of a build's result: "failed to push localhost:5000/app:v1: …". */
const BUILDKIT_PUSH_FAULT = /\bfailed to push\b/

/**
 * Builds the image. A build that pushes (buildx's --push) and fails tells
 * `onPushed` each tag the registry took before the failure: it is live.
 */
export async function build(
  docker: Docker,
  step: BuildStep,
  plan: Plan,
  secrets: Secrets,
  onPushed: (ref: string, digest: string) => void = () => undefined
): Promise<MadeImage> {
  if (step.cachePulls.length > 0) await pullCache(docker, step.cachePulls, plan.attempts)
  const args = render.buildArgs(step)
  // With push, buildx pushes every tag itself: there is no push group after this one.
  return log.group(`${step.push ? 'Building and pushing' : 'Building'} ${step.refs.join(', ')}`, async () => {
    // Each secret reaches the build in its own environment variable, never in an argument.
    const options = { env: secrets.buildEnv, input: step.dockerfileText }
    let result: RunResult
    if (step.push) {
      // buildx pushes: a transient registry fault in the push is worth another build (its steps are
      // cached by then); a fault of the build's own steps is not ("failed to push …" is BuildKit's).
      const failure = (result: RunResult): DockerError => {
        for (const { ref, digest } of pushedManifests(`${result.stdout}\n${result.stderr}`)) onPushed(ref, digest)
        return buildFailed(docker, step, result, plan.workspace)
      }
      const registry = step.push.registries.join(', ')
      const retry = { registry, attempts: plan.attempts, failure, faultIn: BUILDKIT_PUSH_FAULT }
      result = await docker.runRetrying(args, retry, options)
    } else {
      result = await docker.tryRun(args, options)
      // Another run's build named the same image at the same moment (the containerd store refuses the
      // second name): the build again, from its cache, names it for this run.
      for (
        let attempt = 1;
        result.exitCode !== 0 && NAME_TAKEN.test(result.stderr) && attempt < plan.attempts;
        attempt++
      ) {
        log.warning(
          `Another build on this engine named the same image at the same moment (attempt ${attempt} of ${plan.attempts}); building again, from the cache.`
        )
        result = await docker.tryRun(args, options)
      }
      if (result.exitCode !== 0) throw buildFailed(docker, step, result, plan.workspace)
    }
    // buildx without a local image (several platforms, pushed) may write no image ID.
    const id = fs.existsSync(step.iidFile) ? fs.readFileSync(step.iidFile, 'utf8').trim() : ''
    if (step.provenance === undefined && step.platforms.length === 1) await checkPlatform(docker, id, step.platforms[0])
    const cache = buildCache(`${result.stdout}\n${result.stderr}`)
    return { id, own: [id, ...builtDigests(step.metadataFile)], ...(cache ? { cache } : {}) }
  })
}

/** `os/arch[/variant]` with arm64's default variant (v8) left out, as docker treats them alike. */
function samePlatform(a: string, b: string): boolean {
  const norm = (p: string): string => p.replace(/^(linux\/arm64)\/v8$/, '$1')
  return norm(a) === norm(b)
}

/**
 * docker build (the classic builder, an older CLI's BuildKit) takes the base image
 * the engine has, whatever its platform: an image built for another platform than
 * the one asked for is an error before anything is saved or pushed.
 */
async function checkPlatform(docker: Docker, id: string, platform: string): Promise<void> {
  const format = '{{.Os}}/{{.Architecture}}{{if .Variant}}/{{.Variant}}{{end}}'
  const built = (await docker.run(render.inspectArgs([id], format), { silent: true })).stdout.trim()
  if (samePlatform(built, platform)) return
  throw new DockerError(
    `docker build made a ${built} image, not the ${platform} that platforms asks for: the classic builder builds on the base image the engine has, whatever its platform. Fix: build with buildx (docker/setup-buildx-action, and docker/setup-qemu-action for RUN steps of another architecture), or run this job on a ${platform} runner.`
  )
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
function buildFailed(docker: Docker, step: BuildStep, result: RunResult, workspace: string): DockerError {
  const generic = docker.failed(render.buildArgs(step), result)
  // The network input names one the engine does not have: the input is wrong, not the RUN line.
  const network = /^network (\S+) not found$/m.exec(`${result.stdout}\n${result.stderr}`)
  if (network) {
    return new DockerError(
      `Input 'network': the engine has no network '${network[1]}' for the build's RUN steps. Fix: give an existing network (docker network ls), or host, none or default.`
    )
  }
  const file = step.dockerfile
  if (file === undefined || generic instanceof EngineUnreachable) return generic
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return generic
  }
  // The build args fill in a FROM ${ARG}, to find the FROM of a base image that cannot be loaded.
  const found = dockerfileError(
    `${result.stdout}\n${result.stderr}`,
    text,
    path.basename(file),
    Object.fromEntries(step.buildArgs.map(({ key, value }) => [key, value]))
  )
  if (found === undefined) return generic
  const relative = path.relative(workspace, file)
  const shown = relative.startsWith('..') ? file : relative
  return new DockerError(`${shown}:${found.line}: ${found.message}`, { file: shown, line: found.line })
}

/** Pulls the cache-from images the classic builder needs locally; one that cannot be pulled is only a notice. */
async function pullCache(docker: Docker, refs: string[], attempts: number): Promise<void> {
  await log.group(`Pulling ${log.counted(refs.length, 'cache image')}`, async () => {
    const limit = limiter(CONCURRENCY)
    await settleAll(
      refs.map((ref) =>
        limit(async () => {
          try {
            await docker.runRetrying(
              render.pullArgs(ref),
              { registry: registryOf(ref), attempts },
              { onLine: log.prefixed(ref) }
            )
          } catch (err) {
            if (!(err instanceof DockerError) || err instanceof EngineUnreachable) throw err
            // The first run of a workflow has no image to reuse yet: that is not a fault.
            const missing = /manifest unknown|not found/i.test(err.message)
            log.notice(
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
