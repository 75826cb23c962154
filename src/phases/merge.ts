// The merge job: the parts that the jobs of a matrix pushed (`merge: part`) are
// found and checked to be of this commit, then put into one index per repository
// under the real tags, in the registries alone.
import type { Docker } from '../docker/docker.js'
import { CONCURRENCY, limiter, settleAll } from '../docker/limit.js'
import { errorSummary } from '../docker/output.js'
import { DockerError } from '../domain/errors.js'
import { OCI } from '../domain/event.js'
import { platformsOf } from '../domain/image.js'
import type { PlatformDigest, Pushed } from '../domain/image.js'
import * as render from '../plan/render.js'
import type { MergeStep, Plan } from '../plan/steps.js'
import * as log from '../runner/log.js'
import { readRaw } from './registry.js'
import type { RegistryResult } from './registry.js'

const REVISION = `${OCI}.revision`

/** What a part is: the commit its revision label names, and the platforms it holds. */
interface Part {
  revision: string | undefined
  platforms: string[]
}

const platformOf = (config: { os?: unknown; architecture?: unknown; variant?: unknown }): string =>
  [config.os, config.architecture, config.variant].filter((v) => typeof v === 'string' && v !== '').join('/')

/**
 * A part as the registry has it: buildx reads its image config(s) there (an index
 * gives one per platform); without buildx it is pulled (`pulled` learns of it, when
 * the engine did not have it before, for cleanup).
 */
async function partOf(docker: Docker, step: MergeStep, ref: string, platform: string, pulled: string[]): Promise<Part> {
  if (step.tool === 'imagetools') {
    const result = await docker.tryRun(render.imagetoolsInspectArgs(ref, { format: '{{json .Image}}' }), {
      silent: true
    })
    if (result.exitCode !== 0) throw new DockerError(errorSummary(result.stderr, result.stdout))
    type Config = {
      os?: unknown
      architecture?: unknown
      variant?: unknown
      config?: { Labels?: Record<string, string> }
    }
    const image = JSON.parse(result.stdout) as Config
    // One manifest gives its config; an index (a part with an attestation) one config per platform.
    const configs: Config[] =
      image.config !== undefined || image.architecture !== undefined
        ? [image]
        : Object.values(image as Record<string, Config>)
    const platforms = configs.map(platformOf).filter((p) => p !== '' && !p.startsWith('unknown'))
    const own = configs.find((c) => platformOf(c) === platform) ?? configs[0]
    return { revision: own?.config?.Labels?.[REVISION], platforms }
  }
  const before = await docker.tryRun(render.inspectArgs([ref], '{{.Id}}'), { silent: true })
  const fetched = await docker.tryRun(render.pullArgs(ref, platform), { silent: true })
  if (fetched.exitCode !== 0) throw new DockerError(errorSummary(fetched.stderr, fetched.stdout))
  if (before.exitCode !== 0) pulled.push(ref)
  const inspected = await docker.run(render.inspectArgs([ref], '{{json .}}'), { silent: true })
  const image = JSON.parse(inspected.stdout) as {
    Os?: string
    Architecture?: string
    Variant?: string
    Config?: { Labels?: Record<string, string> | null }
  }
  return {
    revision: image.Config?.Labels?.[REVISION],
    platforms: [platformOf({ os: image.Os, architecture: image.Architecture, variant: image.Variant })]
  }
}

/** The digest buildx's imagetools create says it pushed to `ref` (`pushing sha256:… to <ref>`). */
export function createdDigest(output: string, ref: string): string | undefined {
  const escaped = ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`pushing (sha256:[a-f0-9]{64}) to ${escaped}\\s*$`, 'm').exec(output)?.[1]
}

/**
 * Every part of every repository is found and checked to be of this commit (its
 * revision label) before anything is made; then one index per repository under
 * every tag. A missing part, or one of another commit, is one error naming the
 * platforms, and no tag is moved. Each repository's references are recorded as
 * they move.
 */
