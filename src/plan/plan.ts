// Turns validated inputs and the facts of the machine into the plan: every docker
// command to run, as argument arrays (never a shell string), and everything else
// the phases need (the attempts, the Dockerfile to annotate, the labels). Pure:
// nothing runs here. The secrets travel beside the plan (Secrets), never in it,
// so the plan can be printed as it is (the dry run does: command-lines.ts). The
// build's arguments are build-plan.ts's.
import { buildPush, buildStep, secretVariables } from './build.js'
import { mergeCommands, partTag } from '../inputs/merge.js'
import type { MergeRepository } from '../inputs/merge.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Credentials } from '../inputs/registry-auth.js'
import type { SaveTarget, TarballFormat } from '../inputs/tarball.js'
import { DOCKER_HUB } from '../domain/reference.js'
import type { Repository } from '../domain/reference.js'

/**
 * How `docker build` is reached: `buildx` when the buildx plugin is installed
 * (hosted runners; `--load` puts the image of one platform into the engine whatever
 * the driver, and buildx pushes an image index of several itself),
 * `docker` for the CLI's own `docker build` (the classic builder, or BuildKit
 * built into an older CLI with DOCKER_BUILDKIT=1).
 */
export type Builder = 'buildx' | 'docker'

/** One full reference the image gets: repository × tag. */
export interface Target {
  repository: Repository
  tag: string
  /** `localhost:5000/app:v1` */
  ref: string
}

export interface Push {
  target: Target
  args: string[]
}

/** `docker login`; the password goes to its standard input. */
export interface Login {
  registry: string
  username: string
  args: string[]
}

export interface BuildStep {
  kind: 'build'
  args: string[]
  iidFile: string
  /** Where buildx writes the image's digests (`--metadata-file`); the classic builder writes none. */
  metadataFile: string | undefined
  /** `docker pull` of each cache-from image, when the builder needs it local (the classic builder). */
  cachePulls: { ref: string; args: string[] }[]
  /** The environment variable of the build process that carries each secret (`--secret id=…,env=…`). */
  secretEnv: { name: string; id: string }[]
  /** The Dockerfile, for an annotation on the line a failed build names (a local context's only). */
  dockerfile: string | undefined
  /** The Dockerfile the build reads on standard input (`--file -`): the classic builder's, with the labels in one line. */
  dockerfileText: string | undefined
  /** Set when buildx pushes the image itself (`--push`): several platforms, or a provenance attestation. */
  push: BuildPush | undefined
}

/**
 * A push made by the build (`docker buildx build --push`), for every tag of every
 * repository at once: the pushed digest comes from buildx's metadata file, and
 * each repository's manifest or index is then read back from the registry.
 */
export interface BuildPush {
  /** `--metadata-file`: buildx writes `containerimage.digest` there. */
  metadataFile: string
  /** The registries pushed to, for messages. */
  registries: string[]
  /** Reads a manifest or index as the registry serves it, byte for byte; `<repository>@<digest>` is added. */
  inspect: string[]
  /** The same through the docker CLI's own registry client (it trusts /etc/docker/certs.d), when buildx cannot. */
  fallback: string[]
}

/**
 * `docker load` of a tarball, then a tag per target. A .tar.zst goes through zstd
 * first (`decompress`), as engines before 23.0 cannot read zstd; without zstd on
 * the runner the engine is given the file and must read it itself.
 */
export interface LoadStep {
  kind: 'load'
  path: string
  decompress: { program: string; args: string[] } | undefined
  /** `docker load`, reading the tarball itself or, with `decompress`, its standard input. */
  args: string[]
}

export interface RetagStep {
  kind: 'retag'
  source: string
  inspect: string[]
  pull: string[]
  tag: string[][]
  /**
   * With buildx and a push (and no save), a source in a registry is copied there,
   * registry-side: its digest and every platform kept, nothing pulled. `read` tells
   * whether it is in a registry, and what it is (an index, or one manifest).
   */
  copy: { imagetools: string[]; create: string[]; registries: string[] } | undefined
}

