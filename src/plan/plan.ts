// Turns validated inputs and the facts of the machine into the plan (steps.ts):
// every docker command to run as a typed step, and everything else the phases need
// (the attempts, the Dockerfile to annotate, the labels). Pure: nothing runs here,
// and no argument array is made here (render.ts makes them). The secrets travel
// beside the plan (Secrets), never in it.
import type { Target } from '../domain/image.js'
import type { GitEvent } from '../domain/event.js'
import { cacheExporter } from '../inputs/cache.js'
import type { Inputs } from '../inputs/inputs.js'
import { partTag } from '../inputs/tags.js'
import type { SaveTarget } from '../inputs/tarball.js'
import { canonicalReference, registryOf } from '../domain/reference.js'
import { buildStep, secretVariables } from './build.js'
import { COSIGN_KEY_VARIABLE } from './render.js'
import { cachePlan } from './cache.js'
import type { Builder, BuildPush, Compressor, LoadStep, MergeStep, Plan, RetagStep, Secrets } from './steps.js'

/** The compressor for `target` with the programs the machine has. */
function compressorFor(target: SaveTarget, tools: { pigz?: string; zstd?: string }): Compressor {
  if (target.format === 'tar') return { kind: 'none' }
  if (target.format === 'zstd') return { kind: 'zstd', path: tools.zstd ?? 'zstd' }
  return tools.pigz === undefined ? { kind: 'zlib' } : { kind: 'pigz', path: tools.pigz }
}

/** What the plan depends on besides the inputs: the machine's facts (environment.ts) and this run's folder. */
export interface PlanFacts {
  /** The buildx plugin is installed. */
  buildx: boolean
  /** DOCKER_BUILDKIT=1. */
  buildkitEnv: boolean
  workspace: string
  /** Where the build writes the image ID, and buildx its metadata (files in this run's temp folder). */
  iidFile: string
  metadataFile: string
  /** pigz and zstd, where they are installed. */
  pigz: string | undefined
  zstd: string | undefined
  /** The Git event (the one-word cache is keyed by its branches). */
  event: GitEvent
  /** Whether the engine keeps images in containerd, when it was asked (environment.ts). */
  containerdStore?: boolean
  /** The workflow's URL at its ref (environment.workflowRef): a keyless signature's identity. */
  workflowRef?: string
}

/** The runner's tokens a command of the plan may need (children.ts keeps them from every other). */
export interface RunnerTokens {
  /** ACTIONS_RUNTIME_TOKEN: the GitHub Actions cache service's, for buildx's type=gha cache. */
  actionsRuntime?: string
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN: for keyless cosign, which asks for the job's OIDC token. */
  oidcRequest?: string
}

