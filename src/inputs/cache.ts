// The build cache inputs: `cache-from` and `cache-to` in build-push-action's syntax
// (`type=registry,ref=…,mode=max`, `type=inline`, `type=gha`, `type=local,dest=…`,
// or an image reference alone for cache-from), and `cache`, the one word for the
// common case (cache.ts of plan/ makes its specs). What each builder can export is
// checked here, before any docker command. Pure.
import type { RawInputs } from './names.js'
import { parseLines } from './parse.js'
import type { Report } from './parse.js'
import type { Lowercased, WithLowercased } from './repositories.js'
import { lowercaseReference, parseImageReference } from '../domain/reference.js'

/** One cache source or destination: its type and attributes, in the order written. */
export interface CacheSpec {
  type: string
  attrs: [string, string][]
}

/** The one-word cache: none, the image's registry, or the GitHub Actions cache. */
export type CacheMode = 'false' | 'registry' | 'gha'

const TYPES = ['registry', 'inline', 'gha', 'local', 's3', 'azblob']

/** `type=registry,ref=…,mode=max` as buildx takes it. */
export function renderSpec(spec: CacheSpec): string {
  return [`type=${spec.type}`, ...spec.attrs.map(([k, v]) => `${k}=${v}`)].join(',')
}

/** The value of an attribute, or undefined. */
export function attrOf(spec: CacheSpec, key: string): string | undefined {
  return spec.attrs.find(([k]) => k === key)?.[1]
}

/** `k=v,k=v` (a value in double quotes may hold commas), or undefined when a field has no `=`. */
function fieldsOf(line: string): [string, string][] | undefined {
  const fields: [string, string][] = []
  for (const part of line.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const eq = part.indexOf('=')
    if (eq <= 0) return undefined
    fields.push([
      part.slice(0, eq).trim(),
      part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
    ])
  }
  return fields
}

/**
 * cache-from or cache-to: one spec per line (an image reference alone is
 * `type=registry,ref=<it>`, for cache-from), the references lowercased as images are.
 */
export function parseCacheSpecs(
  raw: RawInputs,
  input: 'cache-from' | 'cache-to',
  report: Report
): WithLowercased<CacheSpec[]> {
  const specs: CacheSpec[] = []
  const lowercased: Lowercased[] = []
  const fix =
    input === 'cache-from'
      ? 'list image references such as ghcr.io/org/app:buildcache, or buildx cache specs such as type=registry,ref=ghcr.io/org/app:buildcache or type=gha, one per line'
      : 'write buildx cache specs such as type=registry,ref=ghcr.io/org/app:buildcache,mode=max, type=inline or type=gha, one per line'
  for (const line of parseLines(raw[input])) {
    // A reference has no `=`; a spec has, and must say its type.
    const bare = !line.includes('=')
    // A reference alone, or several on one line separated by commas (as cache-from took them).
    const entries: [string, string][][] =
      bare && input === 'cache-from'
        ? line
            .split(',')
            .map((r) => r.trim())
            .filter((r) => r !== '')
            .map((ref) => [
              ['type', 'registry'],
              ['ref', ref]
            ])
        : [fieldsOf(line) ?? []]
    for (const fields of entries) {
      const type = fields.find(([k]) => k === 'type')?.[1]
      if (type === undefined || !TYPES.includes(type)) {
        report.problem(
          input,
          `'${line}' is not a cache spec${type ? ` (buildx knows no cache type ${type})` : ''}`,
          fix
        )
        continue
      }
      const attrs = fields.filter(([k]) => k !== 'type')
      const ref = attrs.find(([k]) => k === 'ref')
      if (type === 'registry') {
        if (ref === undefined) {
          report.problem(input, `'${line}' has no ref=`, fix)
          continue
        }
        const lowered = lowercaseReference(ref[1])
        if (!lowered.ok) {
          report.problem(input, lowered.problem, lowered.fix)
          continue
        }
        const checked = parseImageReference(lowered.value)
        if (!checked.ok) {
          report.problem(input, checked.problem, `${checked.fix}; ${fix}`)
          continue
        }
        if (checked.value !== ref[1]) lowercased.push({ input, written: ref[1], used: checked.value })
        ref[1] = checked.value
      }
      const mode = attrs.find(([k]) => k === 'mode')?.[1]
      if (mode !== undefined && mode !== 'min' && mode !== 'max') {
        report.problem(
          input,
          `'${line}' has mode=${mode}`,
          'write mode=min (the image’s own layers) or mode=max (every stage)'
        )
        continue
      }
      if (type === 'local' && !attrs.some(([k]) => k === (input === 'cache-to' ? 'dest' : 'src'))) {
        report.problem(
          input,
          `'${line}' names no folder`,
          `write type=local,${input === 'cache-to' ? 'dest' : 'src'}=<folder>`
        )
        continue
      }
      if (!specs.some((s) => renderSpec(s) === renderSpec({ type, attrs }))) specs.push({ type, attrs })
    }
  }
  return { value: specs, lowercased }
}

