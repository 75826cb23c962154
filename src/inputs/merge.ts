// One image from many runners: `merge: part` makes a build job of a matrix push its
// one platform as a part, under a tag of the commit and the platform
// (`sha-abc1234-linux-arm64`); `merge: linux/amd64, linux/arm64` makes the merge
// job find every part of this commit and put them into one index under the real
// tags. Pure: the input (the part tags are tags.ts's, the merge's steps the plan's).
import { isPlatform } from '../domain/image.js'
import type { Environment } from '../runner/environment.js'
import type { RawInputs } from './names.js'
import { parseList } from './parse.js'
import type { Report } from './parse.js'

export type Merge = { kind: 'part'; platform: string } | { kind: 'index'; platforms: string[] }

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
  const bad = platforms.filter((p) => !isPlatform(p))
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
  'cache-to',
  'secrets'
] as const
