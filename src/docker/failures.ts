// Whether a failed docker command is worth another attempt: a registry fault of the
// moment (a 5xx, a 429, a dropped connection) is, a refused login or a missing
// image is not. Read from docker's error output, with the names in it blanked, and
// the registry's Retry-After where docker shows it. Pure.
//
// The rules come from what docker really prints (clients 20.10 to 28, through
// __tests__/e2e/fault-proxy.ts, and a plain registry under concurrent pushes); the
// unit tests hold those strings as fixtures.
/** The engine is not there: not running, or DOCKER_HOST points at nothing. */
export const ENGINE_DOWN = /Cannot connect to the Docker daemon|error during connect|dial unix \S+docker\.sock: connect/

export interface Classification {
  /** Whether running the same command again can help. */
  transient: boolean
  /** A short plain phrase for a log line ("the registry answered 503 Service Unavailable"). */
  reason: string
  /** The registry's own Retry-After hint, in milliseconds, when the output carries one. */
  retryAfterMs?: number
}

interface Rule {
  test: RegExp
  reason: string | ((m: RegExpExecArray) => string)
}

/**
 * Faults that trying again cannot fix. Checked first: when the output holds both
 * (a build step failed because its own download was refused, say), it is permanent.
 */
const PERMANENT: Rule[] = [
  { test: ENGINE_DOWN, reason: 'the Docker engine is not reachable' },
  {
    test: /permission denied while trying to connect to the Docker daemon/i,
    reason: 'this user may not use the Docker engine (permission denied)'
  },
  // login: "login attempt to http://…/v2/ failed with status: 401 Unauthorized"
  {
    test: /\b401 Unauthorized\b|(?:status(?: code)?:?|HTTP)\s*401\b/i,
    reason: 'the registry refused the credentials (401 Unauthorized)'
  },
  {
    test: /\b403 Forbidden\b|(?:status(?: code)?:?|HTTP)\s*403\b/i,
    reason: 'the registry refused access (403 Forbidden)'
  },
  { test: /\bunauthorized\b/i, reason: 'the registry refused the credentials (unauthorized)' },
  { test: /\bauthentication required\b/i, reason: 'the registry requires authentication' },
  // "denied: requested access to the resource is denied" (Docker Hub), "denied: permission_denied: …" (GHCR)
  { test: /\bdenied:|requested access to the resource is denied/i, reason: 'the registry denied access' },
  // engine 28 with the containerd image store prints the registry's error document, not the
  // status: "error from registry: denied\ndenied" (403 DENIED)
  { test: /^error from registry: denied$/m, reason: 'the registry denied access' },
  {
    test: /\bname unknown\b|\bNAME_UNKNOWN\b|\brepository name not known to registry\b/i,
    reason: 'the repository does not exist (name unknown)'
  },
  { test: /\bmanifest unknown\b|\bMANIFEST_UNKNOWN\b/i, reason: 'the image or tag does not exist (manifest unknown)' },
  // client 28: "invalid reference format: repository name (Exp/Upper) must be lowercase"; 20.10: without the name
  { test: /\brepository name (?:\S+ )?must be lowercase\b/i, reason: 'the repository name is not lowercase' },
  { test: /\binvalid reference format\b/i, reason: 'the image reference is not valid' },
  // push with no login to a registry that wants one
  { test: /\bno basic auth credentials\b/i, reason: 'no credentials for the registry' },
  { test: /\bno such image\b/i, reason: 'the image does not exist locally (no such image)' },
  {
    test: /\bAn image does not exist locally with the tag\b|\breference does not exist\b/i,
    reason: 'the image does not exist locally'
  },
  // Dockerfile and build-step failures (legacy builder and BuildKit).
  {
    test: /dockerfile parse error|\bunknown instruction\b|Cannot locate specified Dockerfile|failed to read dockerfile|unable to prepare context|returned a non-zero code|did not complete successfully|failed to compute cache key|\bCOPY failed\b|\bADD failed\b/i,
    reason: 'the Dockerfile or one of its steps failed'
  },
  // Configuration of the connection itself, not a fault of the moment.
  {
    test: /\bx509:|certificate signed by unknown authority|certificate is not valid/i,
    reason: 'the registry TLS certificate is not trusted'
  },
  {
    test: /server gave HTTP response to HTTPS client/i,
    reason: 'the registry speaks plain HTTP where HTTPS was expected'
  },
  // NXDOMAIN: the name does not exist. A typo or a missing DNS record stays so on the
  // next attempt; a lookup that timed out or failed server-side is transient (below).
  { test: /\bno such host\b/i, reason: 'the registry host name does not resolve (no such host)' },
  { test: /\bpermission denied\b/i, reason: 'permission denied' }
]

