// This run's own DOCKER_CONFIG: the only place `docker login` writes the
// credentials. The user's config is read (never written) to carry over what the
// CLI needs from it: other registries' logins, CLI plugins (buildx), contexts,
// aliases. Removed at the end of the run and again by the post step.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { DOCKER_HUB, registryHost } from '../domain/reference.js'
import type { ConfigJson, UserDockerConfig } from '../runner/docker-config.js'

/** The key docker files a registry's login under: Docker Hub's index URL, else the host. */
export function loginKey(registry: string): string {
  return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry
}

/**
 * The user's config.json, made safe for this run: no credential helper or stored
 * login for the registries the run logs in to, so `docker login` writes the new
 * credentials into this run's folder and nowhere else. The user's credential
 * store (`credsStore`: desktop, ecr-login, pass…) stays for every other registry;
 * the run's own registries are routed to this config file by an empty helper name
 * in `credHelpers`, which docker reads before `credsStore`. Pure.
 */
export function seedConfig(user: ConfigJson, registries: string | string[]): ConfigJson {
  const list = typeof registries === 'string' ? [registries] : registries
  const ours = new Set(list)
  const seed: ConfigJson = { ...user }
  const others = (entries: Record<string, unknown> | undefined) =>
    entries && Object.fromEntries(Object.entries(entries).filter(([key]) => !ours.has(registryHost(key).host)))
  if (user.auths) seed.auths = others(user.auths)
  if (user.credHelpers) seed.credHelpers = others(user.credHelpers)
  if (typeof user.credsStore === 'string' && user.credsStore !== '' && list.length > 0) {
    seed.credHelpers = { ...seed.credHelpers, ...Object.fromEntries(list.map((r) => [loginKey(r), ''])) }
  }
  return seed
}

/**
 * Makes `<parent>/docker-config` (mode 0700) for this run, seeded from the
 * user's config folder `user`, and returns the environment every docker command
 * of the run gets. `buildxConfig` keeps buildx's builders where they are. The
 * user's config.json is the one environment.ts read (docker-config.ts).
 */
export function createDockerConfig(
  parent: string,
  registries: string[],
  user: UserDockerConfig,
  buildxConfig: string,
  plugins?: string
): { dir: string; env: Record<string, string> } {
  const dir = path.join(parent, 'docker-config')
  fs.mkdirSync(dir, { mode: 0o700 })
  const seed = seedConfig(user.json, registries)
  // A run's own plugin folder (buildx-version) holds every plugin the CLI is to find, first.
  if (plugins !== undefined) delete seed.cliPluginsExtraDirs
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(seed, null, 2), { mode: 0o600 })
  const plugged = plugins ?? path.join(user.dir, 'cli-plugins')
  if (fs.existsSync(plugged)) fs.symlinkSync(plugged, path.join(dir, 'cli-plugins'))
  const contexts = path.join(user.dir, 'contexts')
  if (fs.existsSync(contexts)) fs.symlinkSync(contexts, path.join(dir, 'contexts'))
  // buildx keeps its builders under $DOCKER_CONFIG/buildx unless told otherwise.
  return { dir, env: { DOCKER_CONFIG: dir, BUILDX_CONFIG: buildxConfig } }
}
