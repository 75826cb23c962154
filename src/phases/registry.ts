// Work done in the registries rather than through the local engine: reading back
// what buildx pushed, and copying a source image registry-side (promote: its
// digest and every platform kept, nothing pulled). The merge of parts is merge.ts.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import type { Docker } from '../docker/docker.js'
import { CONCURRENCY, limiter, settleAll } from '../docker/limit.js'
import { errorSummary } from '../docker/output.js'
import { DockerError } from '../domain/errors.js'
import { platformsOf } from '../domain/image.js'
import type { PlatformDigest, Pushed } from '../domain/image.js'
import * as render from '../plan/render.js'
import type { BuildStep, Plan, RetagStep } from '../plan/steps.js'
import * as log from '../runner/log.js'

/** What was pushed: a digest per target, and the platforms in it. */
export interface RegistryResult {
  pushed: Pushed[]
  platforms: PlatformDigest[]
}

const INDEX_TYPES = /manifest\.list\.v2\+json|image\.index\.v1\+json/

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`
}

/** `ref` as the registry serves it, byte for byte (buildx), with its digest; the error when it cannot be read. */
export async function readRaw(
  docker: Docker,
  ref: string
): Promise<{ raw: string; digest: string; json: unknown } | { error: string }> {
  const result = await docker.tryRun(render.imagetoolsInspectArgs(ref), { silent: true })
  if (result.exitCode !== 0) return { error: errorSummary(result.stderr, result.stdout) }
  try {
    return { raw: result.stdout, digest: sha256(result.stdout), json: JSON.parse(result.stdout) as unknown }
  } catch {
    return { error: `${ref} is not a manifest` }
  }
}

/** The repositories of the plan's targets, once each, in order. */
export function repositoriesOf(plan: Plan): string[] {
  return [...new Set(plan.targets.map((t) => t.repository.name))]
}

/**
 * What buildx pushed: the digest from its metadata file, checked against each
 * repository's manifest or index as the registry serves it, and each platform's
 * manifest digest from that index.
 */
export async function readBack(docker: Docker, plan: Plan, step: BuildStep): Promise<RegistryResult> {
  let digest: unknown
  try {
    const metadata = JSON.parse(fs.readFileSync(step.metadataFile ?? '', 'utf8')) as Record<string, unknown>
    digest = metadata['containerimage.digest']
  } catch {
    digest = undefined
  }
  if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new DockerError(
      'docker buildx build --push succeeded but wrote no image digest to its metadata file, so the digest outputs cannot be set.'
    )
  }
  const pushedDigest = digest
  const repositories = repositoriesOf(plan)
  return log.group(`Reading back ${log.counted(repositories.length, 'repository')} from the registry`, async () => {
    const limit = limiter(CONCURRENCY)
    const served = await settleAll(
      repositories.map((name) => limit(() => servedIndex(docker, step, name, pushedDigest)))
    )
    const index = served.find((m) => m !== undefined)
    const platforms =
      index === undefined
        ? plan.platforms.map((platform) => ({ platform, digest: null }))
        : platformsOf(index, pushedDigest, plan.platforms)
    for (const { platform, digest: d } of platforms) log.info(`${platform}: ${d ?? 'unknown'}`)
    return { pushed: plan.targets.map((target) => ({ target, digest: pushedDigest })), platforms }
  })
}

/**
 * The manifest or index `name@digest` as the registry serves it: buildx's raw
 * bytes, which must hash to the digest; else the docker CLI's reading. Undefined
 * (with a warning) when neither can read it: the push itself succeeded.
 */
async function servedIndex(docker: Docker, step: BuildStep, name: string, digest: string): Promise<unknown> {
  const ref = `${name}@${digest}`
  const raw = await docker.tryRun(render.imagetoolsInspectArgs(ref, { builderName: step.builderName }), {
    silent: true
  })
  if (raw.exitCode === 0) {
    const hash = sha256(raw.stdout)
    if (hash !== digest) {
      throw new DockerError(
        `${name} serves a manifest whose digest is ${hash}, not the ${digest} buildx reported for its push.`
      )
    }
    log.info(`${ref}: the registry serves it (${raw.stdout.length} bytes).`)
    return JSON.parse(raw.stdout) as unknown
  }
  const cli = await docker.tryRun(render.manifestInspectArgs(ref), { silent: true })
  if (cli.exitCode === 0) {
    log.info(`${ref}: the registry serves it (read by docker manifest inspect).`)
    return JSON.parse(cli.stdout) as unknown
  }
  log.warning(
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
  step: RetagStep,
  record: (pushed: Pushed) => void
): Promise<RegistryResult | undefined> {
  const { source, copy } = step
  if (copy === undefined) return undefined
  const read = await readRaw(docker, source)
  if ('error' in read) {
    log.info(`${source} is not read from a registry (${read.error}); promoting it through the local engine.`)
    return undefined
  }
  const mediaType = (read.json as { mediaType?: unknown }).mediaType
  let preferIndex: false | undefined
  if (typeof mediaType !== 'string' || !INDEX_TYPES.test(mediaType)) {
    // One manifest is copied as it is only by a buildx that can be told not to wrap it in an index.
    if (!(await docker.helpLists(render.imagetoolsHelpArgs(), '--prefer-index'))) {
      log.info(
        `${source} is one manifest, which this buildx's imagetools would wrap in a new index (another digest); promoting it through the local engine.`
      )
      return undefined
    }
    preferIndex = false
  }
  return log.group(
    `Copying ${source} to ${log.counted(plan.targets.length, 'reference')} in the registry`,
    async () => {
      log.info(`${source} is ${read.digest}; copying it to ${step.refs.join(', ')}.`)
      const pushed: Pushed[] = []
      // One repository at a time, each recorded as it moves: a failure later still says what is live.
      for (const name of repositoriesOf(plan)) {
        const targets = plan.targets.filter((t) => t.repository.name === name)
        const refs = targets.map((t) => t.ref)
        const create = render.imagetoolsCreateArgs(refs, [source], { preferIndex })
        await docker.runRetrying(create, { registry: targets[0].repository.domain, attempts: plan.attempts })
        for (const target of targets) {
          pushed.push({ target, digest: read.digest })
          record({ target, digest: read.digest })
        }
        const served = await readRaw(docker, `${name}@${read.digest}`)
        if ('error' in served) log.warning(`Could not read ${name}@${read.digest} back (${served.error}).`)
      }
      return { pushed, platforms: platformsOf(read.json, read.digest, []) }
    }
  )
}
