// The logins: the `registry` input with `username` and `password`, and the
// `registry-auth` list (registry-auth.ts), one login per registry; and whether a
// fork's pull request can push at all. Pure: the user's docker config comes in
// through the environment.
import { DOCKER_HUB, isValidDomain, registryHost } from '../domain/reference.js'
import type { Repository } from '../domain/reference.js'
import type { Environment } from '../runner/environment.js'
import type { RawInputs } from './names.js'
import type { Report } from './parse.js'
import { parseRegistryAuth } from './registry-auth.js'
import type { Credentials } from './registry-auth.js'

/**
 * A registry host[:port]; a URL such as https://index.docker.io/v1/ is reduced to
 * its host (registryHost), normalised (`docker.io` for Docker Hub and its aliases).
 */
export function parseRegistry(value: string, report: Report, input: 'registry' | 'registry-auth' = 'registry'): string {
  if (value === '') return DOCKER_HUB
  const { written, host, path } = registryHost(value)
  if (path !== '' || !isValidDomain(written)) {
    report.problem(
      input,
      `'${value}' is not a registry host`,
      'write a host with an optional port from 1 to 65535, such as ghcr.io or localhost:5000'
    )
  }
  return host
}

/** The logins: the username and password inputs (to `registry`), then registry-auth's, one per registry. */
export function parseLogins(raw: RawInputs, registry: string, report: Report): Credentials[] {
  const single = parseCredentials(raw, report)
  const logins: Credentials[] = single ? [{ registry, ...single }] : []
  for (const entry of parseRegistryAuth(raw['registry-auth'], report)) {
    const host = parseRegistry(entry.registry ?? '', report, 'registry-auth')
    if (logins.some((l) => l.registry === host)) {
      report.problem(
        'registry-auth',
        `${host} is logged in to twice (line ${entry.line}${single && host === registry ? ', and by the username and password inputs' : ''})`,
        'give each registry one login'
      )
    } else logins.push({ registry: host, username: entry.username ?? '', password: entry.password ?? '' })
  }
  return logins
}

function parseCredentials(raw: RawInputs, report: Report): { username: string; password: string } | undefined {
  // HTTP basic authentication, which every registry login ends in, cannot carry a ':' in the user name.
  if (/[\s:]/.test(raw.username)) {
    report.problem(
      'username',
      `'${raw.username}' has ${raw.username.includes(':') ? "a ':'" : 'white space'}, which no registry user name can hold`,
      'give the user name alone (the password or token goes in password)'
    )
  }
  if (raw.username !== '' && raw.password !== '') return { username: raw.username, password: raw.password }
  if (raw.username !== '' || raw.password !== '') {
    const [set, unset] = raw.username !== '' ? (['username', 'password'] as const) : (['password', 'username'] as const)
    report.warn(
      unset,
      `Input '${set}' is set but '${unset}' is empty, so the action does not log in (a secret is empty on pull requests from forks).`
    )
  }
  return undefined
}

/**
 * A pull request from a fork gets no secrets, so a push without credentials to a
 * registry the docker config has no login for would fail after the whole build:
 * the image is built and not pushed, with a warning that says how to fix the
 * workflow. The reason (for the summary), or undefined when the push goes ahead.
 */
export function forkWithoutLogin(
  env: Environment,
  logins: Credentials[],
  images: Repository[],
  report: Report
): string | undefined {
  const fork = env.event.fork
  const config = env.dockerConfig
  if (fork === undefined || config.credsStore !== undefined) return undefined
  const without = [...new Set(images.map((i) => i.domain))].filter(
    (r) => !logins.some((l) => l.registry === r) && !config.registries.includes(r)
  )
  if (without.length === 0) return undefined
  const reason = `a pull request from the fork ${fork} gets no secrets, and there is no login for ${without.join(', ')}`
  report.warn(
    'push',
    `Not pushing: ${reason}, so the push would fail. The image is built, and the outputs say nothing was pushed. Fix: push only outside pull requests (push: \${{ github.event_name != 'pull_request' }}), or give username and password for a registry that fork pull requests may push to.`
  )
  return reason
}
