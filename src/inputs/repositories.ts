// The names things are pushed under: the repositories of `images` (lowercased where
// docker needs it, on the `registry` host), and `source-image` lowercased the same
// way, with one notice for every name lowercased (cache.ts's too). The tags are
// tags.ts's. Pure.
import type { InputName, RawInputs } from './names.js'
import { parseList } from './parse.js'
import type { Report } from './parse.js'
import { formatOf } from '../domain/image.js'
import { isImplicitLibrary, lowercaseReference, lowercaseRepository, parseRepository } from '../domain/reference.js'
import type { Repository } from '../domain/reference.js'

/** A repository written with uppercase letters, and the lowercase name used instead. */
export interface Lowercased {
  input: InputName
  written: string
  used: string
}

/** A parsed value and the repository names in it that were lowercased (for one notice of all: noticeLowercased). */
export interface WithLowercased<T> {
  value: T
  lowercased: Lowercased[]
}

/**
 * Each repository, lowercased when only its path has uppercase letters, and put on
 * the `registry` input's host when it names none.
 */
export function parseImages(raw: RawInputs, registry: string, report: Report): WithLowercased<Repository[]> {
  const lowercased: Lowercased[] = []
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
  return { value: [...new Map(repositories.map((r) => [r.name, r])).values()], lowercased }
}

/**
 * An image reference with its repository lowercased as images are
 * (`ghcr.io/${{ github.repository }}:main` with `Octo-Org/App`), the tag kept as
 * written; a reference whose registry host has uppercase letters is a problem
 * (undefined).
 */
function lowercased(
  input: 'cache-from' | 'source-image',
  written: string,
  report: Report
): WithLowercased<string> | undefined {
  const lowered = lowercaseReference(written)
  if (!lowered.ok) {
    // source-image is one value: refused whole, so the reference check adds no second problem.
    report.refuse(input, lowered.problem, lowered.fix)
    return undefined
  }
  const changed = lowered.value !== written ? [{ input, written, used: lowered.value }] : []
  return { value: lowered.value, lowercased: changed }
}

/**
 * source-image: a tarball's path as written (a file name keeps its case), or an
 * image reference lowercased as images are.
 */
export function parseSourceImage(raw: RawInputs, report: Report): WithLowercased<string> {
  const written = raw['source-image']
  if (written === '' || formatOf(written) !== undefined) return { value: written, lowercased: [] }
  return lowercased('source-image', written, report) ?? { value: written, lowercased: [] }
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