export async function mergeParts(
  docker: Docker,
  plan: Plan,
  step: MergeStep,
  record: (pushed: Pushed) => void
): Promise<RegistryResult> {
  const problems: string[] = []
  const pulled: string[] = []
  await log.group(`Checking the parts of commit ${step.sha.slice(0, 7)}`, async () => {
    const limit = limiter(CONCURRENCY)
    await settleAll(
      step.repositories.flatMap(({ parts }) =>
        parts.map(({ platform, ref }) =>
          limit(async () => {
            try {
              const part = await partOf(docker, step, ref, platform, pulled)
              // A part is one platform's image, the one it stands for: another platform, or an index of several, is not.
              if (part.platforms.length !== 1 || part.platforms[0] !== platform) {
                problems.push(
                  `${platform}: ${ref} is ${part.platforms.length === 1 ? `an image for ${part.platforms[0]}` : `an index of ${part.platforms.join(', ') || 'no platform'}`}, not one image for ${platform}`
                )
              } else if (part.revision !== step.sha) {
                problems.push(
                  `${platform}: ${ref} is of commit ${part.revision ?? 'unknown (no revision label)'}, not ${step.sha}`
                )
              } else log.info(`${platform}: ${ref} is the ${platform} image of commit ${step.sha.slice(0, 7)}.`)
            } catch (err) {
              const why = err instanceof Error ? err.message : String(err)
              problems.push(
                `${platform}: there is no part ${ref} (${why}); did that job's merge: part step run for this commit?`
              )
            }
          })
        )
      )
    )
  })
  // The parts this run pulled to read them (without buildx) go again when the run cleans up after itself.
  if (step.removePulled && pulled.length > 0) {
    const removed = await docker.tryRun(render.removeArgs(pulled), { silent: true })
    if (removed.exitCode === 0) log.info(`Removed the parts this run pulled to check them: ${pulled.join(', ')}.`)
  }
  if (problems.length > 0) {
    throw new DockerError(
      `The merge of commit ${step.sha.slice(0, 7)} cannot be made, and no tag was moved: ${problems.sort().join('; ')}.`
    )
  }
  const pushed: Pushed[] = []
  let platforms: PlatformDigest[] = []
  for (const repository of step.repositories) {
    const targets = plan.targets.filter((t) => t.repository.name === repository.repository)
    const platformList = repository.parts.map((p) => p.platform).join(', ')
    await log.group(`Merging ${platformList} into ${repository.refs.join(', ')}`, async () => {
      let digest: string | undefined
      const registry = targets[0]?.repository.domain ?? ''
      const first = repository.refs[0] ?? repository.repository
      for (const args of render.mergeArgs(step, repository)) {
        const result = await docker.runRetrying(args, { registry, attempts: plan.attempts })
        // What this run pushed, as the tool said it: another merge may move the tag meanwhile, the digest stays.
        digest =
          step.tool === 'imagetools'
            ? createdDigest(`${result.stderr}\n${result.stdout}`, first)
            : (/^(sha256:[a-f0-9]{64})\s*$/m.exec(result.stdout)?.[1] ?? digest)
      }
      if (digest === undefined) throw new DockerError(`The index ${first} was made but its digest is unknown.`)
      // Read back by digest, never by tag.
      const byDigest = `${repository.repository}@${digest}`
      if (step.tool === 'imagetools') {
        const served = await readRaw(docker, byDigest)
        if ('error' in served)
          throw new DockerError(`The index ${byDigest} was made but cannot be read back: ${served.error}.`)
        platforms = platformsOf(served.json, served.digest, [])
      } else {
        const listed = await docker.run(render.manifestInspectArgs(byDigest, repository.insecure), { silent: true })
        platforms = platformsOf(JSON.parse(listed.stdout) as unknown, digest, [])
      }
      log.info(`${repository.repository}@${digest}`)
      for (const target of targets) {
        pushed.push({ target, digest })
        record({ target, digest })
      }
    })
  }
  return { pushed, platforms }
}