/** `cache`: false (the default), registry or gha. */
export function parseCacheMode(raw: RawInputs, report: Report): CacheMode {
  const value = raw.cache.toLowerCase()
  if (value === '' || value === 'false' || value === 'none') return 'false'
  if (value === 'registry' || value === 'gha') {
    if (raw['cache-to'] !== '' || raw['cache-from'] !== '') {
      report.problem(
        'cache',
        `cache: ${value} reads and writes the cache itself, and cache-from or cache-to is set too`,
        'give either the one word (cache) or the specs (cache-from, cache-to)'
      )
    }
    return value
  }
  report.problem(
    'cache',
    `'${raw.cache}' is not false, registry or gha`,
    'write registry (a cache beside the image, in its registry), gha (the GitHub Actions cache), or false'
  )
  return 'false'
}

/** The builders, by what they can export (inputs/builder.ts tells which a build uses). */
export type CacheExporter =
  /** No cache export at all: the classic builder. */
  | 'none'
  /** Only a cache inside the image: an older CLI's BuildKit, buildx's docker driver on the classic store. */
  | 'inline'
  /** Every backend: a BuildKit outside the engine, or the docker driver on the containerd store. */
  | 'all'

/** cache-to's specs that the builder cannot export: each a problem naming the fix. */
export function checkCacheTo(specs: CacheSpec[], exporter: CacheExporter, builderName: string, report: Report): void {
  for (const spec of specs) {
    if (exporter === 'all' || (exporter === 'inline' && spec.type === 'inline')) continue
    report.problem(
      'cache-to',
      exporter === 'none'
        ? `${builderName} exports no cache (${renderSpec(spec)})`
        : `${builderName} can export only an inline cache (type=inline), not ${renderSpec(spec)}`,
      exporter === 'none'
        ? 'remove cache-to: with the classic builder, cache-from with the last pushed image is the cache there is; or install buildx (docker/setup-buildx-action)'
        : 'add a docker/setup-buildx-action step before this one (its builder exports every cache type), turn on the containerd image store, or write cache-to: type=inline'
    )
  }
}

/**
 * What the build's builder can export: the classic builder nothing, an older CLI's
 * BuildKit and buildx's docker driver on the classic store only an inline cache,
 * everything else every backend. Undefined while the docker driver's image store
 * is not known (it is probed first: needsImageStore).
 */
export function cacheExporter(
  env: { buildx: boolean; buildkitEnv: boolean; containerdStore?: boolean },
  driver: string | undefined
): CacheExporter | undefined {
  if (!env.buildx) return env.buildkitEnv ? 'inline' : 'none'
  if (driver !== 'docker') return 'all'
  return env.containerdStore === undefined ? undefined : env.containerdStore ? 'all' : 'inline'
}

const BUILDER_NAMES: Record<CacheExporter, string> = {
  none: 'the classic builder',
  inline: "this builder (buildx's docker driver on the classic image store, or the CLI's built-in BuildKit)",
  all: 'this builder'
}

/** The cache inputs the builder cannot honour: each a problem with its fix, before any docker command. */
export function checkCache(
  specs: { cacheFrom: CacheSpec[]; cacheTo: CacheSpec[]; cache: CacheMode },
  exporter: CacheExporter | undefined,
  report: Report
): void {
  if (exporter === undefined) return
  checkCacheTo(specs.cacheTo, exporter, BUILDER_NAMES[exporter], report)
  if (exporter === 'none') {
    for (const spec of specs.cacheFrom.filter((s) => s.type !== 'registry')) {
      report.problem(
        'cache-from',
        `the classic builder reads no ${spec.type} cache (${renderSpec(spec)}), only images it pulls`,
        'give the image reference of the last pushed image, or install buildx (docker/setup-buildx-action)'
      )
    }
  }
  if (specs.cache === 'gha' && exporter !== 'all') {
    report.problem(
      'cache',
      `${BUILDER_NAMES[exporter]} cannot read or write the GitHub Actions cache`,
      'add a docker/setup-buildx-action step before this one, or write cache: registry (the best this builder has)'
    )
  }
}

/** Whether the cache inputs wait on the docker driver's image store to be known. */
export function cacheNeedsImageStore(build: { cacheTo: CacheSpec[]; cache: CacheMode }): boolean {
  return build.cache !== 'false' || build.cacheTo.some((s) => s.type !== 'inline')
}
