// The inputs that say what makes the image: a build (context, Dockerfile, build
// args, labels, secrets, target…; what the builder must be able to do is
// builder.ts's), or an existing image to retag or a tarball to load. Pure: the
// file-system look-ups come in through the environment.
import * as path from 'node:path'
import { stageNames } from '../domain/dockerfile.js'
import type { Environment } from '../runner/environment.js'
import type { RawInputs } from './names.js'
import { checkNetwork, driverFor, parseBuilder, parsePlatforms, parseProvenance } from './builder.js'
import type { Provenance } from './builder.js'
import type { BuilderDriver } from '../runner/buildx-store.js'
import { checkCache, cacheExporter } from './cache.js'
import type { CacheMode, CacheSpec } from './cache.js'
import { parseKeyValues } from './parse.js'
import type { KeyValue, Report } from './parse.js'
import { parseImageReference } from '../domain/reference.js'
import { checkSecretsMounted, parseSecrets, warnCredentialArgs } from './secrets.js'
import { tarballSource } from './tarball.js'
import type { TarballFormat } from '../domain/image.js'

export interface BuildInputs {
  /** Absolute path of a local context, or a remote context (URL) as written. */
  context: string
  /** Absolute path of the Dockerfile; for a remote context, `file` as written (a path inside it) or undefined. */
  file: string | undefined
  buildArgs: KeyValue[]
  labels: KeyValue[]
  target: string
  /** `os/arch[/variant]` each, without duplicates; several need buildx (one image index). */
  platforms: string[]
  network: string
  pull: boolean
  noCache: boolean
  /** Where the build may reuse layers from (`--cache-from`): image references are `type=registry`. */
  cacheFrom: CacheSpec[]
  /** Where it writes its cache (`--cache-to`). */
  cacheTo: CacheSpec[]
  /** The one-word cache (plan/cache.ts makes its specs for the builder). */
  cache: CacheMode
  /** BuildKit build secrets (`RUN --mount=type=secret,id=…`); values never reach argv. */
  secrets: { id: string; value: string }[]
  /** buildx's `--provenance`: `false` (the default), `true`, `mode=min` or `mode=max`. */
  provenance: Provenance
  /** An existing buildx builder (`--builder`), or '' for buildx's own choice. */
  builder: string
  /** The driver of the buildx builder the build uses (docker: the engine's own), or undefined without buildx. */
  driver: BuilderDriver | undefined
  /** The local Dockerfile's text, when it could be read (for the classic builder's labels). */
  dockerfileText?: string
  /** The commit time in seconds, for BuildKit's SOURCE_DATE_EPOCH; undefined when it is not known. */
  sourceDateEpoch?: number
}

/** What makes the image: a build, or an existing image to retag. */
export type Source =
  | { kind: 'build'; build: BuildInputs }
  | { kind: 'image'; ref: string }
  | { kind: 'tarball'; path: string; format: TarballFormat }
  /** A merge job: the parts of these platforms, of this commit, into one index. */
  | { kind: 'merge'; platforms: string[]; sha: string }

/** The boolean flags of the build, and the labels it gets unless the user sets their keys. */
export interface BuildDefaults {
  pull: boolean
  noCache: boolean
  /** The load input: only read here to say it is ignored without a build. */
  load: boolean
  defaultLabels: KeyValue[]
  /** The commit time in seconds (SOURCE_DATE_EPOCH for BuildKit), when known. */
  sourceDateEpoch?: number
}

const REMOTE_CONTEXT = /^(?:https?:\/\/|git@|git:\/\/|ssh:\/\/)/

/** The inputs that only a build reads, ignored (with a warning) by a retag or a load when set. */
const BUILD_ONLY_TEXT = [
  'file',
  'build-args',
  'labels',
  'target',
  'platform',
  'platforms',
  'network',
  'cache-from',
  'cache-to',
  'secrets',
  'builder'
] as const

