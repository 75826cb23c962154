// Reads the action's inputs in one place and turns them into a typed, validated
// `Inputs` object. Everything here is pure except the file-system look-ups, which
// come in through `FileSystem` so tests can give their own.
import * as path from 'node:path'
import { autoTags, expandTags, ociLabels } from './event.js'
import type { GitEvent, LatestMode } from './event.js'
import {
  DOCKER_HUB,
  isImplicitLibrary,
  isValidDomain,
  isValidTag,
  lowercaseRepository,
  normalizeRegistry,
  parseImageReference,
  parseRepository,
  tagFix
} from './reference.js'
import type { Repository } from './reference.js'

/** The inputs as action.yml names them; values as the runner passes them (already trimmed). */
export const INPUT_NAMES = [
  'registry',
  'username',
  'password',
  'images',
  'tags',
  'latest',
  'context',
  'file',
  'build-args',
  'labels',
  'target',
  'platform',
  'network',
  'pull',
  'no-cache',
  'source-image',
  'push',
  'save',
  'save-compression-level',
  'cache-from',
  'retries',
  'secrets',
  'summary',
  'dry-run'
] as const
export type InputName = (typeof INPUT_NAMES)[number]
export type RawInputs = Record<InputName, string>

export interface KeyValue {
  key: string
  value: string
}

export interface SaveTarget {
  /** Absolute path of the tarball. */
  path: string
  /** gzip-compress (`.tar.gz` / `.tgz`). */
  gzip: boolean
  /** The gzip level, 1 (fastest) to 9 (smallest). */
  level: number
}

/** The default gzip level: see docs/benchmarks.md for the measurements behind it. */
export const DEFAULT_COMPRESSION_LEVEL = 3

export interface BuildInputs {
  /** Absolute path of a local context, or a remote context (URL) as written. */
  context: string
  /** Absolute path of the Dockerfile; for a remote context, `file` as written (a path inside it) or undefined. */
  file: string | undefined
  buildArgs: KeyValue[]
  labels: KeyValue[]
  target: string
  platform: string
  network: string
  pull: boolean
  noCache: boolean
  /** Images whose layers the build may reuse (`--cache-from`). */
  cacheFrom: string[]
  /** BuildKit build secrets (`RUN --mount=type=secret,id=…`); values never reach argv. */
  secrets: { id: string; value: string }[]
}

export interface Inputs {
  /** The registry to log in to, normalised (`docker.io` for Docker Hub). */
  registry: string
  /** Present when both username and password are set. */
  credentials: { username: string; password: string } | undefined
  images: Repository[]
  /** Tag names, `auto` and `latest` already applied, duplicates removed. */
  tags: string[]
  /** The `version` output: from the Git event (1.2.3, release-7, feature-x, pr-42, nightly), or ''. */
  version: string
  /** What makes the image: a build, or an existing image to retag. */
  source: { kind: 'build'; build: BuildInputs } | { kind: 'image'; ref: string }
  push: boolean
  save: SaveTarget | undefined
  /** Attempts for each login, pull and push (1: no retry). */
  attempts: number
  /** Write the job summary. */
  summary: boolean
  /** Print the commands and set what outputs can be known, running nothing. */
  dryRun: boolean
}

export interface InputProblem {
  input: InputName
  message: string
}

/** A warning or notice about an input that does not stop the run. */
export interface Warning {
  input: InputName
  message: string
}

export type ParseResult =
  | { ok: true; inputs: Inputs; warnings: Warning[]; notices: Warning[] }
  | { ok: false; problems: InputProblem[]; warnings: Warning[]; notices: Warning[] }

export interface FileSystem {
  kind(absolutePath: string): 'file' | 'directory' | 'other' | 'missing'
}

export interface Environment {
  /** Where relative paths start: GITHUB_WORKSPACE, else the working directory. */
  workspace: string
  fs: FileSystem
  /** The Git event the workflow runs for (tags: auto, version, labels). */
  event: GitEvent
  /** The time the run started (the `created` label). */
  now: Date
}

