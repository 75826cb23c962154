// Build secrets and the build args that look like them. A secret reaches the build
// as a secret mount, never in argv or the image; a build arg is stored in the image
// history for anyone who pulls it, so one named like a credential is warned about.
// Pure: the Dockerfile's text comes in as a string.
import * as path from 'node:path'
import type { KeyValue, Report } from './parse.js'

/** A secret as written: its id and value, the line it starts on, and the line's text when it is one line. */
export interface ParsedSecret {
  id: string
  value: string
  line: number
  text: string | undefined
}

/**
 * One secret per `id=VALUE` line, or a value of several lines as `id<<EOF`, its
 * lines, then `EOF` (the form of the runner's own GITHUB_OUTPUT). A bad line is
 * reported by its number only: it may be part of a secret, and problems are
 * printed. Every value is masked.
 */
export function parseSecrets(value: string, report: Report): ParsedSecret[] {
  const secrets: ParsedSecret[] = []
  const lines = value.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const number = i + 1
    if (line.trim() === '') continue
    let id: string
    let secret: string
    const heredoc = /^\s*([A-Za-z0-9_.-]+)<<(\S+)\s*$/.exec(line)
    if (heredoc) {
      const end = lines.findIndex((l, j) => j > i && l.trim() === heredoc[2])
      if (end < 0) {
        report.mask(lines.slice(i + 1).join('\n'))
        report.problem(
          'secrets',
          `line ${number} starts a value with <<${heredoc[2]}, but no line ${heredoc[2]} ends it`,
          `end the value with a line holding only ${heredoc[2]}`
        )
        break
      }
      id = heredoc[1]
      secret = lines.slice(i + 1, end).join('\n')
      report.mask(secret)
      i = end
    } else {
      const eq = line.indexOf('=')
      id = eq < 0 ? '' : line.slice(0, eq).trim()
      secret = line.slice(eq + 1)
      if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
        report.mask(line)
        report.problem(
          'secrets',
          `line ${number} is not an id=VALUE line (its text is not shown, as it may be a secret)`,
          'write one id=VALUE per line, the id made of letters, digits, _ . and -, such as npm_token=${{ secrets.NPM_TOKEN }}, or a value of several lines as id<<EOF, its lines, then EOF'
        )
        continue
      }
    }
    if (secrets.some((s) => s.id === id)) {
      // Likely a piece of a longer value too (a second always-auth=true): masked whole, not its tail.
      report.mask(heredoc ? secret : line)
      report.problem('secrets', `the id '${id}' is given twice`, 'give each secret its own id')
    } else secrets.push({ id, value: secret, line: number, text: heredoc ? undefined : line })
  }
  return secrets
}

/**
 * The secret ids the Dockerfile's `RUN --mount=type=secret,…` flags use (an id,
 * or the target's file name, as BuildKit defaults it); undefined when one is
 * written with a variable, so the ids cannot be known.
 */
export function mountedSecrets(dockerfile: string): Set<string> | undefined {
  const ids = new Set<string>()
  for (const match of dockerfile.matchAll(/--mount=(\S+)/g)) {
    const options = Object.fromEntries(
      match[1].split(',').map((pair) => {
        const eq = pair.indexOf('=')
        return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]
      })
    )
    if (options.type !== 'secret') continue
    const target = options.target ?? options.dst ?? options.destination
    const id = options.id ?? (target === undefined ? undefined : path.posix.basename(target))
    if (id === undefined || id.includes('$')) return undefined
    ids.add(id)
  }
  return ids
}

/**
 * Masks every secret, and checks each is one the Dockerfile mounts (when the
 * Dockerfile can be read). A line it does not mount is most often the next line
 * of a value of several lines (a wrapped key, an .npmrc) that the runner expanded
 * into the input: it would otherwise become a secret of its own, named by a piece
 * of the real one.
 */
export function checkSecretsMounted(
  secrets: ParsedSecret[],
  dockerfile: string | undefined,
  fileName: string,
  report: Report
): void {
  const mounted = dockerfile === undefined ? undefined : mountedSecrets(dockerfile)
  const unmounted = mounted === undefined ? [] : secrets.filter((s) => !mounted.has(s.id))
  // A one-line value is masked; a line that is likely a piece of a longer value is masked whole,
  // so that its tail (`true`, `=`) is not hidden everywhere in the job's log.
  for (const secret of secrets) report.mask(unmounted.includes(secret) ? (secret.text ?? secret.value) : secret.value)
  for (const secret of unmounted) {
    report.problem(
      'secrets',
      `line ${secret.line} gives a secret that no RUN --mount=type=secret in ${fileName} uses (the line is not shown, as it may be part of a secret)`,
      'if a value has several lines, write it as id<<EOF, its lines, then EOF; otherwise mount the secret (RUN --mount=type=secret,id=…) or remove the line'
    )
  }
}

/** Words of a name that make it a credential on their own; KEY only after one of KEY_KINDS (CACHE_KEY is not one). */
const CREDENTIAL_WORDS = new Set([
  'TOKEN',
  'PAT',
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PWD',
  'SECRET',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'AUTH',
  'APIKEY',
  'PRIVATEKEY'
])
const KEY_KINDS = new Set([
  'API',
  'ACCESS',
  'PRIVATE',
  'SECRET',
  'SIGNING',
  'SSH',
  'GPG',
  'ENCRYPTION',
  'MASTER',
  'CLIENT',
  'LICENSE',
  'DEPLOY'
])

/** The words of a name: split at `_`, `-`, `.` and lower-to-upper case changes, in upper case. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[_.-]+/)
    .filter((w) => w !== '')
    .map((w) => w.toUpperCase())
}

/** Whether a build arg's name says it holds a credential (GH_PAT, DB_PASS, NPM_CONFIG__AUTH; not KEYCLOAK_URL or CACHE_KEY_PREFIX). */
export function looksLikeCredential(name: string): boolean {
  const words = wordsOf(name)
  return words.some((w, i) => CREDENTIAL_WORDS.has(w) || (w === 'KEY' && i > 0 && KEY_KINDS.has(words[i - 1])))
}

/**
 * Whether the Dockerfile turns BuildKit's own check off, with the directive
 * BuildKit reads: `# check=skip=SecretsUsedInArgOrEnv` (or `skip=all`).
 */
export function skipsSecretsCheck(dockerfile: string): boolean {
  for (const line of dockerfile.split(/\r?\n/)) {
    const directive = /^#\s*check\s*=\s*(.*)$/i.exec(line.trim())
    if (directive) {
      const skip = /(?:^|;)\s*skip\s*=\s*([^;]*)/i.exec(directive[1])?.[1] ?? ''
      return skip.split(',').some((rule) => ['all', 'secretsusedinargorenv'].includes(rule.trim().toLowerCase()))
    }
    // Parser directives come first; the first other line ends them.
    if (!/^#\s*\w+\s*=/.test(line.trim())) return false
  }
  return false
}

export function warnCredentialArgs(buildArgs: KeyValue[], dockerfile: string | undefined, report: Report): void {
  if (dockerfile !== undefined && skipsSecretsCheck(dockerfile)) return
  for (const { key } of buildArgs.filter((a) => looksLikeCredential(a.key))) {
    report.warn(
      'build-args',
      `The build arg ${key} looks like a credential. Build args are stored in the image history, where anyone who pulls the image can read them; pass it with the secrets input instead (RUN --mount=type=secret,id=${key.toLowerCase()}). If it is not a credential, silence this with the line # check=skip=SecretsUsedInArgOrEnv at the top of the Dockerfile.`
    )
  }
}