/** A merge job: every part of this commit found and checked, then one index per repository under every tag. */
export interface MergeStep {
  kind: 'merge'
  sha: string
  /** `docker buildx imagetools` (with buildx), or undefined for `docker manifest`. */
  imagetools: string[] | undefined
  repositories: MergeRepository[]
}

export interface Plan {
  /** One `docker login` per registry, in order, into this run's docker config. */
  logins: Login[]
  /** Keep the run's docker config (with the logins) for the later steps of the job. */
  keepLogin: boolean
  /** The local tags to remove once the image is pushed or saved (cleanup): by name:tag, never by ID. */
  cleanup: string[][]
  builder: Builder
  /** Whether the build runs on BuildKit (buildx, or DOCKER_BUILDKIT=1 with an older CLI), not the classic builder. */
  buildkit: boolean
  image: BuildStep | RetagStep | LoadStep | MergeStep
  targets: Target[]
  /** The platforms asked for (`platforms`); empty for the engine's own, and for a retag. */
  platforms: string[]
  /**
   * One list per repository. The first push of a repository uploads its layers;
   * the others then only upload a manifest, so they wait for it. Repositories
   * are independent of each other.
   */
  pushes: Push[][]
  /** `docker image save` of every target, compressed and written to the tarball by save.ts. */
  save: { target: SaveTarget; args: string[]; compressor: Compressor } | undefined
  /** Attempts for each login, pull and push (1: no retry). */
  attempts: number
  /** The version and the labels the image gets, for the outputs. */
  version: string
  labels: Record<string, string>
  /** Where relative paths in messages start (the workspace). */
  workspace: string
  summary: boolean
  /** Why push: true is not done (a fork's pull request without credentials), for the summary. */
  pushSkipped?: string
}

/** What must never be printed: it goes to docker's standard input or the build's environment. */
export interface Secrets {
  /** The password of each login (plan.logins, in order), for `docker login --password-stdin`. */
  passwords: string[]
  /** The build process's environment: each build secret in its own variable (`--secret id=…,env=…`). */
  buildEnv: Record<string, string>
}

/**
 * How the tarball is compressed: a .tar.gz by pigz when it is installed (it uses
 * every core, and is about twice as fast as zlib on two: docs/benchmarks.md),
 * else by Node's zlib (both write standard gzip); a .tar.zst by zstd with every
 * core (`-T0`); `none` for a plain .tar.
 */
export type Compressor =
  { kind: 'none' } | { kind: 'zlib' } | { kind: 'pigz'; path: string } | { kind: 'zstd'; path: string }

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
}

export function makePlan(inputs: Inputs, facts: PlanFacts): { plan: Plan; secrets: Secrets } {
  const builder: Builder = facts.buildx ? 'buildx' : 'docker'
  const buildkit = builder === 'buildx' || facts.buildkitEnv
  const targets = inputs.images.flatMap((repository) =>
    inputs.tags.map((tag) => ({ repository, tag, ref: `${repository.name}:${tag}` }))
  )
  const refs = targets.map((t) => t.ref)
  const source = inputs.source
  const secretEnv = source.kind === 'build' ? secretVariables(source.build) : []
  // buildx pushes itself what the local engine cannot hold (an index of several
  // platforms), and what `docker push` of a loaded image would lose on a classic
  // image store (the provenance attestation).
  const pushedByBuild =
    builder === 'buildx' &&
    inputs.push &&
    source.kind === 'build' &&
    (source.build.platforms.length > 1 || source.build.provenance !== 'false')
  const push: BuildPush | undefined =
    pushedByBuild && source.kind === 'build' ? buildPush(source.build, inputs, facts.metadataFile) : undefined

  const plan: Plan = {
    logins: inputs.logins.map(loginOf),
    keepLogin: inputs.keepLogin,
    cleanup: inputs.cleanup ? cleanupOf(targets, source) : [],
    builder,
    buildkit,
    image:
      source.kind === 'image'
        ? retagStep(source.ref, refs, builder === 'buildx' && inputs.push && !inputs.save ? inputs : undefined)
        : source.kind === 'tarball'
          ? loadStep(source.path, source.format, facts.zstd)
          : source.kind === 'merge'
            ? mergeStep(inputs, source.platforms, source.sha, builder === 'buildx')
            : buildStep(source.build, refs, { builder, buildkit, ...facts, push }, secretEnv),
    targets,
    platforms: source.kind === 'build' ? source.build.platforms : source.kind === 'merge' ? source.platforms : [],
    pushes:
      inputs.push && push === undefined && source.kind !== 'merge'
        ? inputs.images.map((repository) =>
            targets.filter((t) => t.repository === repository).map((target) => ({ target, args: ['push', target.ref] }))
          )
        : [],
    save: inputs.save && {
      target: inputs.save,
      args: ['image', 'save', ...refs],
      compressor: compressorFor(inputs.save, facts)
    },
    attempts: inputs.attempts,
    version: inputs.version,
    labels: source.kind === 'build' ? Object.fromEntries(source.build.labels.map((l) => [l.key, l.value])) : {},
    workspace: facts.workspace,
    summary: inputs.summary,
    ...(inputs.pushSkipped === undefined ? {} : { pushSkipped: inputs.pushSkipped })
  }
  const secrets: Secrets = {
    passwords: inputs.logins.map((l) => l.password),
    buildEnv: Object.fromEntries(secretEnv.map(({ name, value }) => [name, value]))
  }
  return { plan, secrets }
}

