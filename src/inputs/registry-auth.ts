// The `registry-auth` input: login-action's YAML list of logins, one entry per
// registry, each with `registry`, `username` and `password`:
//
//   registry-auth: |
//     - registry: docker.io
//       username: ${{ vars.DOCKERHUB_USERNAME }}
//       password: ${{ secrets.DOCKERHUB_TOKEN }}
//     - registry: ghcr.io
//       username: ${{ github.actor }}
//       password: ${{ secrets.GITHUB_TOKEN }}
//
// The values arrive with the secrets already expanded into the text, so a general
// YAML parser would read a password holding `: `, ` #` or a leading `*` as YAML
// and change it. This reads only that shape: a value is the rest of its line,
// trimmed, with one pair of surrounding quotes removed. Anything else is refused by
// its line number (never its text: it may hold a password). Pure.
import type { Report } from './parse.js'

export interface Credentials {
  registry: string
  username: string
  password: string
}

const KEYS = ['registry', 'username', 'password'] as const
type Key = (typeof KEYS)[number]

/** A value with one pair of matching quotes around it removed (YAML's '' inside single quotes is one '). */
function unquoted(value: string): string {
  const quote = value[0]
  if (value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote)) {
    const inner = value.slice(1, -1)
    return quote === "'" ? inner.replace(/''/g, "'") : inner
  }
  return value
}

/**
 * The entries, each field as written (the registry is validated and normalised
 * by the caller). Every password is masked, also that of a bad entry.
 */
export function parseRegistryAuth(value: string, report: Report): (Partial<Credentials> & { line: number })[] {
  const entries: (Partial<Credentials> & { line: number })[] = []
  const fix =
    'write one entry per registry: a line "- registry: host", then "  username: …" and "  password: …" below it, as login-action takes it'
  value.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\s+$/, '')
    if (line.trim() === '' || /^\s*#/.test(line)) return
    const m = /^(\s*)(- +)?([A-Za-z-]+):(?:\s+([\s\S]*))?$/.exec(line)
    const key = m?.[3] as Key | undefined
    if (!m || !KEYS.includes(key as Key) || (m[2] === undefined && entries.length === 0)) {
      // The line may hold a password: mask what follows the first colon, and say only where it is.
      const colon = line.indexOf(':')
      if (colon >= 0) report.mask(unquoted(line.slice(colon + 1).trim()))
      report.problem('registry-auth', `line ${index + 1} is not a registry, username or password line`, fix)
      return
    }
    if (m[2] !== undefined) entries.push({ line: index + 1 })
    const entry = entries[entries.length - 1]
    const text = unquoted((m[4] ?? '').trim())
    if (key === 'password') report.mask(text)
    if (entry[key as Key] !== undefined) {
      report.problem('registry-auth', `the entry of line ${entry.line} gives ${key} twice`, fix)
      return
    }
    entry[key as Key] = text
  })
  // As with the username and password inputs: an entry without both logs in to nothing, with a warning.
  return entries.filter((entry) => {
    const missing = KEYS.filter((k) => k !== 'registry' && (entry[k] ?? '') === '')
    if (missing.length > 0) {
      report.warn(
        'registry-auth',
        `The registry-auth entry of line ${entry.line} has no ${missing.join(' and no ')}, so the action does not log in to ${entry.registry || 'docker.io'} (a secret is empty on pull requests from forks).`
      )
    }
    return missing.length === 0
  })
}