/** Newline- or comma-separated list; blank entries dropped. */
export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** One entry per non-blank line (values may contain commas). */
export function parseLines(value: string): string[] {
  return value
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

const REMOTE_CONTEXT = /^(?:https?:\/\/|git@|git:\/\/|ssh:\/\/)/

/** Collects one message per problem (naming the input and the fix) and the warnings. */
class Report {
  readonly problems: InputProblem[] = []
  readonly warnings: Warning[] = []
  readonly notices: Warning[] = []

  problem(input: InputName, what: string, fix: string): void {
    this.problems.push({ input, message: `Input '${input}': ${what}. Fix: ${fix}.` })
  }

  warn(input: InputName, message: string): void {
    this.warnings.push({ input, message })
  }

  notice(input: InputName, message: string): void {
    this.notices.push({ input, message })
  }
}

export function parseInputs(raw: RawInputs, env: Environment): ParseResult {
  const report = new Report()
  // Problems come out in a fixed order: where and what to push, then how to build, then save.
  const registry = parseRegistry(raw.registry, report)
  const credentials = parseCredentials(raw, report)
  const images = parseImages(raw, registry, report)
  const tags = parseTags(raw, env.event, report)
  const version = autoTags(env.event).version
  const push = parseBoolean(raw, 'push', true, report)
  const flags = {
    pull: parseBoolean(raw, 'pull', false, report),
    noCache: parseBoolean(raw, 'no-cache', false, report)
  }
  const source = parseSource(raw, env, { ...flags, defaultLabels: ociLabels(env.event, version, env.now) }, report)
  const save = parseSave(raw, env, report)
  const attempts = parseRetries(raw.retries, report)
  const summary = parseBoolean(raw, 'summary', true, report)
  const dryRun = parseBoolean(raw, 'dry-run', false, report)
  const inputs: Inputs = { registry, credentials, images, tags, version, source, push, save, attempts, summary, dryRun }
  const { problems, warnings, notices } = report
  return problems.length > 0 ? { ok: false, problems, warnings, notices } : { ok: true, inputs, warnings, notices }
}

/** The user's labels, then each default label whose key the user did not set. */
function withDefaultLabels(labels: KeyValue[], defaults: KeyValue[]): KeyValue[] {
  const set = new Set(labels.map((l) => l.key))
  return [...labels, ...defaults.filter((l) => !set.has(l.key))]
}

function parseBoolean(raw: RawInputs, input: InputName, fallback: boolean, report: Report): boolean {
  const value = raw[input]
  if (value === '') return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  report.problem(input, `'${value}' is not a boolean`, 'write true or false')
  return fallback
}

function parseKeyValues(raw: RawInputs, input: InputName, report: Report): KeyValue[] {
  return parseLines(raw[input]).flatMap((line) => {
    const eq = line.indexOf('=')
    const key = eq < 0 ? '' : line.slice(0, eq).trim()
    if (eq < 0 || key === '' || /\s/.test(key)) {
      report.problem(input, `'${line}' is not a KEY=VALUE line`, 'write one KEY=VALUE per line, with no spaces in KEY')
      return []
    }
    return [{ key, value: line.slice(eq + 1) }]
  })
}

/** A host[:port]; a URL such as https://index.docker.io/v1/ is reduced to its host. */
function parseRegistry(value: string, report: Report): string {
  const host = value.replace(/^https?:\/\//, '').replace(/\/(v1|v2)?\/?$/, '')
  if (value !== '' && !isValidDomain(host)) {
    report.problem(
      'registry',
      `'${value}' is not a registry host`,
      'write a host with an optional port, such as ghcr.io or localhost:5000'
    )
  }
  return host === '' ? DOCKER_HUB : normalizeRegistry(host)
}

function parseCredentials(raw: RawInputs, report: Report): Inputs['credentials'] {
  if (raw.username !== '' && raw.password !== '') return { username: raw.username, password: raw.password }
  if (raw.username !== '' || raw.password !== '') {
    const [set, unset] = raw.username !== '' ? (['username', 'password'] as const) : (['password', 'username'] as const)
    report.warn(
      unset,
      `Input '${set}' is set but '${unset}' is empty, so the action does not log in (a secret is empty on pull requests from forks).`
    )
  }
  return undefined
}

/**
 * Each repository, lowercased (with a notice) when only its path has uppercase
 * letters, and put on the `registry` input's host when it names none.
 */
function parseImages(raw: RawInputs, registry: string, report: Report): Repository[] {
  const names = [...new Set(parseList(raw.images))]
  if (names.length === 0)
    report.problem(
      'images',
      'no repository given',
      'list one or more repositories, such as alice/app or ghcr.io/org/app'
    )
  const repositories = names.flatMap((written) => {
    const lowered = lowercaseRepository(written)
    if (!lowered.ok) {
      report.problem('images', lowered.problem, lowered.fix)
      return []
    }
    const name = lowered.value
    if (name !== written)
      report.notice(
        'images',
        `'${written}' has uppercase letters, which docker does not allow in repository names; using '${name}'.`
      )
    const parsed = parseRepository(name, registry)
    if (!parsed.ok) {
      report.problem('images', parsed.problem, parsed.fix)
      return []
    }
    const repository = parsed.value
    if (isImplicitLibrary(repository)) {
      const image = repository.path.slice('library/'.length)
      report.problem(
        'images',
        `'${written}' is a Docker Hub repository without an account, which only Docker's official images have`,
        `write '${raw.username || '<username>'}/${image}' (your Docker Hub account or organisation), or 'library/${image}' if you publish an official image`
      )
      return []
    }
    return [repository]
  })
  return [...new Map(repositories.map((r) => [r.name, r])).values()]
}

function parseTags(raw: RawInputs, event: GitEvent, report: Report): string[] {
  let latest = raw.latest === '' ? 'auto' : raw.latest.toLowerCase()
  if (!['auto', 'true', 'false'].includes(latest)) {
    report.problem(
      'latest',
      `'${raw.latest}' is not auto, true or false`,
      'write auto (latest on releases), true (always) or false (never)'
    )
    latest = 'auto'
  }
  const entries = parseList(raw.tags)
  const tags = expandTags(entries.length === 0 ? ['auto'] : entries, event, latest as LatestMode)
  for (const tag of tags.filter((t) => !isValidTag(t))) {
    const shown = tag.length > 40 ? `${tag.slice(0, 40)}… (${tag.length} characters)` : tag
    report.problem('tags', `'${shown}' is not a valid tag`, tagFix)
  }
  if (tags.length === 0)
    report.problem(
      'tags',
      'no tag is left: auto gives none on this event and latest is false',
      'list the tags, or set latest to auto or true'
    )
  return tags
}

/** A build from the context, or — with source-image — an existing image to retag. */
/** The boolean flags of the build, and the labels it gets unless the user sets their keys. */
interface BuildDefaults {
  pull: boolean
  noCache: boolean
  defaultLabels: KeyValue[]
}

function parseSource(raw: RawInputs, env: Environment, flags: BuildDefaults, report: Report): Inputs['source'] {
  const buildArgs = parseKeyValues(raw, 'build-args', report)
  for (const { key } of buildArgs.filter((a) => CREDENTIAL_NAME.test(a.key))) {
    report.warn(
      'build-args',
      `The build arg ${key} looks like a credential. Build args are stored in the image history, where anyone who pulls the image can read them; pass it with the secrets input instead (RUN --mount=type=secret,id=${key.toLowerCase()}).`
    )
  }
  const labels = withDefaultLabels(parseKeyValues(raw, 'labels', report), flags.defaultLabels)
  const cacheFrom = parseCacheFrom(raw['cache-from'], report)
  const secrets = parseSecrets(raw.secrets, report)
  if (raw['source-image'] !== '') {
    const ref = parseImageReference(raw['source-image'])
    if (!ref.ok) report.problem('source-image', ref.problem, ref.fix)
    const ignored = [
      ...(['file', 'build-args', 'labels', 'target', 'platform', 'network', 'cache-from', 'secrets'] as const).filter(
        (name) => raw[name] !== ''
      ),
      ...(flags.pull ? ['pull'] : []),
      ...(flags.noCache ? ['no-cache'] : [])
    ]
    if (ignored.length > 0) {
      report.warn(
        'source-image',
        `source-image is set, so nothing is built and ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored.`
      )
    }
    return { kind: 'image', ref: raw['source-image'] }
  }

  const { context, file } = parseContextAndFile(raw, env, report)
  const platform = raw.platform
  if (platform !== '' && !/^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?$/.test(platform)) {
    report.problem(
      'platform',
      `'${platform}' is not one platform`,
      'write one os/arch[/variant] such as linux/amd64: the image is loaded into the local engine, which holds one platform per tag'
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
      platform,
      network: raw.network,
      pull: flags.pull,
      noCache: flags.noCache,
      cacheFrom,
      secrets
    }
  }
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
    if (!parsed.ok)
      report.problem(
        'cache-from',
        parsed.problem,
        `list image references such as ghcr.io/org/app:latest (${parsed.fix})`
      )
    return parsed.ok
  })
}

