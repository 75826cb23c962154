// The inputs that say what makes the image: a build (context, Dockerfile, build
// args, labels, secrets, cache, platform…) or an existing image to retag. Pure:
// the file-system look-ups come in through the environment.
import * as path from 'node:path'
import { stageNames } from '../phases/annotations.js'
import type { Environment } from '../runner/environment.js'
import type { RawInputs } from './names.js'
import { parseKeyValues, parseLines, parseList } from './parse.js'
import type { KeyValue, Report } from './parse.js'
import { parseImageReference } from '../domain/reference.js'
import { checkSecretsMounted, parseSecrets, warnCredentialArgs } from './secrets.js'
import { tarballSource } from './tarball.js'
import type { TarballFormat } from './tarball.js'

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
  /** Images whose layers the build may reuse (`--cache-from`). */
  cacheFrom: string[]
  /** BuildKit build secrets (`RUN --mount=type=secret,id=…`); values never reach argv. */
  secrets: { id: string; value: string }[]
  /** buildx's `--provenance`: `false` (the default), `true`, `mode=min` or `mode=max`. */
  provenance: Provenance
  /** An existing buildx builder (`--builder`), or '' for buildx's own choice. */
  builder: string
  /** The local Dockerfile's text, when it could be read (for the classic builder's labels). */
  dockerfileText?: string
  /** The commit time in seconds, for BuildKit's SOURCE_DATE_EPOCH; undefined when it is not known. */
  sourceDateEpoch?: number
}

export type Provenance = 'false' | 'true' | 'mode=min' | 'mode=max'

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
  'secrets',
  'builder'
] as const

