// This run's own DOCKER_CONFIG: the only place `docker login` writes the
// credentials. The user's config is read (never written) to carry over what the
// CLI needs from it: other registries' logins, CLI plugins (buildx), contexts,
// aliases. Removed at the end of the run and again by the post step.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { normalizeRegistry } from '../domain/reference.js'

type ConfigJson = Record<string, unknown> & {
  auths?: Record<string, unknown>
  credHelpers?: Record<string, unknown>
  credsStore?: unknown
}

function hostOf(key: string): string {
  return normalizeRegistry(key.replace(/^https?:\/\//, '').replace(/\/.*$/, ''))
}

/**
 * The user's config.json, made safe for this run: no `credsStore` and no
 * credential helper or stored login for the registries the run logs in to, so
 * `docker login` writes the new credentials into this run's folder and nowhere
 * else. Pure.
 */
export function seedConfig(user: ConfigJson, registries: string | string[]): ConfigJson {
  const ours = new Set(typeof registries === 'string' ? [registries] : registries)
  const seed: ConfigJson = { ...user }
  delete seed.credsStore
  const others = (entries: Record<string, unknown> | undefined) =>
    entries && Object.fromEntries(Object.entries(entries).filter(([key]) => !ours.has(hostOf(key))))
  if (user.auths) seed.auths = others(user.auths)
  if (user.credHelpers) seed.credHelpers = others(user.credHelpers)
  return seed
}

function readUserConfig(dir: string): ConfigJson {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))
    return parsed !== null && typeof parsed === 'object' ? (parsed as ConfigJson) : {}
  } catch {
    return {}
  }
}

/**
 * Makes `<parent>/docker-config` (mode 0700) for this run, seeded from the
 * user's config folder `user`, and returns the environment every docker command
 * of the run gets. `buildxConfig` keeps buildx's builders where they are.
 */
export function createDockerConfig(
  parent: string,
  registries: string[],
  user: string,
  buildxConfig: string
): { dir: string; env: Record<string, string> } {
  const dir = path.join(parent, 'docker-config')
  fs.mkdirSync(dir, { mode: 0o700 })
  const seed = seedConfig(readUserConfig(user), registries)
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(seed, null, 2), { mode: 0o600 })
  for (const shared of ['cli-plugins', 'contexts']) {
    const target = path.join(user, shared)
    if (fs.existsSync(target)) fs.symlinkSync(target, path.join(dir, shared))
  }
  // buildx keeps its builders under $DOCKER_CONFIG/buildx unless told otherwise.
  return { dir, env: { DOCKER_CONFIG: dir, BUILDX_CONFIG: buildxConfig } }
}