/** What was parsed already: the cache inputs (cache.ts) and source-image (repositories.ts), lowercased. */
export interface References {
  cacheFrom: CacheSpec[]
  cacheTo: CacheSpec[]
  cache: CacheMode
  sourceImage: string
}

/** A build from the context, or — with source-image — an existing image to retag or a tarball to load. */
export function parseSource(
  raw: RawInputs,
  { cacheFrom, cacheTo, cache, sourceImage }: References,
  env: Environment,
  flags: BuildDefaults,
  report: Report
): Source {
  const buildArgs = parseKeyValues(raw, 'build-args', report)
  const labels = withDefaultLabels(parseKeyValues(raw, 'labels', report), flags.defaultLabels)
  const secrets = parseSecrets(raw.secrets, report)
  if (secrets.length > 0 && raw['source-image'] === '' && !env.buildx && !env.buildkitEnv) {
    report.problem(
      'secrets',
      'build secrets need BuildKit, but docker build here is the classic builder',
      'install the buildx plugin (docker/setup-buildx-action), or set DOCKER_BUILDKIT=1 with a docker CLI that has BuildKit built in'
    )
  }
  if (sourceImage !== '') {
    checkSecretsMounted(secrets, undefined, '', report)
    const tarball = tarballSource(sourceImage, env, report)
    const ref = tarball ? undefined : parseImageReference(sourceImage)
    if (ref && !ref.ok) report.problem('source-image', ref.problem, ref.fix)
    const ignored = [
      ...BUILD_ONLY_TEXT.filter((name) => raw[name] !== ''),
      // action.yml's defaults are false: only an attestation or a cache asked for is ignored.
      ...(raw.provenance !== '' && raw.provenance.toLowerCase() !== 'false' ? ['provenance'] : []),
      ...(cache !== 'false' ? ['cache'] : []),
      ...(flags.pull ? ['pull'] : []),
      ...(flags.noCache ? ['no-cache'] : []),
      ...(flags.load ? ['load'] : [])
    ]
    if (ignored.length > 0) {
      report.warn(
        'source-image',
        `source-image is set, so nothing is built and ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored.`
      )
    }
    return tarball ? { kind: 'tarball', ...tarball } : { kind: 'image', ref: sourceImage }
  }

  const { context, file } = parseContextAndFile(raw, env, report)
  const dockerfile = file !== undefined && path.isAbsolute(file) ? env.fs.readText(file) : undefined
  checkSecretsMounted(secrets, dockerfile, path.basename(file ?? ''), report)
  warnCredentialArgs(buildArgs, dockerfile, report)
  checkTarget(raw.target, dockerfile, path.basename(file ?? ''), report)
  checkNetwork(raw.network, env.buildx || env.buildkitEnv, report)
  // Problems come in the inputs' order; the platforms' rules need the builder's driver first.
  const driver = driverFor(raw.builder, env)
  const platforms = parsePlatforms(raw, env, driver, report)
  const provenance = parseProvenance(raw.provenance, env, driver, report)
  const builder = parseBuilder(raw.builder, env, report)
  checkCache({ cacheFrom, cacheTo, cache }, cacheExporter(env, driver), report)
  // A tarball URL's credentials (a Git URL's go as BuildKit's Git auth secret) would be in the pushed provenance.
  if (
    provenance !== 'false' &&
    env.buildx &&
    /^https?:\/\/[^/@\s]+@/i.test(context) &&
    !/\.git(?:#.+)?$/i.test(context)
  ) {
    report.problem(
      'context',
      'the context URL carries credentials, and buildx writes the URL into the provenance attestation pushed with the image',
      'give the context at a URL without credentials, or set provenance to false (a Git URL ending in .git may carry a token: it goes to BuildKit as its Git auth secret)'
    )
  }
  return {
    kind: 'build',
    build: {
      context,
      file,
      buildArgs,
      labels,
      target: raw.target,
      platforms,
      network: raw.network,
      pull: flags.pull,
      noCache: flags.noCache,
      cacheFrom,
      cacheTo,
      cache,
      secrets: secrets.map(({ id, value }) => ({ id, value })),
      provenance,
      builder,
      driver,
      dockerfileText: dockerfile,
      ...(flags.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: flags.sourceDateEpoch })
    }
  }
}

