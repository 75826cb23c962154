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

/** A part's revision label: buildx reads the image config from the registry; without buildx the part is pulled. */
async function revisionOf(docker: Docker, step: MergeStep, ref: string, platform: string): Promise<string | undefined> {
  if (step.tool === 'imagetools') {
    const result = await docker.tryRun(render.imagetoolsInspectArgs(ref, { format: '{{json .Image}}' }), {
      silent: true
    })
    if (result.exitCode !== 0) throw new DockerError(errorSummary(result.stderr, result.stdout))
    const image = JSON.parse(result.stdout) as Record<string, unknown>
    // One manifest gives its config; an index (a part with an attestation) one config per platform.
    const config = (image.config ? image : (image[platform] ?? Object.values(image)[0])) as {
      config?: { Labels?: Record<string, string> }
    }
    return config?.config?.Labels?.[REVISION]
  }
  const pulled = await docker.tryRun(render.pullArgs(ref, platform), { silent: true })
  if (pulled.exitCode !== 0) throw new DockerError(errorSummary(pulled.stderr, pulled.stdout))
  const labels = await docker.run(render.inspectArgs([ref], '{{json .Config.Labels}}'), { silent: true })
  return (JSON.parse(labels.stdout) as Record<string, string> | null)?.[REVISION]
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
  await log.group(`Checking the parts of commit ${step.sha.slice(0, 7)}`, async () => {
    const limit = limiter(CONCURRENCY)
    await settleAll(
      step.repositories.flatMap(({ parts }) =>
        parts.map(({ platform, ref }) =>
          limit(async () => {
            try {
              const revision = await revisionOf(docker, step, ref, platform)
              if (revision === step.sha) log.info(`${platform}: ${ref} is of commit ${step.sha.slice(0, 7)}.`)
              else
                problems.push(
                  `${platform}: ${ref} is of commit ${revision ?? 'unknown (no revision label)'}, not ${step.sha}`
                )
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
      for (const args of render.mergeArgs(step, repository)) {
        const result = await docker.runRetrying(args, { registry, attempts: plan.attempts })
        // `docker manifest push` prints the digest of the list it pushed.
        digest = /^(sha256:[a-f0-9]{64})\s*$/m.exec(result.stdout)?.[1] ?? digest
      }
      const first = repository.refs[0]
      if (step.tool === 'imagetools' && first) {
        const served = await readRaw(docker, first)
        if ('error' in served)
          throw new DockerError(`The index ${first} was made but cannot be read back: ${served.error}.`)
        digest = served.digest
        platforms = platformsOf(served.json, served.digest, [])
      } else if (first) {
        const listed = await docker.run(render.manifestInspectArgs(first, repository.insecure), { silent: true })
        platforms = platformsOf(JSON.parse(listed.stdout) as unknown, digest ?? '', [])
      }
      if (digest === undefined) throw new DockerError(`The index ${first} was made but its digest is unknown.`)
      log.info(`${repository.repository}@${digest}`)
      for (const target of targets) {
        pushed.push({ target, digest })
        record({ target, digest })
      }
    })
  }
  return { pushed, platforms }
}
