// The Git event a workflow runs for, and what it means for the image: the
// automatic tags, the version and the OCI labels. Pure: the runner's environment
// and the event payload come in as plain values; nothing here is ever run as a
// command (a ref name is data).
import { TAG_MAX } from './reference.js'

/** What the runner says about the event (GITHUB_* variables and the payload). */
export interface GitEvent {
  /** GITHUB_EVENT_NAME: push, pull_request, schedule, workflow_dispatch, … ('' outside Actions). */
  name: string
  /** GITHUB_REF: refs/heads/main, refs/tags/v1.2.3, refs/pull/42/merge ('' outside Actions). */
  ref: string
  /** The commit the image is built from: GITHUB_SHA, or the PR head commit on pull requests. */
  sha: string
  /** The pull request number, on pull request events. */
  pullRequest: number | undefined
  /** `https://github.com/octo-org/app`, or '' when GITHUB_REPOSITORY is unset. */
  sourceUrl: string
  /** `app`: the repository's name without its owner, or ''. */
  title: string
  /** A `pull_request` event from a fork (GitHub gives its workflows no secrets): the fork's `owner/name`. */
  fork?: string
}

/** Environment variables as process.env gives them. */
export type Variables = Record<string, string | undefined>

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

/**
 * Reads the event from the runner's variables and the parsed event payload
 * (the JSON file at GITHUB_EVENT_PATH; `undefined` when there is none).
 */
export function gitEventOf(vars: Variables, payload: unknown): GitEvent {
  const name = vars.GITHUB_EVENT_NAME ?? ''
  const ref = vars.GITHUB_REF ?? ''
  const pr = pullRequestOf(payload)
  const refNumber = /^refs\/pull\/(\d+)\//.exec(ref)?.[1]
  const isPullRequest = PULL_REQUEST_EVENTS.has(name) || refNumber !== undefined
  const repository = vars.GITHUB_REPOSITORY ?? ''
  const server = (vars.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  return {
    name,
    ref,
    // On pull requests GITHUB_SHA is the merge commit GitHub made; the image is the PR head's.
    sha: (isPullRequest && pr?.headSha) || (vars.GITHUB_SHA ?? ''),
    pullRequest: isPullRequest ? (pr?.number ?? (refNumber === undefined ? undefined : Number(refNumber))) : undefined,
    sourceUrl: repository === '' ? '' : `${server}/${repository}`,
    title: repository.slice(repository.indexOf('/') + 1),
    ...(name === 'pull_request' ? forkOf(payload) : {})
  }
}

/**
 * The fork a pull request comes from: its head repository differs from the base
 * one, or says it is a fork, or is gone (a deleted fork). `{}` for a branch of
 * the repository itself, or when the payload does not say.
 */
function forkOf(payload: unknown): { fork?: string } {
  type Repo = { full_name?: unknown; fork?: unknown } | null | undefined
  const pr = (payload as { pull_request?: { head?: { repo?: Repo }; base?: { repo?: Repo } } } | null)?.pull_request
  if (typeof pr !== 'object' || pr === null || typeof pr.head !== 'object' || pr.head === null) return {}
  const head = pr.head.repo
  const base = pr.base?.repo
  if (head === null) return { fork: '(a deleted fork)' }
  const headName = typeof head?.full_name === 'string' ? head.full_name : undefined
  const baseName = typeof base?.full_name === 'string' ? base.full_name : undefined
  const fromFork = head?.fork === true || (headName !== undefined && baseName !== undefined && headName !== baseName)
  return fromFork ? { fork: headName ?? '(a fork)' } : {}
}

function pullRequestOf(payload: unknown): { number: number | undefined; headSha: string | undefined } | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  const pr = (payload as { pull_request?: { number?: unknown; head?: { sha?: unknown } } }).pull_request
  if (typeof pr !== 'object' || pr === null) return undefined
  return {
    number: typeof pr.number === 'number' ? pr.number : undefined,
    headSha: typeof pr.head?.sha === 'string' && pr.head.sha !== '' ? pr.head.sha : undefined
  }
}

