// Work done in the registries rather than through the local engine: reading back
// what buildx pushed, copying a source image registry-side (promote: its digest
// and every platform kept, nothing pulled), and merging the parts that the jobs of
// a matrix pushed into one index per repository.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { errorSummary } from '../docker/output.js'
import type { Docker } from '../docker/docker.js'
import { DockerError } from '../domain/errors.js'
import { CONCURRENCY, limiter, settleAll } from '../docker/limit.js'
import { platformsOf } from '../report/outputs.js'
import type { PlatformDigest, Pushed } from '../report/outputs.js'
import type { BuildPush, MergeStep, Plan, RetagStep } from '../plan/plan.js'
import { OCI } from '../domain/event.js'
import * as workflow from '../runner/workflow.js'

/** What was pushed: a digest per target, and the platforms in it. */
export interface RegistryResult {
  pushed: Pushed[]
  platforms: PlatformDigest[]
}

const REVISION = `${OCI}.revision`
const INDEX_TYPES = /manifest\.list\.v2\+json|image\.index\.v1\+json/

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`
}

/** `ref` as the registry serves it, byte for byte (buildx), with its digest; undefined when it cannot be read. */
async function readRaw(
  docker: Docker,
  imagetools: string[],
  ref: string
): Promise<{ raw: string; digest: string; json: unknown } | { error: string }> {
  const result = await docker.tryRun([...imagetools, 'inspect', '--raw', ref], { silent: true })
  if (result.exitCode !== 0) return { error: errorSummary(result.stderr, result.stdout) }
  try {
    return { raw: result.stdout, digest: sha256(result.stdout), json: JSON.parse(result.stdout) as unknown }
  } catch {
    return { error: `${ref} is not a manifest` }
  }
}

/**
 * What buildx pushed: the digest from its metadata file, checked against each
 * repository's manifest or index as the registry serves it, and each platform's
 * manifest digest from that index.
 */
export async function readBack(docker: Docker, plan: Plan, push: BuildPush): Promise<RegistryResult> {
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
  const pushedDigest = digest
  const repositories = [...new Set(plan.targets.map((t) => t.repository.name))]
  return workflow.group(
    `Reading back ${workflow.counted(repositories.length, 'repository')} from the registry`,
    async () => {
      const limit = limiter(CONCURRENCY)
      const served = await settleAll(
        repositories.map((name) => limit(() => servedIndex(docker, push, name, pushedDigest)))
      )
      const index = served.find((m) => m !== undefined)
      const platforms =
        index === undefined
          ? plan.platforms.map((platform) => ({ platform, digest: null }))
          : platformsOf(index, pushedDigest, plan.platforms)
      for (const { platform, digest: d } of platforms) workflow.info(`${platform}: ${d ?? 'unknown'}`)
      return { pushed: plan.targets.map((target) => ({ target, digest: pushedDigest })), platforms }
    }
  )
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
    const hash = sha256(raw.stdout)
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

/**
 * Promote registry-side: when the source is in a registry, `imagetools create`
 * copies it to every target there, keeping its digest and its platforms (an index
 * is copied as it is). Undefined when this cannot be done (the source is only in
 * the local engine, or is one manifest, which this buildx would wrap in a new
 * index): the caller then tags and pushes through the engine.
 */
export async function copyInRegistry(
  docker: Docker,
  plan: Plan,
  copy: NonNullable<RetagStep['copy']>,
  source: string
): Promise<RegistryResult | undefined> {
  const read = await readRaw(docker, copy.imagetools, source)
  if ('error' in read) {
    workflow.info(`${source} is not read from a registry (${read.error}); promoting it through the local engine.`)
    return undefined
  }
  const mediaType = (read.json as { mediaType?: unknown }).mediaType
  let create = copy.create
  if (typeof mediaType !== 'string' || !INDEX_TYPES.test(mediaType)) {
    // One manifest is copied as it is only by a buildx that can be told not to wrap it in an index.
    const help = await docker.tryRun([...copy.imagetools, 'create', '--help'], { silent: true })
    if (!help.stdout.includes('--prefer-index')) {
      workflow.info(
        `${source} is one manifest, which this buildx's imagetools would wrap in a new index (another digest); promoting it through the local engine.`
      )
      return undefined
    }
    create = [...copy.imagetools, 'create', '--prefer-index=false', ...copy.create.slice(copy.imagetools.length + 1)]
  }
  return workflow.group(
    `Copying ${source} to ${workflow.counted(plan.targets.length, 'reference')} in the registry`,
    async () => {
      workflow.info(`${source} is ${read.digest}; copying it to ${plan.targets.map((t) => t.ref).join(', ')}.`)
      await docker.runRetrying(create, { registry: copy.registries.join(', '), attempts: plan.attempts })
      const repositories = [...new Set(plan.targets.map((t) => t.repository.name))]
      for (const name of repositories) {
        const served = await readRaw(docker, copy.imagetools, `${name}@${read.digest}`)
        if ('error' in served) workflow.warning(`Could not read ${name}@${read.digest} back (${served.error}).`)
      }
      return {
        pushed: plan.targets.map((target) => ({ target, digest: read.digest })),
        platforms: platformsOf(read.json, read.digest, [])
      }
    }
  )
}

