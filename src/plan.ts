// Turns validated inputs and the facts of the machine into the plan: every docker
// command to run, as argument arrays (never a shell string), and everything else
// the phases need (the attempts, the Dockerfile to annotate, the labels). Pure:
// nothing runs here. The secrets travel beside the plan (Secrets), never in it,
// so the plan can be printed as it is (the dry run does).
import * as path from 'node:path'
import type { BuildInputs } from './build-inputs.js'
import type { Inputs, SaveTarget } from './inputs.js'
import { shownArg } from './docker-output.js'
import { DOCKER_HUB } from './reference.js'
import type { Repository } from './reference.js'

/**
 * How `docker build` is reached: `buildx` when the buildx plugin is installed
 * (hosted runners; `--load` puts the image into the engine whatever the driver),
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
}

export interface RetagStep {
  kind: 'retag'
  source: string
  inspect: string[]
  pull: string[]
  tag: string[][]
}

export interface Plan {
  login: Login | undefined
  builder: Builder
  /** Whether the build runs on BuildKit (buildx, or DOCKER_BUILDKIT=1 with an older CLI), not the classic builder. */
  buildkit: boolean
  image: BuildStep | RetagStep
  targets: Target[]
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
  /** The password of the login, for `docker login --password-stdin`. */
  password: string | undefined
  /** The build process's environment: each build secret in its own variable (`--secret id=…,env=…`). */
  buildEnv: Record<string, string>
}

/**
 * How the tarball is compressed: pigz when it is installed (it uses every core,
 * and is about twice as fast as zlib on two: docs/benchmarks.md), else Node's
 * zlib; both write standard gzip. `none` for a plain .tar.
 */
export type Compressor = { kind: 'none' } | { kind: 'zlib' } | { kind: 'pigz'; path: string }

/** The compressor for `target` on a machine where pigz is at `pigz` (undefined: not installed). */
function compressorFor(target: SaveTarget, pigz: string | undefined): Compressor {
  if (!target.gzip) return { kind: 'none' }
  return pigz === undefined ? { kind: 'zlib' } : { kind: 'pigz', path: pigz }
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
  /** pigz, where it is installed. */
  pigz: string | undefined
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

  const plan: Plan = {
    login: loginOf(inputs),
    builder,
    buildkit,
    image:
      source.kind === 'image'
        ? retagStep(source.ref, refs)
        : buildStep(source.build, refs, { builder, buildkit, ...facts }, secretEnv),
    targets,
    pushes: inputs.push
      ? inputs.images.map((repository) =>
          targets.filter((t) => t.repository === repository).map((target) => ({ target, args: ['push', target.ref] }))
        )
      : [],
    save: inputs.save && {
      target: inputs.save,
      args: ['image', 'save', ...refs],
      compressor: compressorFor(inputs.save, facts.pigz)
    },
    attempts: inputs.attempts,
    version: inputs.version,
    labels: source.kind === 'build' ? Object.fromEntries(source.build.labels.map((l) => [l.key, l.value])) : {},
    workspace: facts.workspace,
    summary: inputs.summary,
    ...(inputs.pushSkipped === undefined ? {} : { pushSkipped: inputs.pushSkipped })
  }
  const secrets: Secrets = {
    password: inputs.credentials?.password,
    buildEnv: Object.fromEntries(secretEnv.map(({ name, value }) => [name, value]))
  }
  return { plan, secrets }
}

/** `docker login`, when the inputs have credentials. Without a server docker logs in to Docker Hub. */
function loginOf(inputs: Inputs): Login | undefined {
  if (inputs.credentials === undefined) return undefined
  const { username } = inputs.credentials
  const server = inputs.registry === DOCKER_HUB ? [] : [inputs.registry]
  return { registry: inputs.registry, username, args: ['login', '--username', username, '--password-stdin', ...server] }
}

function retagStep(source: string, refs: string[]): RetagStep {
  return {
    kind: 'retag',
    source,
    inspect: ['image', 'inspect', '--format', '{{.Id}}', source],
    pull: ['pull', source],
    tag: refs.map((ref) => ['image', 'tag', source, ref])
  }
}