/** A semantic version (semver.org 2.0.0), as written in a tag with or without a leading `v`. */
export interface Semver {
  major: string
  minor: string
  patch: string
  prerelease: string
  build: string
}

const NUMBER = '(0|[1-9]\\d*)'
const IDENTIFIERS = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*'
const SEMVER_RE = new RegExp(`^v?${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-(${IDENTIFIERS}))?(?:\\+(${IDENTIFIERS}))?$`)

export function parseSemver(tag: string): Semver | undefined {
  const m = SEMVER_RE.exec(tag)
  if (!m) return undefined
  const prerelease = m[4] ?? ''
  // semver: numeric prerelease identifiers have no leading zeros.
  if (prerelease.split('.').some((id) => /^0\d+$/.test(id))) return undefined
  return { major: m[1], minor: m[2], patch: m[3], prerelease, build: m[5] ?? '' }
}

/**
 * A ref name as a valid tag: each run of characters outside [A-Za-z0-9_.-]
 * becomes `-`, leading `.` and `-` are dropped, and it is cut to the longest tag docker accepts.
 * '' when nothing is left.
 */
export function tagOf(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, TAG_MAX)
}

/** What `tags: auto` stands for on this event. */
export interface AutoTags {
  /** The tags in order, without `latest`. */
  tags: string[]
  /** Where `latest` goes when it is added (before the sha- tag), and whether `latest: auto` adds it. */
  latestIndex: number
  latestByDefault: boolean
  /** The `version` output: 1.2.3 for a semver tag, else the main tag (`release-7`, `feature-x`, `pr-42`, `nightly`); '' when the event gives none. */
  version: string
  /** A Git tag that is no semver release, so `latest: auto` does not add latest: its name, and whether it is near one (`V1.2.3`, `v1.2`). */
  notRelease?: { tag: string; nearSemver: boolean }
}

/**
 * An image variant's tag affixes (`tag-prefix`, `tag-suffix`), as Docker's official
 * images name variants: `1.2.3-alpine`, `1.2-alpine`, `1-alpine`, and `alpine` for
 * the variant's latest.
 */
export interface Variant {
  prefix: string
  suffix: string
}

export const NO_VARIANT: Variant = { prefix: '', suffix: '' }

/** How `auto` is expanded: with the `sha-<7>` tag (the sha-tag input) and a variant's affixes. */
export interface TagOptions {
  sha?: boolean
  variant?: Variant
}

/** A tag of the variant: `tag` between the prefix and the suffix. */
export function affixed(tag: string, variant: Variant = NO_VARIANT): string {
  return `${variant.prefix}${tag}${variant.suffix}`
}

/**
 * What `latest` is for a variant: its name alone, the affixes with `latest` taken
 * out from between them and the separator there kept once (`-alpine` → `alpine`,
 * `alpine-` → `alpine`, `v2-` and `-alpine` → `v2-alpine`); `latest` without one.
 */
export function latestOf(variant: Variant = NO_VARIANT): string {
  const prefix = variant.prefix.replace(/[-_.]+$/, '')
  if (prefix === '' && variant.suffix === '') return 'latest'
  if (variant.suffix === '') return prefix
  return prefix === '' ? variant.suffix.replace(/^[-_.]+/, '') : `${prefix}${variant.suffix}`
}

export function autoTags(event: GitEvent, options: TagOptions = {}): AutoTags {
  const variant = options.variant ?? NO_VARIANT
  const shaTag = event.sha === '' || options.sha === false ? [] : [`sha-${event.sha.slice(0, 7)}`]
  // A branch name is cut so that the variant's affixes still fit in a tag.
  const main = mainTags(event, TAG_MAX - variant.prefix.length - variant.suffix.length)
  const tagName = main.latest ? undefined : stripPrefix(event.ref, 'refs/tags/')
  return {
    tags: [...main.tags, ...shaTag].map((tag) => affixed(tag, variant)),
    latestIndex: main.tags.length,
    latestByDefault: main.latest,
    version: main.version,
    ...(tagName !== undefined && parseSemver(tagName) === undefined && event.pullRequest === undefined
      ? { notRelease: { tag: tagName, nearSemver: isNearSemver(tagName) } }
      : {})
  }
}

