// The tags the image gets: `tags: auto` from the Git event (semver releases, branches,
// pull requests, schedules, the commit), an image variant's affixes (tag-prefix,
// tag-suffix), `latest` and `sha-tag`, and the tags written out. Pure: the event
// comes in as a plain value.
import type { GitEvent } from '../domain/event.js'
import { isValidTag, parseRepository, TAG_MAX, tagFix } from '../domain/reference.js'
import type { RawInputs } from './names.js'
import { parseBoolean, parseList } from './parse.js'
import type { Report } from './parse.js'

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

/**
 * The tag a part of `platform` gets in a merge (`merge: part`):
 * `sha-<7>-<os>-<arch>[-<variant>]`, between an image variant's affixes
 * (tag-prefix, tag-suffix), so that the parts of two variants of one commit are apart.
 */
export function partTag(sha: string, platform: string, variant: Variant = NO_VARIANT): string {
  return affixed(`sha-${sha.slice(0, 7)}-${platform.split('/').join('-')}`, variant)
}

/**
 * `tag-prefix` and `tag-suffix`: the affixes of an image variant's automatic tags.
 * A prefix starts a tag, so it starts with a letter, a digit or `_`; both hold only
 * what a tag may.
 */
export function parseVariant(raw: RawInputs, report: Report): Variant {
  const check = (input: 'tag-prefix' | 'tag-suffix', value: string, rule: RegExp, example: string): string => {
    if (value === '' || (rule.test(value) && value.length <= 64)) return value
    report.problem(
      input,
      `'${value}' cannot be part of a tag`,
      `write up to 64 letters, digits, _ . and -${input === 'tag-prefix' ? ', starting with a letter, digit or _' : ''}, such as ${example}`
    )
    return ''
  }
  return {
    prefix: check('tag-prefix', raw['tag-prefix'], /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'alpine-'),
    suffix: check('tag-suffix', raw['tag-suffix'], /^[A-Za-z0-9_.-]+$/, '-alpine')
  }
}

export function parseTags(raw: RawInputs, event: GitEvent, variant: Variant, report: Report): string[] {
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
  const tags = expandTags(entries.length === 0 ? ['auto'] : entries, event, latest as LatestMode, { sha, variant })
  const notRelease = autoTags(event).notRelease
  if (latest === 'auto' && notRelease && (entries.length === 0 || entries.includes('auto'))) {
    const { tag, nearSemver } = notRelease
    report.notice(
      'latest',
      `The Git tag '${tag}' is not a semantic version${nearSemver ? ' (semver.org: MAJOR.MINOR.PATCH without leading zeros, with an optional lowercase v)' : ''}, so latest: auto does not move ${latestOf(variant)}. ${nearSemver ? `Name the release like v1.2.3 to get the version tags and ${latestOf(variant)}, or set` : 'Set'} latest: true to move it on this tag.`
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