/** A local context must be a folder with the Dockerfile; a remote one (URL) is docker's to fetch. */
function parseContextAndFile(raw: RawInputs, env: Environment, report: Report): Pick<BuildInputs, 'context' | 'file'> {
  const contextInput = raw.context === '' ? '.' : raw.context
  if (REMOTE_CONTEXT.test(contextInput)) return { context: contextInput, file: raw.file === '' ? undefined : raw.file }

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

export const DEFAULT_ATTEMPTS = 3
const MAX_ATTEMPTS = 10

function parseRetries(value: string, report: Report): number {
  if (value === '') return DEFAULT_ATTEMPTS
  if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_ATTEMPTS) return Number(value)
  report.problem(
    'retries',
    `'${value}' is not a number of attempts from 1 to ${MAX_ATTEMPTS}`,
    `write a whole number such as ${DEFAULT_ATTEMPTS} (1 turns retries off)`
  )
  return DEFAULT_ATTEMPTS
}

/** Names that look like credentials: build args are kept in the image history for anyone who pulls it. */
const CREDENTIAL_NAME = /TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL/i

/**
 * `id=VALUE` lines. A bad line is reported by its number only: it may be the
 * secret itself, and a problem message is printed.
 */
function parseSecrets(value: string, report: Report): { id: string; value: string }[] {
  const secrets: { id: string; value: string }[] = []
  value.split('\n').forEach((line, index) => {
    if (line.trim() === '') return
    const eq = line.indexOf('=')
    const id = eq < 0 ? '' : line.slice(0, eq).trim()
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
      report.problem(
        'secrets',
        `line ${index + 1} is not an id=VALUE line (its text is not shown, as it may be a secret)`,
        'write one id=VALUE per line, the id made of letters, digits, _ . and -, such as npm_token=${{ secrets.NPM_TOKEN }}'
      )
      return
    }
    if (secrets.some((s) => s.id === id))
      report.problem('secrets', `the id '${id}' is given twice`, 'give each secret its own id')
    else secrets.push({ id, value: line.slice(eq + 1) })
  })
  return secrets
}