const STATUS_TEXT: Record<string, string> = {
  '408': 'Request Timeout',
  '429': 'Too Many Requests',
  '500': 'Internal Server Error',
  '502': 'Bad Gateway',
  '503': 'Service Unavailable',
  '504': 'Gateway Timeout'
}

/** "503 Service Unavailable", from the status and whatever text docker printed after it. */
function statusPhrase(code: string, text: string | undefined): string {
  const printed = text?.trim()
  return `${code} ${printed && printed.length > 0 ? printed : (STATUS_TEXT[code] ?? 'error')}`
}

/** The status code of a status text docker printed alone ("Service Unavailable" → 503). */
function codeOfText(text: string): string {
  const key = text.toLowerCase().replace('time-out', 'timeout')
  return Object.keys(STATUS_TEXT).find((code) => STATUS_TEXT[code].toLowerCase() === key) ?? ''
}

/** Faults of the moment: the registry or the network may well answer next time. */
const TRANSIENT: Rule[] = [
  // push/pull: "received unexpected HTTP status: 503 Service Unavailable"
  // login:     "login attempt to http://…/v2/ failed with status: 503 Service Unavailable"
  // BuildKit:  "unexpected status code [manifests v1]: 503 Service Unavailable", "unexpected status: 502 Bad Gateway"
  // engine 26: "unexpected status from HEAD request to http://…/manifests/v1: 500 Internal Server Error" (the URL blanked)
  {
    test: /\b(?:[Ss]tatus(?: code)?(?: \[[^\]]*\])?:?|status from [A-Z]+ request to \S+|HTTP(?: [Ss]tatus)?:?)\s*(408|429|500|502|503|504|52[0-4])\b(?:[ \t]+([A-Z][A-Za-z-]*(?: [A-Z][A-Za-z-]*){0,3}))?/,
    reason: (m) => `the registry answered ${statusPhrase(m[1], m[2])}`
  },
  // A manifest PUT naming a layer the registry does not have (yet): another push of the same layer
  // still writing it, or a registry whose storage is eventually consistent. The next push uploads it.
  {
    test: /\bmanifest blob unknown\b/,
    reason: 'the registry did not have a layer the manifest names (manifest blob unknown)'
  },
  // The same race where the layer's record was half-written ("invalid checksum digest format" in the
  // registry's log), alone; on a blob upload, content that changed on the way.
  { test: /^digest invalid\b/m, reason: 'the registry could not verify a digest (digest invalid)' },
  // Engine 28 with the containerd image store prints the registry's error document instead
  // of the status: its message, or the code alone where the message is the code's own.
  // "error from registry: unavailable\nunavailable" (503 UNAVAILABLE), "… unknown\nunknown"
  // (500 UNKNOWN, the registry's internal error), and the two races above. A 429 or a 503
  // whose message is the registry's own prose ("slow down") cannot be told apart: not retried.
  {
    test: /^error from registry: (?:service )?unavailable$/m,
    reason: 'the registry answered 503 Service Unavailable (UNAVAILABLE)'
  },
  { test: /^error from registry: unknown$/m, reason: 'the registry reported an internal error (UNKNOWN)' },
  {
    test: /^error from registry: blob unknown to registry\b/m,
    reason: 'the registry did not have a layer the manifest names (blob unknown)'
  },
  {
    test: /^error from registry: provided digest did not match uploaded content\b/m,
    reason: 'the registry could not verify a digest (digest invalid)'
  },
  // "error parsing HTTP 429 response body: invalid character 'T' …" (a 429 or 408 without a JSON error body)
  {
    test: /\bHTTP (408|429|500|502|503|504) response body\b/,
    reason: (m) => `the registry answered ${statusPhrase(m[1], undefined)}`
  },
  // "toomanyrequests", "toomanyrequests: You have reached your pull rate limit…", "TOOMANYREQUESTS"
  {
    test: /\btoo ?many ?requests\b|\brate limit(?:ed)? exceeded\b|\bRate exceeded\b/i,
    reason: 'the registry answered 429 Too Many Requests'
  },
  // Engine 26 prints the status text alone ("… Service Unavailable"): the code goes back in front, as engine 20.10 has it.
  {
    test: /\b(Service Unavailable|Bad Gateway|Gateway Time-?out)\b/i,
    reason: (m) => `the registry answered ${statusPhrase(codeOfText(m[1]), m[1])}`
  },
  // Network: "dial tcp 127.0.0.1:5000: connect: connection refused"
  { test: /\bconnection refused\b/i, reason: 'connection refused' },
  // "read tcp …: read: connection reset by peer"
  { test: /\bconnection reset\b/i, reason: 'the connection was reset' },
  { test: /\bbroken pipe\b/i, reason: 'the connection broke (broken pipe)' },
  // A layer upload whose connection was reset: "write tcp …: use of closed network connection"
  { test: /\buse of closed network connection\b/i, reason: 'the connection was closed during the transfer' },
  { test: /\bTLS handshake timeout\b/i, reason: 'TLS handshake timeout' },
  { test: /\bi\/o timeout\b/i, reason: 'the network timed out (i/o timeout)' },
  { test: /\bcontext deadline exceeded\b|Client\.Timeout exceeded/i, reason: 'the request timed out' },
  { test: /\bnet\/http: request canceled\b/i, reason: 'the request was cancelled (timeout)' },
  { test: /\bunexpected EOF\b/i, reason: 'the connection ended early (unexpected EOF)' },
  // A request whose connection closed before any answer: `Put "http://…/manifests/v1": EOF`
  { test: /": EOF\s*$|: EOF$/m, reason: 'the registry closed the connection (EOF)' },
  // DNS failures of the moment (SERVFAIL, EAI_AGAIN), unlike "no such host".
  { test: /\bserver misbehaving\b|Temporary failure in name resolution/i, reason: 'the DNS lookup failed for now' }
]

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 }

