// The build cache of the plan: the specs given (cache-from, cache-to), or those the
// one word makes (cache: registry or gha), each as the builder can take it. Pure.
//
// The one word keys the cache by branch: a run reads its own branch's cache, its
// pull request's base branch's and the default branch's, and writes its own, so a
// branch starts from the default branch's layers without ever overwriting them.
// `registry` keeps them beside the first image (`<repo>:buildcache-<branch>`); `gha`
// in the GitHub Actions cache (`scope=<branch>`). Builders that cannot export a cache
// of their own use the last pushed image of those branches instead.
import type { GitEvent } from '../domain/event.js'
import { TAG_MAX } from '../domain/reference.js'
import type { BuildInputs } from '../inputs/build.js'
import { renderSpec } from '../inputs/cache.js'
import type { CacheExporter } from '../inputs/cache.js'
import { affixed, tagOf } from '../inputs/tags.js'
import type { Variant } from '../inputs/tags.js'

export interface BuildCachePlan {
  /** `--cache-from` values, as buildx (or docker build) takes them. */
  from: string[]
  /** `--cache-to` values (buildx only). */
  to: string[]
  /** BUILDKIT_INLINE_CACHE: the image itself carries its cache (BuildKit without buildx's --cache-to). */
  inline: boolean
  /** Images the classic builder must pull before it can use them as cache. */
  pulls: string[]
}

/** The branches a run's cache is keyed by: the one it writes first, then the others it reads. */
export function cacheBranches(event: GitEvent): string[] {
  const branch = event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : undefined
  const own = event.pullRequest !== undefined ? `pr-${event.pullRequest}` : (branch ?? event.defaultBranch ?? 'default')
  return [
    ...new Set([own, event.baseBranch, event.defaultBranch].filter((b): b is string => b !== undefined && b !== ''))
  ]
}

/** The image tag a branch's build pushes (tags: auto), which carries an inline cache. */
function imageTagOf(branch: string, variant: Variant): string {
  return affixed(tagOf(branch), variant)
}

/** `buildcache-<branch>`, a valid tag. */
export function cacheTagOf(branch: string): string {
  return `buildcache-${tagOf(branch)}`.slice(0, TAG_MAX)
}

export interface CacheFacts {
  exporter: CacheExporter
  /** buildx builds (--cache-to exists); else docker build. */
  buildx: boolean
  push: boolean
  /** The first image's repository: where the registry cache lives. */
  repository: string
  event: GitEvent
  variant: Variant
  /**
   * The first tag this run pushes: with the image as the cache, the next run with the
   * same tags reads it, also where `tags` names no branch (`stable`, `1.2.3`).
   */
  ownTag?: string
}

export function cachePlan(build: BuildInputs, facts: CacheFacts): BuildCachePlan {
  const { exporter, buildx } = facts
  if (build.cache === 'false') {
    const from = build.cacheFrom.map((s) =>
      s.type === 'registry' && s.attrs.length === 1 ? (s.attrs[0]?.[1] ?? '') : renderSpec(s)
    )
    const to = build.cacheTo.filter((s) => buildx || s.type !== 'inline').map(renderSpec)
    return {
      from,
      to,
      // With BuildKit the image carries its cache metadata, so the next run can use it as cache-from.
      inline: exporter !== 'none' && (build.cacheFrom.length > 0 || (!buildx && build.cacheTo.length > 0)),
      pulls: exporter === 'none' ? build.cacheFrom.map((s) => s.attrs.find(([k]) => k === 'ref')?.[1] ?? '') : []
    }
  }
  const [own, ...others] = cacheBranches(facts.event)
  const branches = [own, ...others]
  if (exporter === 'all') {
    const where = (branch: string): string =>
      build.cache === 'gha'
        ? `type=gha,scope=${tagOf(branch)}`
        : `type=registry,ref=${facts.repository}:${cacheTagOf(branch)}`
    // A cache that cannot be written (a registry that refuses it) does not fail a build that succeeded.
    return {
      from: branches.map(where),
      to: facts.push ? [`${where(own)},mode=max,ignore-error=true`] : [],
      inline: false,
      pulls: []
    }
  }
  // The image itself is the cache: the branches' last pushed images, and this one carries its cache inline.
  const [ownImage, ...otherImages] = branches.map((b) => `${facts.repository}:${imageTagOf(b, facts.variant)}`)
  const runImage = facts.ownTag === undefined ? [] : [`${facts.repository}:${facts.ownTag}`]
  const images = [...new Set([ownImage, ...runImage, ...otherImages])]
  return {
    from: images,
    to: buildx && facts.push ? ['type=inline'] : [],
    inline: exporter === 'inline' && !buildx,
    pulls: exporter === 'none' ? images : []
  }
}