function parseCompressionLevel(raw: RawInputs, report: Report): number {
  const value = raw['save-compression-level']
  if (value === '') return DEFAULT_COMPRESSION_LEVEL
  if (/^[1-9]$/.test(value)) return Number(value)
  report.problem(
    'save-compression-level',
    `'${value}' is not a gzip level`,
    'write a whole number from 1 (fastest) to 9 (smallest)'
  )
  return DEFAULT_COMPRESSION_LEVEL
}

function parseSave(raw: RawInputs, env: Environment, report: Report): SaveTarget | undefined {
  const value = raw.save
  const level = parseCompressionLevel(raw, report)
  if (value === '') return undefined
  const target = path.resolve(env.workspace, value)
  const lower = target.toLowerCase()
  const gzip = lower.endsWith('.tar.gz') || lower.endsWith('.tgz')
  if (!gzip && !lower.endsWith('.tar')) {
    report.problem(
      'save',
      `'${value}' does not end in .tar, .tar.gz or .tgz`,
      'name the tarball file.tar, or file.tar.gz / file.tgz to compress it'
    )
  } else if (env.fs.kind(target) === 'directory') {
    report.problem('save', `'${value}' is a folder`, 'give a file path such as image.tar.gz')
  } else {
    const blocker = firstNonDirectoryAncestor(target, env.fs)
    if (blocker !== undefined)
      report.problem(
        'save',
        `'${blocker}' is a file, so '${value}' cannot be created inside it`,
        'choose a path whose parent folders are folders'
      )
  }
  if (!gzip && raw['save-compression-level'] !== '')
    report.warn(
      'save-compression-level',
      `save-compression-level is ignored: '${value}' is not compressed (name it .tar.gz to compress it).`
    )
  return { path: target, gzip, level }
}

/** The first existing ancestor of `target` that is not a directory, if any. */
function firstNonDirectoryAncestor(target: string, fs: FileSystem): string | undefined {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const kind = fs.kind(dir)
    if (kind === 'directory') return undefined
    if (kind !== 'missing') return dir
    if (path.dirname(dir) === dir) return undefined
  }
}
