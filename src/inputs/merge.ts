// One image from many runners: `merge: part` makes a build job of a matrix push its
// one platform as a part, under a tag of the commit and the platform
// (`sha-abc1234-linux-arm64`); `merge: linux/amd64, linux/arm64` makes the merge
// job find every part of this commit and put them into one index under the real
// tags. Pure: the inputs, the part tags and the merge's commands.
import type { Environment } from '../runner/environment.js'
import { affixed, NO_VARIANT } from '../domain/event.js'
import type { Variant } from '../domain/event.js'
import type { RawInputs } from './names.js'
import { parseList } from './parse.js'
import type { Report } from './parse.js'
import { registryOf } from '../domain/reference.js'

export type Merge = { kind: 'part'; platform: string } | { kind: 'index'; platforms: string[] }

const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?$/

/**
 * The tag a part of `platform` gets: `sha-<7>-<os>-<arch>[-<variant>]`, between
 * an image variant's affixes (tag-prefix, tag-suffix), so that the parts of two
 * variants of one commit are apart.
 */
export function partTag(sha: string, platform: string, variant: Variant = NO_VARIANT): string {
  return affixed(`sha-${sha.slice(0, 7)}-${platform.split('/').join('-')}`, variant)
}

/**
 * `merge`: '' (no merge), `part`, or the platforms to merge. Both need the commit
 * (GITHUB_SHA) and `push`; a part is one platform of a build; a merge builds nothing.
 */
export function parseMerge(raw: RawInputs, env: Environment, push: boolean, report: Report): Merge | undefined {
  const value = raw.merge.trim()
  if (value === '') return undefined
  const needs = (what: string, fix: string): void => report.problem('merge', what, fix)
  if (env.event.sha === '') {
    needs('a merge of parts needs the commit the parts are of, and GITHUB_SHA is not set', 'run it in a workflow')
  }
  if (!push) needs(`merge: ${value} pushes, and push is false`, 'leave push at true, or remove merge')
  if (raw.save !== '') needs('the parts and the index of a merge are pushed, not saved', 'remove save, or merge')
  if (value.toLowerCase() === 'part') {
    const platforms = parseList(raw.platforms || raw.platform)
    if (platforms.length !== 1) {
      needs(
        `a part is one platform, and platforms gives ${platforms.length === 0 ? 'none' : platforms.length}`,
        'give each job of the matrix its one platform, such as platforms: ${{ matrix.platform }}'
      )
    }
    if (raw['source-image'] !== '') needs('a part is built, and source-image is set', 'remove source-image')
    return { kind: 'part', platform: platforms[0] ?? '' }
  }
  const platforms = [...new Set(parseList(value))]
  const bad = platforms.filter((p) => !PLATFORM.test(p))
  if (bad.length > 0) {
    needs(
      `'${bad.join(', ')}' ${bad.length > 1 ? 'are not platforms' : 'is not a platform'}`,
      'write part in a build job, and in the merge job the platforms to merge, such as linux/amd64, linux/arm64'
    )
  }
  if (raw['source-image'] !== '') needs('a merge builds nothing, and source-image is set', 'remove source-image')
  return { kind: 'index', platforms }
}

/** The inputs a merge job ignores: it builds nothing and needs no checkout. */
export const NOT_MERGED = [
  'file',
  'build-args',
  'labels',
  'target',
  'platforms',
  'platform',
  'cache-from',
  'secrets'
] as const

/** What the merge of one repository runs: its parts, and the commands that make the index under every tag. */
export interface MergeRepository {
  repository: string
  parts: { platform: string; ref: string }[]
  /**
   * With buildx one `imagetools create` (it copies indexes and attestations as they
   * are); without, `docker manifest create` and `push` per tag (single manifests only).
   */
  create: string[][]
}

export function mergeCommands(
  repository: string,
  tags: string[],
  parts: { platform: string; ref: string }[],
  buildx: string[] | undefined
): string[][] {
  const refs = parts.map((p) => p.ref)
  if (buildx) return [[...buildx, 'create', ...tags.flatMap((t) => ['--tag', `${repository}:${t}`]), ...refs]]
  // `docker manifest` talks to the registry itself, and only plain HTTP to loopback when told, as the engine does.
  const insecure = isLoopback(registryOf(repository)) ? ['--insecure'] : []
  return tags.flatMap((t) => [
    ['manifest', 'create', ...insecure, '--amend', `${repository}:${t}`, ...refs],
    ['manifest', 'push', ...insecure, '--purge', `${repository}:${t}`]
  ])
}

/** A registry on this machine, which the engine lets speak plain HTTP (its default insecure registries). */
function isLoopback(host: string): boolean {
  return /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/.test(host)
}