/** A token in a URL's user information (`https://x-access-token:TOKEN@host/…`, or `https://TOKEN@host/…`) is masked; an SSH user name is not. */
function maskUserinfo(url: string, report: Report): void {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(url)?.[1]
  if (userinfo === undefined) return
  const colon = userinfo.indexOf(':')
  // An SSH URL's user (ssh://git@github.com/…) is a login name, not a secret: the key authenticates.
  if (colon < 0 && /^ssh:/i.test(url)) return
  report.mask(colon < 0 ? userinfo : userinfo.slice(colon + 1))
  if (colon >= 0) report.mask(userinfo)
}

/**
 * A Dockerfile stage name: a letter, then letters, digits, `_`, `.` and `-`; and,
 * where the Dockerfile could be read, one of its stages (builders match them
 * without regard to case).
 */
function checkTarget(target: string, dockerfile: string | undefined, fileName: string, report: Report): void {
  if (target === '') return
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(target)) {
    report.problem(
      'target',
      `'${target}' is not a stage name`,
      'give the name of a stage of the Dockerfile (FROM … AS name): a letter, then letters, digits, _ . or -'
    )
    return
  }
  const stages = dockerfile === undefined ? undefined : stageNames(dockerfile)
  if (stages === undefined || stages.some((s) => s.toLowerCase() === target.toLowerCase())) return
  report.problem(
    'target',
    stages.length === 0
      ? `${fileName} has no named stage, so there is no stage '${target}'`
      : `${fileName} has no stage '${target}'; its stages are ${stages.join(', ')}`,
    stages.length === 0
      ? 'name the stage to build in the Dockerfile (FROM … AS name), or remove target to build the last stage'
      : `give one of ${stages.join(', ')}, or remove target to build the last stage`
  )
}

/** The user's labels, then each default label whose key the user did not set. */
function withDefaultLabels(labels: KeyValue[], defaults: KeyValue[]): KeyValue[] {
  const set = new Set(labels.map((l) => l.key))
  return [...labels, ...defaults.filter((l) => !set.has(l.key))]
}

/** A local context must be a folder with the Dockerfile; a remote one (URL) is docker's to fetch. */
function parseContextAndFile(raw: RawInputs, env: Environment, report: Report): Pick<BuildInputs, 'context' | 'file'> {
  const contextInput = raw.context === '' ? '.' : raw.context
  if (REMOTE_CONTEXT.test(contextInput)) {
    maskUserinfo(contextInput, report)
    return { context: contextInput, file: raw.file === '' ? undefined : raw.file }
  }

  const context = path.resolve(env.workspace, contextInput)
  const contextKind = env.fs.kind(context)
  if (contextKind !== 'directory') {
    const what =
      contextKind === 'missing' ? `the folder '${contextInput}' does not exist` : `'${contextInput}' is not a folder`
    report.problem(
      'context',
      `${what} (looked in ${context})`,
      'give a folder relative to the workspace, and check the repository out first (actions/checkout)'
    )
  }
  const file = raw.file === '' ? path.join(context, 'Dockerfile') : path.resolve(env.workspace, raw.file)
  const fileKind = env.fs.kind(file)
  // A missing context already explains its missing default Dockerfile.
  if (fileKind !== 'file' && (raw.file !== '' || contextKind === 'directory')) {
    const shown = raw.file || path.relative(env.workspace, file)
    report.problem(
      'file',
      `the Dockerfile '${shown}' ${fileKind === 'missing' ? 'does not exist' : 'is not a file'} (looked at ${file})`,
      'give the Dockerfile path relative to the workspace, or add a Dockerfile to the context'
    )
  }
  return { context, file }
}