/**
 * A tag name that reads as a version but is not semver: `V1.2.3`, `v1.2`,
 * `v01.2.3`, `1.2.3.4`. Most often a typo of a release tag.
 */
export function isNearSemver(name: string): boolean {
  return (
    parseSemver(name) === undefined && /^[vV]*\d+(?:\.\d+)*(?:[-+.][0-9A-Za-z.+-]*)?$/.test(name) && /[vV.]/.test(name)
  )
}

function mainTags(event: GitEvent, room = TAG_MAX): { tags: string[]; latest: boolean; version: string } {
  if (event.pullRequest !== undefined) {
    const tag = `pr-${event.pullRequest}`
    return { tags: [tag], latest: false, version: tag }
  }
  if (event.name === 'schedule') return { tags: ['nightly'], latest: false, version: 'nightly' }

  const tagName = stripPrefix(event.ref, 'refs/tags/')
  if (tagName !== undefined) {
    const semver = parseSemver(tagName)
    // Only a semver release moves latest: a typo (V1.2.3) or any other name does not (latest: true does).
    if (semver === undefined) return named(tagName, false, room)
    const { major, minor, patch, prerelease, build } = semver
    const core = `${major}.${minor}.${patch}`
    const version = `${core}${prerelease && `-${prerelease}`}${build && `+${build}`}`
    // A tag cannot hold `+`; build metadata follows `_`, as Helm does for OCI tags.
    const full = tagOf(`${core}${prerelease && `-${prerelease}`}${build && `_${build}`}`)
    if (prerelease !== '') return { tags: [full], latest: false, version }
    // `0` would claim that every 0.x release is compatible with the last one.
    const moving = major === '0' ? [`${major}.${minor}`] : [`${major}.${minor}`, major]
    return { tags: [full, ...moving], latest: true, version }
  }
  const branch = stripPrefix(event.ref, 'refs/heads/')
  if (branch !== undefined) return named(branch, false, room)
  // Outside GitHub Actions there is no ref at all: `auto` is docker's own default, latest.
  return { tags: [], latest: event.ref === '', version: '' }
}

function named(refName: string, latest: boolean, room: number): { tags: string[]; latest: boolean; version: string } {
  const tag = tagOf(refName)
  // The version is the name; its tag is cut to the room the variant's affixes leave.
  return tag === '' ? { tags: [], latest, version: '' } : { tags: [tag.slice(0, room)], latest, version: tag }
}

function stripPrefix(ref: string, prefix: string): string | undefined {
  return ref.startsWith(prefix) && ref.length > prefix.length ? ref.slice(prefix.length) : undefined
}

export type LatestMode = 'auto' | 'true' | 'false'

/**
 * Expands `auto` in the tags input (with the sha- tag unless `options.sha` is
 * false, and the variant's affixes), then applies the `latest` input (the
 * variant's latest: latestOf); duplicates removed, first place kept. Tags written
 * out are kept as written.
 */
export function expandTags(entries: string[], event: GitEvent, latest: LatestMode, options: TagOptions = {}): string[] {
  const auto = autoTags(event, options)
  const latestTag = latestOf(options.variant)
  const withLatest = latest === 'true' || (latest === 'auto' && auto.latestByDefault)
  const expanded = entries.flatMap((entry) => {
    if (entry !== 'auto') return [entry]
    const tags = [...auto.tags]
    if (withLatest) tags.splice(auto.latestIndex, 0, latestTag)
    return tags
  })
  if (latest === 'true' && !expanded.includes(latestTag)) expanded.push(latestTag)
  return [...new Set(expanded)]
}