/** The environment variable of the build process that carries each secret. */
function secretVariables(build: BuildInputs): { name: string; id: string; value: string }[] {
  return build.secrets.map(({ id, value }, i) => ({ name: `SHIP_IMAGE_SECRET_${i + 1}`, id, value }))
}

function buildStep(
  build: BuildInputs,
  refs: string[],
  options: { builder: Builder; buildkit: boolean; iidFile: string; metadataFile: string },
  secretEnv: { name: string; id: string }[]
): BuildStep {
  const args = options.builder === 'buildx' ? ['buildx', 'build', '--load'] : ['build']
  if (build.file !== undefined) args.push('--file', build.file)
  for (const ref of refs) args.push('--tag', ref)
  for (const { key, value } of build.buildArgs) args.push('--build-arg', `${key}=${value}`)
  // buildx's BuildKit dates the image config and history from the commit: the same commit, the same digest.
  const epoch = build.sourceDateEpoch
  if (
    options.builder === 'buildx' &&
    epoch !== undefined &&
    !build.buildArgs.some((a) => a.key === 'SOURCE_DATE_EPOCH')
  )
    args.push('--build-arg', `SOURCE_DATE_EPOCH=${epoch}`)
  for (const { key, value } of build.labels) args.push('--label', `${key}=${value}`)
  if (build.target !== '') args.push('--target', build.target)
  if (build.platform !== '') args.push('--platform', build.platform)
  if (build.network !== '') args.push('--network', build.network)
  if (build.pull) args.push('--pull')
  if (build.noCache) args.push('--no-cache')
  for (const ref of build.cacheFrom) args.push('--cache-from', ref)
  // The value stays in the build process's environment; only its variable's name is an argument.
  for (const { name, id } of secretEnv) args.push('--secret', `id=${id},env=${name}`)
  // With BuildKit the image carries its cache metadata, so the next run can use it as cache-from.
  if (build.cacheFrom.length > 0 && options.buildkit) args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1')
  const metadataFile = options.builder === 'buildx' ? options.metadataFile : undefined
  if (metadataFile !== undefined) args.push('--metadata-file', metadataFile)
  args.push('--iidfile', options.iidFile, build.context)
  return {
    kind: 'build',
    args,
    iidFile: options.iidFile,
    metadataFile,
    // BuildKit reads cache-from images from the registry itself; the classic builder needs them local.
    cachePulls: options.buildkit ? [] : build.cacheFrom.map((ref) => ({ ref, args: ['pull', ref] })),
    secretEnv: secretEnv.map(({ name, id }) => ({ name, id })),
    dockerfile: build.file !== undefined && path.isAbsolute(build.file) ? build.file : undefined
  }
}

/** An argument as a POSIX shell would need it written, for display only (nothing is ever run through a shell). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@,+%^-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/**
 * The plan as the docker commands a person would type, in order (the dry run
 * prints them). Secrets show as ***: the password goes to standard input, and
 * each build secret is an environment variable of the build.
 */
export function commandLines(plan: Plan): string[] {
  const line = (args: string[]): string => ['docker', ...args].map((arg) => shellQuote(shownArg(arg))).join(' ')
  const lines: string[] = []
  if (plan.login) lines.push(`echo '***' | ${line(plan.login.args)}`)
  const image = plan.image
  if (image.kind === 'build') {
    for (const pull of image.cachePulls) lines.push(line(pull.args))
    const env = image.secretEnv.map(({ name }) => `${name}='***' `).join('')
    lines.push(`${env}${line(image.args)}`)
  } else {
    lines.push(`${line(image.inspect)} || ${line(image.pull)}`)
    for (const tag of image.tag) lines.push(line(tag))
  }
  for (const push of plan.pushes.flat()) lines.push(line(push.args))
  if (plan.save) {
    const { target, compressor } = plan.save
    const pipe = compressor.kind === 'none' ? '' : ` | ${compressor.kind === 'pigz' ? 'pigz' : 'gzip'} -${target.level}`
    lines.push(`${line(plan.save.args)}${pipe} > ${shellQuote(target.path)}`)
  }
  return lines
}