/** A part's revision label: buildx reads the image config from the registry; without buildx the part is pulled. */
async function revisionOf(docker: Docker, step: MergeStep, ref: string, platform: string): Promise<string | undefined> {
  if (step.imagetools) {
    const result = await docker.tryRun([...step.imagetools, 'inspect', '--format', '{{json .Image}}', ref], {
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
  const pulled = await docker.tryRun(['pull', '--platform', platform, ref], { silent: true })
  if (pulled.exitCode !== 0) throw new DockerError(errorSummary(pulled.stderr, pulled.stdout))
  const labels = await docker.run(['image', 'inspect', '--format', '{{json .Config.Labels}}', ref], { silent: true })
  return (JSON.parse(labels.stdout) as Record<string, string> | null)?.[REVISION]
}

/**
 * The merge job: every part of every repository is found and checked to be of
 * this commit (its revision label) before anything is made; then one index per
 * repository under every tag. A missing part, or one of another commit, is one
 * error naming the platforms, and no tag is moved.
 */
export async function mergeParts(docker: Docker, plan: Plan, step: MergeStep): Promise<RegistryResult> {
  const problems: string[] = []
  await workflow.group(`Checking the parts of commit ${step.sha.slice(0, 7)}`, async () => {
    const limit = limiter(CONCURRENCY)
    await settleAll(
      step.repositories.flatMap(({ parts }) =>
        parts.map(({ platform, ref }) =>
          limit(async () => {
            try {
              const revision = await revisionOf(docker, step, ref, platform)
              if (revision === step.sha) workflow.info(`${platform}: ${ref} is of commit ${step.sha.slice(0, 7)}.`)
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
  for (const { repository, parts, create } of step.repositories) {
    const targets = plan.targets.filter((t) => t.repository.name === repository)
    await workflow.group(
      `Merging ${parts.map((p) => p.platform).join(', ')} into ${targets.map((t) => t.ref).join(', ')}`,
      async () => {
        let digest: string | undefined
        const registry = targets[0]?.repository.domain ?? ''
        for (const args of create) {
          const result = await docker.runRetrying(args, { registry, attempts: plan.attempts })
          // `docker manifest push` prints the digest of the list it pushed.
          digest = /^(sha256:[a-f0-9]{64})\s*$/m.exec(result.stdout)?.[1] ?? digest
        }
        const first = targets[0]?.ref
        if (step.imagetools && first) {
          const served = await readRaw(docker, step.imagetools, first)
          if ('error' in served)
            throw new DockerError(`The index ${first} was made but cannot be read back: ${served.error}.`)
          digest = served.digest
          platforms = platformsOf(served.json, served.digest, [])
        } else if (first) {
          const insecure = create[0]?.includes('--insecure') ? ['--insecure'] : []
          const listed = await docker.run(['manifest', 'inspect', ...insecure, first], { silent: true })
          platforms = platformsOf(JSON.parse(listed.stdout) as unknown, digest ?? '', [])
        }
        if (digest === undefined) throw new DockerError(`The index ${first} was made but its digest is unknown.`)
        workflow.info(`${repository}@${digest}`)
        for (const target of targets) pushed.push({ target, digest })
      }
    )
  }
  return { pushed, platforms }
}