export function makePlan(
  inputs: Inputs,
  facts: PlanFacts,
  tokens: RunnerTokens = {}
): { plan: Plan; secrets: Secrets } {
  const builder: Builder = facts.buildx ? 'buildx' : 'docker'
  const buildkit = builder === 'buildx' || facts.buildkitEnv
  const targets: Target[] = inputs.images.flatMap((repository) =>
    inputs.tags.map((tag) => ({ repository, tag, ref: `${repository.name}:${tag}` }))
  )
  const refs = targets.map((t) => t.ref)
  const source = inputs.source
  const secretEnv = source.kind === 'build' ? secretVariables(source.build, builder) : []
  // buildx pushes itself what the local engine cannot hold (an index of several
  // platforms), what `docker push` of a loaded image would lose on a classic image
  // store (the provenance attestation), and whatever a builder outside the engine
  // made: loading it into the engine to push it from there would compress and
  // send every layer twice.
  const pushedByBuild =
    builder === 'buildx' &&
    inputs.push &&
    source.kind === 'build' &&
    (source.build.platforms.length > 1 || source.build.provenance !== 'false' || source.build.driver !== 'docker')
  const push: BuildPush | undefined = pushedByBuild ? { registries: registriesOf(targets) } : undefined
  // An image buildx pushed from a builder outside the engine is in the engine only when loaded as well.
  const local = !(push && source.kind === 'build' && source.build.driver !== 'docker' && !inputs.load && !inputs.save)

  const plan: Plan = {
    logins: inputs.logins.map(({ registry, username }) => ({ registry, username })),
    keepLogin: inputs.keepLogin,
    ownDockerConfig: inputs.logins.length > 0 || (source.kind === 'merge' && builder !== 'buildx'),
    cleanup: inputs.cleanup && local ? cleanupOf(targets, source) : [],
    builder,
    buildkit,
    image:
      source.kind === 'image'
        ? retagStep(source.ref, refs, builder === 'buildx' && inputs.push && !inputs.save ? targets : undefined)
        : source.kind === 'tarball'
          ? loadStep(source.path, source.format === 'zstd' ? facts.zstd : undefined)
          : source.kind === 'merge'
            ? mergeStep(inputs, targets, source.platforms, source.sha, builder === 'buildx')
            : buildStep(
                source.build,
                refs,
                {
                  builder,
                  buildkit,
                  ...facts,
                  push,
                  load: inputs.load || inputs.save !== undefined,
                  cache: cachePlan(source.build, {
                    exporter:
                      cacheExporter({ ...facts, buildx: builder === 'buildx' }, source.build.driver) ??
                      // The docker driver's store was not asked (no rule needed it): it exports inline at least.
                      'inline',
                    buildx: builder === 'buildx',
                    push: inputs.push,
                    repository: inputs.images[0]?.name ?? '',
                    event: facts.event,
                    variant: inputs.variant,
                    ownTag: targets[0]?.tag
                  })
                },
                secretEnv
              ),
    targets,
    platforms: source.kind === 'build' ? source.build.platforms : source.kind === 'merge' ? source.platforms : [],
    pushes:
      inputs.push && push === undefined && source.kind !== 'merge'
        ? inputs.images.map((repository) => targets.filter((t) => t.repository === repository))
        : [],
    save: inputs.save && { target: inputs.save, refs, compressor: compressorFor(inputs.save, facts) },
    attempts: inputs.attempts,
    version: inputs.version,
    labels: source.kind === 'build' ? Object.fromEntries(source.build.labels.map((l) => [l.key, l.value])) : {},
    workspace: facts.workspace,
    summary: inputs.summary,
    ...(inputs.pushSkipped === undefined ? {} : { pushSkipped: inputs.pushSkipped }),
    ...(inputs.sign
      ? {
          sign: {
            mode: inputs.sign.mode,
            tlogUpload: inputs.sign.tlogUpload,
            identity: facts.workflowRef ?? ''
          }
        }
      : {})
  }
  const step = plan.image
  // buildx reads the cache service's token from its environment, for a type=gha cache.
  const gha =
    step.kind === 'build' && [...step.cacheFrom, ...step.cacheTo].some((spec) => /(?:^|,)type=gha(?:,|$)/.test(spec))
  const secrets: Secrets = {
    passwords: inputs.logins.map((l) => l.password),
    buildEnv: {
      ...Object.fromEntries(secretEnv.map(({ name, value }) => [name, value])),
      ...(gha && tokens.actionsRuntime ? { ACTIONS_RUNTIME_TOKEN: tokens.actionsRuntime } : {})
    },
    // cosign reads its key from the environment (render.COSIGN_KEY_VARIABLE); keyless, the OIDC token request.
    cosignEnv:
      inputs.sign?.mode === 'key'
        ? { [COSIGN_KEY_VARIABLE]: inputs.sign.key, COSIGN_PASSWORD: inputs.sign.password }
        : inputs.sign?.mode === 'keyless' && tokens.oidcRequest
          ? { ACTIONS_ID_TOKEN_REQUEST_TOKEN: tokens.oidcRequest }
          : {}
  }
  return { plan, secrets }
}

/** The registries of the targets, once each, in order. */
function registriesOf(targets: Target[]): string[] {
  return [...new Set(targets.map((t) => t.repository.domain))]
}

/**
 * The tags the run made: every target, but the source image's own reference (a
 * retag of `app:v1` as `app:v1` keeps it). `docker image rm name:tag` removes the
 * tag, and the image with its last tag; an image with other tags stays.
 */
function cleanupOf(targets: Target[], source: Inputs['source']): string[] {
  // However it is written (`app`, `docker.io/library/app:latest`), the source's own tag stays.
  const own = source.kind === 'image' ? canonicalReference(source.ref) : undefined
  return targets.map((t) => t.ref).filter((ref) => canonicalReference(ref) !== own)
}

/** A .tar.zst goes through the runner's zstd (`zstd`; an input rule says when it is missing). */
function loadStep(file: string, zstd: string | undefined): LoadStep {
  const decompress = zstd === undefined ? undefined : { program: zstd, args: ['-dc', '--quiet', file] }
  return { kind: 'load', path: file, decompress }
}

function retagStep(source: string, refs: string[], copyTo: Target[] | undefined): RetagStep {
  // An image ID names a local image only.
  const copyable = copyTo !== undefined && !/^(?:sha256:)?[a-f0-9]{12,64}$/.test(source)
  return { kind: 'retag', source, refs, copy: copyable ? { registries: registriesOf(copyTo) } : undefined }
}

/** A registry on this machine, which the engine lets speak plain HTTP (its default insecure registries). */
function isLoopback(host: string): boolean {
  return /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/.test(host)
}

function mergeStep(inputs: Inputs, targets: Target[], platforms: string[], sha: string, buildx: boolean): MergeStep {
  return {
    kind: 'merge',
    sha,
    tool: buildx ? 'imagetools' : 'manifest',
    removePulled: !buildx && inputs.cleanup,
    repositories: inputs.images.map(({ name }) => ({
      repository: name,
      // `docker manifest` talks to the registry itself, and only plain HTTP to loopback when told, as the engine does.
      insecure: !buildx && isLoopback(registryOf(name)),
      parts: platforms.map((platform) => ({ platform, ref: `${name}:${partTag(sha, platform, inputs.variant)}` })),
      refs: targets.filter((t) => t.repository.name === name).map((t) => t.ref)
    }))
  }
}
