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
import type { RawInputs } from './input-names.js'
import { parseBoolean, parseList, Report } from './parse.js'
import type { InputProblem, Warning } from './parse.js'
import {
  DOCKER_HUB,
  isImplicitLibrary,
  isValidDomain,
  isValidTag,
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
}

export type ParseResult =
  | { ok: true; inputs: Inputs; warnings: Warning[]; notices: Warning[] }
  | { ok: false; problems: InputProblem[]; warnings: Warning[]; notices: Warning[] }

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
  if (save && push && source.kind === 'build' && source.build.provenance !== 'false' && env.buildx) {
    report.problem(
      'save',
      'an image with a provenance attestation is pushed by buildx and not loaded into the engine, so it cannot be saved',
      'save without provenance (provenance: false), or push the attested image and pull it where you need it'
    )
  } else if (save && source.kind === 'build' && source.build.platforms.length > 1) {
    report.problem(
      'save',
      `a tarball for docker load holds one platform per tag, and platforms lists ${source.build.platforms.length}`,
      'save one platform (a job of its own with platforms set to it), or push the image index and pull the platform you need'
    )
  }
  const attempts = parseRetries(raw.retries, report)
  const summary = parseBoolean(raw, 'summary', true, report)
  const dryRun = parseBoolean(raw, 'dry-run', false, report)
  const inputs: Inputs = { registry, credentials, images, tags, version, source, push, save, attempts, summary, dryRun }
  const { problems, warnings, notices } = report
  return problems.length > 0 ? { ok: false, problems, warnings, notices } : { ok: true, inputs, warnings, notices }
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
