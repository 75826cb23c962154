// The user's docker config (`$DOCKER_CONFIG/config.json`, else ~/.docker), read
// once: the logins it has, its credential store and helpers, and where its CLI
// plugins are. The run never writes it; credentials.ts seeds the run's own
// config from the same parsed JSON.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { registryHost } from '../domain/reference.js'

/** config.json as parsed; the keys this project reads are typed, the rest is carried over as it is. */
export type ConfigJson = Record<string, unknown> & {
  auths?: Record<string, unknown>
  credHelpers?: Record<string, unknown>
  credsStore?: unknown
  cliPluginsExtraDirs?: unknown
}

export interface UserDockerConfig {
  /** The folder: $DOCKER_CONFIG, else ~/.docker. */
  dir: string
  /** Its config.json, parsed ({} when there is none or it is not JSON). */
  json: ConfigJson
  /** The registries it has a login or credential helper for (`auths`, `credHelpers`), normalised. */
  registries: string[]
  /** Its `credsStore`, when set: a store that may hold logins of any registry. */
  credsStore: string | undefined
  /** Where the docker CLI looks for its plugins, as the CLI itself does. */
  pluginDirs: string[]
}

function objectKeys(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? Object.keys(value) : []
}

export function readDockerConfig(dir: string): UserDockerConfig {
  let json: ConfigJson = {}
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as ConfigJson
  } catch {
    // no config, or not JSON: docker uses its defaults too
  }
  const registries = [...objectKeys(json.auths), ...objectKeys(json.credHelpers)].map((key) => registryHost(key).host)
  const extra = Array.isArray(json.cliPluginsExtraDirs)
    ? json.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string')
    : []
  return {
    dir,
    json,
    registries: [...new Set(registries)],
    credsStore: typeof json.credsStore === 'string' && json.credsStore !== '' ? json.credsStore : undefined,
    // The config's cliPluginsExtraDirs, the config folder's cli-plugins (where
    // docker/setup-buildx-action puts buildx), then the system folders.
    pluginDirs: [
      ...extra,
      path.join(dir, 'cli-plugins'),
      '/usr/local/lib/docker/cli-plugins',
      '/usr/local/libexec/docker/cli-plugins',
      '/usr/lib/docker/cli-plugins',
      '/usr/libexec/docker/cli-plugins'
    ]
  }
}