/** A build from the context, or — with source-image — an existing image to retag. */
export function parseSource(raw: RawInputs, env: Environment, flags: BuildDefaults, report: Report): Source {
  const buildArgs = parseKeyValues(raw, 'build-args', report)
  const labels = withDefaultLabels(parseKeyValues(raw, 'labels', report), flags.defaultLabels)
  const cacheFrom = parseCacheFrom(raw['cache-from'], report)
  const secrets = parseSecrets(raw.secrets, report)
  if (secrets.length > 0 && raw['source-image'] === '' && !env.buildx && !env.buildkitEnv) {
    report.problem(
      'secrets',
      'build secrets need BuildKit, but docker build here is the classic builder',
      'install the buildx plugin (docker/setup-buildx-action), or set DOCKER_BUILDKIT=1 with a docker CLI that has BuildKit built in'
    )
  }
  if (raw['source-image'] !== '') {
    checkSecretsMounted(secrets, undefined, '', report)
    const tarball = tarballSource(raw['source-image'], env, report)
    const ref = tarball ? undefined : parseImageReference(raw['source-image'])
    if (ref && !ref.ok) report.problem('source-image', ref.problem, ref.fix)
    const ignored = [
      ...BUILD_ONLY_TEXT.filter((name) => raw[name] !== ''),
      // action.yml's default is false: only an attestation asked for is ignored.
      ...(raw.provenance !== '' && raw.provenance.toLowerCase() !== 'false' ? ['provenance'] : []),
      ...(flags.pull ? ['pull'] : []),
      ...(flags.noCache ? ['no-cache'] : [])
    ]
    if (ignored.length > 0) {
      report.warn(
        'source-image',
        `source-image is set, so nothing is built and ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored.`
      )
    }
    return tarball ? { kind: 'tarball', ...tarball } : { kind: 'image', ref: raw['source-image'] }
  }

  const { context, file } = parseContextAndFile(raw, env, report)
  const dockerfile = file !== undefined && path.isAbsolute(file) ? env.fs.readText(file) : undefined
  checkSecretsMounted(secrets, dockerfile, path.basename(file ?? ''), report)
  warnCredentialArgs(buildArgs, dockerfile, report)
  checkTarget(raw.target, dockerfile, path.basename(file ?? ''), report)
  checkNetwork(raw.network, env.buildx || env.buildkitEnv, report)
  const platforms = parsePlatforms(raw, env, report)
  const provenance = parseProvenance(raw.provenance, env, report)
  const builder = parseBuilder(raw.builder, env, report)
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
      secrets: secrets.map(({ id, value }) => ({ id, value })),
      provenance,
      builder,
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

/** The networks RUN steps can use: BuildKit knows three; the classic builder also bridge, container:<name> and named networks. */
function checkNetwork(network: string, buildkit: boolean, report: Report): void {
  if (network === '') return
  if (buildkit) {
    if (['default', 'none', 'host'].includes(network)) return
    report.problem(
      'network',
      `'${network}' is not a network BuildKit can give RUN steps`,
      'write default, none or host (BuildKit builds know no other network)'
    )
  } else if (!/^(?:container:)?[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(network)) {
    report.problem(
      'network',
      `'${network}' is not a network name`,
      'write default, bridge, host, none, container:<name> or the name of a docker network'
    )
  }
}

const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?$/
const SETUP_BUILDX = 'install the buildx plugin (docker/setup-buildx-action)'

/**
 * `platforms` (or the deprecated `platform`): a list of os/arch[/variant], without
 * duplicates. Several become one image index, which only buildx builds.
 */
function parsePlatforms(raw: RawInputs, env: Environment, report: Report): string[] {
  if (raw.platform !== '' && raw.platforms !== '') {
    report.problem(
      'platform',
      'platform and platforms are both set',
      'remove platform (deprecated) and list every platform in platforms'
    )
    return []
  }
  const input = raw.platforms !== '' ? 'platforms' : 'platform'
  if (input === 'platform' && raw.platform !== '')
    report.warn(
      'platform',
      "Input 'platform' is deprecated: use platforms (the docker actions' name), which takes a list."
    )
  const platforms = [...new Set(parseList(raw[input]))]
  const bad = platforms.filter((p) => !PLATFORM.test(p))
  for (const platform of bad) {
    report.problem(
      input,
      `'${platform}' is not a platform`,
      'write os/arch[/variant] in lowercase, such as linux/amd64 or linux/arm/v7, several separated by commas or lines'
    )
  }
  if (bad.length === 0 && platforms.length > 1 && !env.buildx) {
    report.problem(
      input,
      `${platforms.length} platforms make one image index, which needs buildx, but docker build here is ${env.buildkitEnv ? "the CLI's built-in BuildKit" : 'the classic builder'} and builds one platform`,
      `${SETUP_BUILDX} (add docker/setup-qemu-action for RUN steps of other architectures), or give one platform`
    )
  }
  return platforms
}

/** `provenance`: buildx's attestation; off unless asked for, so that one platform stays one plain manifest. */
function parseProvenance(value: string, env: Environment, report: Report): Provenance {
  const lower = value.toLowerCase()
  if (value === '' || lower === 'false') return 'false'
  if (lower !== 'true' && lower !== 'mode=min' && lower !== 'mode=max') {
    report.problem(
      'provenance',
      `'${value}' is not true, false, mode=min or mode=max`,
      'write false (no attestation, the default), true or mode=min (a minimal provenance attestation) or mode=max (with the build args and more)'
    )
    return 'false'
  }
  if (!env.buildx) {
    report.problem('provenance', 'provenance attestations need buildx', `${SETUP_BUILDX}, or set provenance to false`)
  }
  return lower
}

/** `builder`: the name of an existing buildx builder (setup-buildx-action's `name` output). */
function parseBuilder(value: string, env: Environment, report: Report): string {
  if (value === '') return ''
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(value)) {
    report.problem(
      'builder',
      `'${value}' is not a builder name`,
      'give the name of an existing buildx builder, such as the name output of docker/setup-buildx-action'
    )
  } else if (!env.buildx) {
    report.problem('builder', `the builder '${value}' needs buildx, which is not installed`, SETUP_BUILDX)
  }
  return value
}

/** The user's labels, then each default label whose key the user did not set. */
function withDefaultLabels(labels: KeyValue[], defaults: KeyValue[]): KeyValue[] {
  const set = new Set(labels.map((l) => l.key))
  return [...labels, ...defaults.filter((l) => !set.has(l.key))]
}

/** Image references, one per entry; `type=registry,ref=…` cache specs are buildx syntax and are not accepted. */
function parseCacheFrom(value: string, report: Report): string[] {
  const entries = parseLines(value).flatMap((line) => {
    if (!/(?:^|,)\s*type=/.test(line)) return parseList(line)
    report.problem(
      'cache-from',
      `'${line}' is a buildx cache spec`,
      'give the image reference alone, such as ghcr.io/org/app:latest (it is read as type=registry)'
    )
    return []
  })
  return [...new Set(entries)].filter((ref) => {
    const parsed = parseImageReference(ref)
    if (!parsed.ok) {
      report.problem(
        'cache-from',
        parsed.problem,
        `list image references such as ghcr.io/org/app:latest (${parsed.fix})`
      )
    }
    return parsed.ok
  })
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