function unitMs(unit: string | undefined): number {
  if (!unit) return 1000
  const u = unit.toLowerCase()
  if (u === 'ms' || u.startsWith('milli')) return UNIT_MS.ms
  if (u === 'm' || u.startsWith('min')) return UNIT_MS.m
  return UNIT_MS.s
}

const NUMBER = String.raw`(\d+(?:\.\d+)?)\s*(ms|milliseconds?|msecs?|s|secs?|seconds?|m|mins?|minutes?)?\b`

/**
 * Retry-After, in whatever form it might reach docker's output: the header
 * ("Retry-After: 5", "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT") or a message
 * ("retry after 5s", "please retry in 10 seconds", "try again in 2 minutes").
 * Not docker's own progress lines ("Retrying in 5 seconds": the engine's layer retry).
 */
export function parseRetryAfter(output: string, now?: number): number | undefined {
  const patterns = [
    new RegExp(String.raw`\bretry[- _]after["']?\s*[:=]?\s*["']?` + NUMBER, 'i'),
    new RegExp(String.raw`\b(?:retry|try again) in\s+` + NUMBER, 'i')
  ]
  for (const re of patterns) {
    const m = re.exec(output)
    if (m) return Math.round(Number(m[1]) * unitMs(m[2]))
  }
  const date =
    /\bretry[- _]after\s*:\s*((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT)/i.exec(output)
  if (date && now !== undefined) {
    const at = Date.parse(date[1])
    if (!Number.isNaN(at)) return Math.max(0, at - now)
  }
  return undefined
}

/** Words with a `/` that the rules read; every other such word is a name, a path or a URL. */
const KEPT_WORDS = new Set(['i/o', 'net/http:'])

/**
 * The error output with the names in it blanked out: quoted strings (URLs),
 * bracketed repositories and every word with a `/` (references, paths). A
 * repository called `unauthorized-app` must not read as a refused login.
 */
export function withoutNames(output: string): string {
  return output
    .replace(/"[^"\n]*"/g, '"…"')
    .replace(/\[[^\]\n]*\]/g, '[…]')
    .replace(/\S*\/\S*/g, (word) => (KEPT_WORDS.has(word) ? word : '…'))
}

/**
 * Decides from a failed docker command's error output (stderr) whether trying
 * again can help. Names in it are not read (withoutNames). Permanent faults win
 * over transient ones; output that matches neither is not retried. `now` (ms
 * since the epoch) is only used for a Retry-After given as an HTTP date.
 */
export function classifyFailure(errorOutput: string, now?: number): Classification {
  const output = withoutNames(errorOutput)
  for (const rule of PERMANENT) {
    const m = rule.test.exec(output)
    if (m) return { transient: false, reason: typeof rule.reason === 'string' ? rule.reason : rule.reason(m) }
  }
  for (const rule of TRANSIENT) {
    const m = rule.test.exec(output)
    if (m) {
      const reason = typeof rule.reason === 'string' ? rule.reason : rule.reason(m)
      const retryAfterMs = parseRetryAfter(errorOutput, now)
      return retryAfterMs === undefined ? { transient: true, reason } : { transient: true, reason, retryAfterMs }
    }
  }
  return { transient: false, reason: 'no transient registry or network fault in the output' }
}
