// Reads the action's inputs in one place and turns them into a typed, validated
// `Inputs` object: where and what to push, and what to save. What makes the image
// (a build or a retag) is build-inputs.ts. Pure: the file-system look-ups come in
// through the environment (environment.ts).
import * as path from 'node:path'
import { parseSource } from './build-inputs.js'
import type { Source } from './build-inputs.js'
import type { Environment, FileSystem } from './environment.js'
import { autoTags, expandTags, ociLabels } from './event.js'
import type { GitEvent, LatestMode } from './event.js'
import type { InputName, RawInputs } from './input-names.js'
import { parseBoolean, parseLines, parseList, refuseControlCharacters, Report } from './parse.js'
import type { InputProblem, Warning } from './parse.js'
import {
  DOCKER_HUB,
  isImplicitLibrary,
  isValidDomain,
  isValidTag,
  lowercaseReference,
  lowercaseRepository,
  normalizeRegistry,
  parseRepository,
  tagFix
} from './reference.js'
import type { Repository } from './reference.js'

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
  source: Source
  push: boolean
  save: SaveTarget | undefined
  /** Attempts for each login, pull and push (1: no retry). */
  attempts: number
  /** Write the job summary. */
  summary: boolean
  /** Print the commands and set what outputs can be known, running nothing. */
  dryRun: boolean
  /** Why `push: true` is not done (a fork's pull request without credentials), for the summary. */
  pushSkipped?: string
}

/** The outcome, and what is to be printed: the masks (first), then the notices, warnings and problems. */
export type ParseResult = { warnings: Warning[]; notices: Warning[]; masks: string[] } & (
  { ok: true; inputs: Inputs } | { ok: false; problems: InputProblem[] }
)

export function parseInputs(raw: RawInputs, env: Environment): ParseResult {
  const report = new Report()
  refuseControlCharacters(raw, report)
  // Problems come out in a fixed order: where and what to push, then how to build, then save.
  const registry = parseRegistry(raw.registry, report)
  const credentials = parseCredentials(raw, report)
  const lowercased: Lowercased[] = []
  const images = parseImages(raw, registry, report, lowercased)
  const tags = parseTags(raw, env.event, report)
  const version = autoTags(env.event).version
  const pushInput = parseBoolean(raw, 'push', true, report)
  const pushSkipped = pushInput ? forkWithoutLogin(env, credentials, images, report) : undefined
  const push = pushInput && pushSkipped === undefined
  const flags = {
    pull: parseBoolean(raw, 'pull', false, report),
    noCache: parseBoolean(raw, 'no-cache', false, report)
  }
  const references = lowercaseReferences(raw, report, lowercased)
  const source = parseSource(
    references,
    env,
    {
      ...flags,
      defaultLabels: ociLabels(env.event, version, env.created.date),
      // BuildKit (0.11 and later) dates the image config and its history from it, so a rebuild matches.
      sourceDateEpoch: env.created.source === 'now' ? undefined : env.created.date.getTime() / 1000
    },
    report
  )
  noticeLowercased(lowercased, report)
  const save = parseSave(raw, env, report)
  const attempts = parseRetries(raw.retries, report)
  const summary = parseBoolean(raw, 'summary', true, report)
  const dryRun = parseBoolean(raw, 'dry-run', false, report)
  const inputs: Inputs = {
    registry,
    credentials,
    images,
    tags,
    version,
    source,
    push,
    save,
    attempts,
    summary,
    dryRun,
    ...(pushSkipped === undefined ? {} : { pushSkipped })
  }
  const { problems, warnings, notices, masks } = report
  return problems.length > 0
    ? { ok: false, problems, warnings, notices, masks }
    : { ok: true, inputs, warnings, notices, masks }
}