export const OCI = 'org.opencontainers.image'

/** The OCI annotations the build adds (those whose value is known), as label key/value pairs. */
export function ociLabels(event: GitEvent, version: string, created: Date): { key: string; value: string }[] {
  const labels: [string, string][] = [
    ['source', event.sourceUrl],
    ['revision', event.sha],
    ['version', version],
    ['created', rfc3339(created)],
    ['title', event.title]
  ]
  return labels.filter(([, value]) => value !== '').map(([key, value]) => ({ key: `${OCI}.${key}`, value }))
}

/** Where the `created` label's time came from, in the order they are tried. */
export type CreatedSource = 'SOURCE_DATE_EPOCH' | 'head commit' | 'git log' | 'now'

/** The image's creation time: the commit's, so the same commit built twice gives the same image. */
export interface Created {
  /** Whole seconds, UTC. */
  date: Date
  source: CreatedSource
}

/** The places a commit time can come from; `git` is only asked when the others have none. */
export interface CommitTimes {
  /** The SOURCE_DATE_EPOCH variable as set (seconds since the epoch). */
  sourceDateEpoch: string | undefined
  /** The event payload's `head_commit.timestamp` (push events), when it is the commit built. */
  headCommit: string | undefined
  /** `git log -1 --format=%cI` of the commit in the workspace; undefined when git gives none. */
  git: () => string | undefined
}

const toSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

/**
 * The commit time, from the first source that has one: SOURCE_DATE_EPOCH, the
 * event's head commit, `git log` in the workspace; else now. A SOURCE_DATE_EPOCH
 * that is not a whole number of seconds is passed over with a warning.
 */
export function createdOf(times: CommitTimes, now: Date): { created: Created; warnings: string[] } {
  const warnings: string[] = []
  const epoch = times.sourceDateEpoch?.trim()
  if (epoch !== undefined && epoch !== '') {
    if (/^\d{1,12}$/.test(epoch))
      return { created: { date: new Date(Number(epoch) * 1000), source: 'SOURCE_DATE_EPOCH' }, warnings }
    warnings.push(
      `SOURCE_DATE_EPOCH='${epoch}' is not a whole number of seconds since 1970, so the image's creation time comes from the commit instead.`
    )
  }
  const head = times.headCommit === undefined ? NaN : Date.parse(times.headCommit)
  if (!Number.isNaN(head)) return { created: { date: toSeconds(head), source: 'head commit' }, warnings }
  const gitTime = times.git()
  const fromGit = gitTime === undefined ? NaN : Date.parse(gitTime)
  if (!Number.isNaN(fromGit)) return { created: { date: toSeconds(fromGit), source: 'git log' }, warnings }
  return { created: { date: toSeconds(now.getTime()), source: 'now' }, warnings }
}

/** The event payload's head commit time, when the head commit is the one built (push events). */
export function headCommitTime(payload: unknown, sha: string): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  const head = (payload as { head_commit?: { id?: unknown; timestamp?: unknown } | null }).head_commit
  if (typeof head !== 'object' || head === null || typeof head.timestamp !== 'string') return undefined
  return typeof head.id === 'string' && sha !== '' && head.id !== sha ? undefined : head.timestamp
}

/** `2026-01-02T03:04:05Z`: RFC 3339 in UTC, whole seconds. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The log line that says which time the `created` label has, and so whether a rebuild gives the same digest. */
export function createdLine(created: Created): string {
  const time = rfc3339(created.date)
  const from: Record<CreatedSource, string> = {
    SOURCE_DATE_EPOCH: 'from SOURCE_DATE_EPOCH',
    'head commit': "the commit's time, from the event's head commit",
    'git log': "the commit's time, from git log in the workspace",
    now: 'now: no SOURCE_DATE_EPOCH, no head commit in the event and no git history in the workspace, so a rebuild of this commit gets another digest'
  }
  return `Image creation time (${OCI}.created): ${time}, ${from[created.source]}.`
}
