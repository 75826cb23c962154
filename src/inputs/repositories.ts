// The names things are pushed under: the repositories of `images` (lowercased where
// docker needs it, on the `registry` host), the references of `cache-from` and
// `source-image` lowercased the same way with one notice for all, and the tags
// (`tags`, `latest`, `sha-tag`). Pure.
import { autoTags, expandTags, latestOf } from '../domain/event.js'
import type { GitEvent, LatestMode, Variant } from '../domain/event.js'
import type { InputName, RawInputs } from './names.js'
import { parseBoolean, parseLines, parseList } from './parse.js'
import type { Report } from './parse.js'
import {
  isImplicitLibrary,
  isValidTag,
  lowercaseReference,
  lowercaseRepository,
  parseRepository,
  tagFix
} from '../domain/reference.js'
import type { Repository } from '../domain/reference.js'

/** A repository written with uppercase letters, and the lowercase name used instead. */
export interface Lowercased {
  input: InputName
  written: string
  used: string
}

/**
 * Each repository, lowercased (noted in `lowercased`) when only its path has
 * uppercase letters, and put on the `registry` input's host when it names none.
 */
export function parseImages(raw: RawInputs, registry: string, report: Report, lowercased: Lowercased[]): Repository[] {
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
export function lowercaseReferences(raw: RawInputs, report: Report, lowercased: Lowercased[]): RawInputs {
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
export function noticeLowercased(lowercased: Lowercased[], report: Report): void {
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
