// Which buildx builder a build will use, and its driver, read from buildx's own
// store on disk (the folder BUILDX_CONFIG, else the docker config's buildx/) the
// way buildx itself chooses it: the builder named (`builder` input, BUILDX_BUILDER),
// else the `current` file's when it is global or for this docker endpoint, else
// the endpoint's default, else the docker context (the docker driver). Reading the
// files costs nothing; `docker buildx inspect` costs half a second, as it asks the
// builder. Pure but for the reads; an unreadable store is the docker driver, which
// is what buildx falls back to as well.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ConfigJson } from './docker-config.js'

/** The driver of the builder in use: `docker` (the engine's own BuildKit), or one outside the engine. */
export type BuilderDriver = 'docker' | 'docker-container' | 'remote' | 'kubernetes' | 'cloud' | string

export interface BuildxStore {
  /** The builder buildx uses when none is named: its name ('' for the docker context). */
  current: string
  /** Each builder instance of the store, by its lowercase name, with its driver. */
  drivers: Record<string, BuilderDriver>
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown
  } catch {
    return undefined
  }
}

/**
 * The key buildx files the current builder under: the docker context's name, or
 * for the default context its endpoint (DOCKER_HOST, else the default socket).
 */
export function endpointKey(vars: Record<string, string | undefined>, config: ConfigJson): string {
  const context = vars.DOCKER_HOST
    ? 'default'
    : vars.DOCKER_CONTEXT || (typeof config.currentContext === 'string' ? config.currentContext : '') || 'default'
  if (context !== 'default') return context
  return vars.DOCKER_HOST || 'unix:///var/run/docker.sock'
}

export function readBuildxStore(dir: string, key: string): BuildxStore {
  const drivers: Record<string, BuilderDriver> = {}
  let names: string[] = []
  try {
    names = fs.readdirSync(path.join(dir, 'instances'))
  } catch {
    // no store yet: every builder is a docker context
  }
  for (const name of names) {
    const group = readJson(path.join(dir, 'instances', name)) as { Driver?: unknown } | undefined
    if (typeof group?.Driver === 'string') drivers[name.toLowerCase()] = group.Driver
  }
  const current = readJson(path.join(dir, 'current')) as { Key?: unknown; Name?: unknown; Global?: unknown } | undefined
  const named = typeof current?.Name === 'string' ? current.Name.toLowerCase() : ''
  if (named !== '' && drivers[named] !== undefined && (current?.Global === true || current?.Key === key)) {
    return { current: named, drivers }
  }
  // `buildx use --default` files the endpoint's default under a hash of its key.
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 20)
  let fallback = ''
  try {
    fallback = fs
      .readFileSync(path.join(dir, 'defaults', hash), 'utf8')
      .trim()
      .toLowerCase()
  } catch {
    // none
  }
  return { current: drivers[fallback] === undefined ? '' : fallback, drivers }
}

/** The driver of the builder `name` ('' for buildx's own choice); a name the store does not hold is a docker context. */
export function driverOf(store: BuildxStore, name: string): BuilderDriver {
  const chosen = name === '' ? store.current : name.toLowerCase()
  return store.drivers[chosen] ?? 'docker'
}