/** `docker login` to one registry. Without a server docker logs in to Docker Hub. */
function loginOf({ registry, username }: Credentials): Login {
  const server = registry === DOCKER_HUB ? [] : [registry]
  return { registry, username, args: ['login', '--username', username, '--password-stdin', ...server] }
}

/**
 * The tags the run made: every target, but the source image's own reference (a
 * retag of `app:v1` as `app:v1` keeps it). `docker image rm name:tag` removes the
 * tag, and the image with its last tag; an image with other tags stays.
 */
function cleanupOf(targets: Target[], source: Inputs['source']): string[][] {
  // `app` is `app:latest` to docker.
  const own = source.kind === 'image' && (/[:@][^/]*$/.test(source.ref) ? source.ref : `${source.ref}:latest`)
  const refs = targets.map((t) => t.ref).filter((ref) => ref !== own)
  return refs.length === 0 ? [] : [['image', 'rm', ...refs]]
}

function loadStep(file: string, format: TarballFormat, zstd: string | undefined): LoadStep {
  const decompress =
    format === 'zstd' && zstd !== undefined ? { program: zstd, args: ['-dc', '--quiet', file] } : undefined
  return { kind: 'load', path: file, decompress, args: decompress ? ['load'] : ['load', '--input', file] }
}

/** `docker image tag SOURCE REF`: a retag, a loaded image, or a tag put back after another run moved it. */
export function tagArgs(source: string, ref: string): string[] {
  return ['image', 'tag', source, ref]
}

/** `docker buildx imagetools`: buildx's client for images in registries. */
const IMAGETOOLS = ['buildx', 'imagetools']

function retagStep(source: string, refs: string[], copyTo: Inputs | undefined): RetagStep {
  // An image ID names a local image only.
  const copyable = copyTo !== undefined && !/^(?:sha256:)?[a-f0-9]{12,64}$/.test(source)
  return {
    kind: 'retag',
    source,
    inspect: ['image', 'inspect', '--format', '{{.Id}}', source],
    pull: ['pull', source],
    tag: refs.map((ref) => tagArgs(source, ref)),
    copy: copyable
      ? {
          imagetools: IMAGETOOLS,
          create: [...IMAGETOOLS, 'create', ...refs.flatMap((ref) => ['--tag', ref]), source],
          registries: [...new Set(copyTo.images.map((r) => r.domain))]
        }
      : undefined
  }
}

function mergeStep(inputs: Inputs, platforms: string[], sha: string, buildx: boolean): MergeStep {
  const imagetools = buildx ? IMAGETOOLS : undefined
  return {
    kind: 'merge',
    sha,
    imagetools,
    repositories: inputs.images.map(({ name }) => {
      const parts = platforms.map((platform) => ({
        platform,
        ref: `${name}:${partTag(sha, platform, inputs.variant)}`
      }))
      return { repository: name, parts, create: mergeCommands(name, inputs.tags, parts, imagetools) }
    })
  }
}