/** A host[:port]; a URL such as https://index.docker.io/v1/ is reduced to its host. */
function parseRegistry(value: string, report: Report): string {
  const host = value.replace(/^https?:\/\//, '').replace(/\/(v1|v2)?\/?$/, '')
  if (value !== '' && !isValidDomain(host)) {
    report.problem(
      'registry',
      `'${value}' is not a registry host`,
      'write a host with an optional port from 1 to 65535, such as ghcr.io or localhost:5000'
    )
  }
  return host === '' ? DOCKER_HUB : normalizeRegistry(host)
}

function parseCredentials(raw: RawInputs, report: Report): Inputs['credentials'] {
  // HTTP basic authentication, which every registry login ends in, cannot carry a ':' in the user name.
  if (/[\s:]/.test(raw.username)) {
    report.problem(
      'username',
      `'${raw.username}' has ${raw.username.includes(':') ? "a ':'" : 'white space'}, which no registry user name can hold`,
      'give the user name alone (the password or token goes in password)'
    )
  }
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
 * A pull request from a fork gets no secrets, so a push without credentials to a
 * registry the docker config has no login for would fail after the whole build:
 * the image is built and not pushed, with a warning that says how to fix the
 * workflow. The reason (for the summary), or undefined when the push goes ahead.
 */
function forkWithoutLogin(
  env: Environment,
  credentials: Inputs['credentials'],
  images: Repository[],
  report: Report
): string | undefined {
  const fork = env.event.fork
  const logins = env.dockerLogins ?? { registries: [], store: false }
  if (fork === undefined || credentials !== undefined || logins.store) return undefined
  const without = [...new Set(images.map((i) => i.domain))].filter((r) => !logins.registries.includes(r))
  if (without.length === 0) return undefined
  const reason = `a pull request from the fork ${fork} gets no secrets, and there is no login for ${without.join(', ')}`
  report.warn(
    'push',
    `Not pushing: ${reason}, so the push would fail. The image is built, and the outputs say nothing was pushed. Fix: push only outside pull requests (push: \${{ github.event_name != 'pull_request' }}), or give username and password for a registry that fork pull requests may push to.`
  )
  return reason
}

/** A repository written with uppercase letters, and the lowercase name used instead. */
interface Lowercased {
  input: InputName
  written: string
  used: string
}

/**
 * Each repository, lowercased (noted in `lowercased`) when only its path has
 * uppercase letters, and put on the `registry` input's host when it names none.
 */
function parseImages(raw: RawInputs, registry: string, report: Report, lowercased: Lowercased[]): Repository[] {
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
    if (name !== written) lowercased.push({ input: 'images', written, used: name })
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

/**
 * cache-from and source-image with their repositories lowercased as images are
 * (`ghcr.io/${{ github.repository }}:main` with `Octo-Org/App`), tags kept as
 * written; a reference whose registry host has uppercase letters is refused.
 */
function lowercaseReferences(raw: RawInputs, report: Report, lowercased: Lowercased[]): RawInputs {
  const lower = (input: InputName, written: string): string | undefined => {
    const lowered = lowercaseReference(written)
    if (!lowered.ok) {
      // source-image is one value: refused whole, so the reference check adds no second problem.
      if (input === 'source-image') report.refuse(input, lowered.problem, lowered.fix)
      else report.problem(input, lowered.problem, lowered.fix)
      return undefined
    }
    if (lowered.value !== written) lowercased.push({ input, written, used: lowered.value })
    return lowered.value
  }
  // A buildx cache spec (type=…) is left as written: it is refused as a whole later.
  const cacheFrom = parseLines(raw['cache-from']).flatMap((line) =>
    /(?:^|,)\s*type=/.test(line) ? [line] : parseList(line).flatMap((ref) => lower('cache-from', ref) ?? [])
  )
  const sourceImage =
    raw['source-image'] === '' ? '' : (lower('source-image', raw['source-image']) ?? raw['source-image'])
  return { ...raw, 'cache-from': cacheFrom.join('\n'), 'source-image': sourceImage }
}

/** One notice for every repository name that was lowercased, whichever input it came from. */
function noticeLowercased(lowercased: Lowercased[], report: Report): void {
  const distinct = [...new Map(lowercased.map((l) => [`${l.input}\n${l.written}`, l])).values()]
  if (distinct.length === 0) return
  const [first] = distinct
  report.notice(
    first.input,
    distinct.length === 1
      ? `'${first.written}' has uppercase letters, which docker does not allow in repository names; using '${first.used}'.`
      : `Docker does not allow uppercase letters in repository names; using ${distinct.map((l) => `'${l.used}' for '${l.written}' (${l.input})`).join(', ')}.`
  )
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
  const sha = parseBoolean(raw, 'sha-tag', true, report)
  const tags = expandTags(entries.length === 0 ? ['auto'] : entries, event, latest as LatestMode, sha)
  const notRelease = autoTags(event).notRelease
  if (latest === 'auto' && notRelease && (entries.length === 0 || entries.includes('auto'))) {
    const { tag, nearSemver } = notRelease
    report.notice(
      'latest',
      `The Git tag '${tag}' is not a semantic version${nearSemver ? ' (semver.org: MAJOR.MINOR.PATCH without leading zeros, with an optional lowercase v)' : ''}, so latest: auto does not move latest. ${nearSemver ? `Name the release like v1.2.3 to get the version tags and latest, or set` : 'Set'} latest: true to move it on this tag.`
    )
  }
  for (const tag of tags.filter((t) => !isValidTag(t))) {
    const reference = asReference(tag)
    if (reference !== undefined) {
      // build-push-action's tags input takes full references; here the repository is the images input.
      const { repository, tagName } = reference
      const only = tagName === '' ? 'only tag names such as latest or 1.2.3' : `only the tag '${tagName}'`
      report.problem(
        'tags',
        `'${tag}' is ${tagName === '' ? 'a repository' : 'a full image reference'}, not a tag`,
        `write the repository '${repository}' in images and ${only} in tags (each tag applies to every repository in images)`
      )
      continue
    }
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

/** A tags entry that is a repository with an optional tag (`ghcr.io/org/app:1.2.3`), or undefined. */
function asReference(entry: string): { repository: string; tagName: string } | undefined {
  const slash = entry.lastIndexOf('/')
  const colon = entry.lastIndexOf(':')
  const [repository, tagName] = colon > slash ? [entry.slice(0, colon), entry.slice(colon + 1)] : [entry, '']
  if (slash < 0 && tagName === '') return undefined
  const parsed = parseRepository(repository.toLowerCase())
  return parsed.ok && (tagName === '' || isValidTag(tagName)) ? { repository, tagName } : undefined
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
    const ancestor = firstExistingAncestor(target, env.fs)
    const kind = env.fs.kind(ancestor)
    if (kind === 'file' || kind === 'other') {
      report.problem(
        'save',
        `'${ancestor}' is a file, so '${value}' cannot be created inside it`,
        'choose a path whose parent folders are folders'
      )
    } else if (kind === 'directory' && !env.fs.writable(ancestor)) {
      report.problem(
        'save',
        `this run may not write into '${ancestor}', so '${value}' cannot be created`,
        'choose a path in a folder the runner can write to, such as one in the workspace'
      )
    }
  }
  if (!gzip && raw['save-compression-level'] !== '')
    report.warn(
      'save-compression-level',
      `save-compression-level is ignored: '${value}' is not compressed (name it .tar.gz to compress it).`
    )
  return { path: target, gzip, level }
}

/** The nearest ancestor of `target` that exists (the folder it will be created in, or a file in its way). */
function firstExistingAncestor(target: string, fs: FileSystem): string {
  let dir = path.dirname(target)
  while (fs.kind(dir) === 'missing' && path.dirname(dir) !== dir) dir = path.dirname(dir)
  return dir
}
