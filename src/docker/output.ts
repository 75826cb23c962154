// What docker prints, read: the digest line of a push, what a load loaded, the
// meaningful end of a failed command's output, whether the engine is there at all,
// the words for a failed login, a build's cache hits, and what a failed buildx push
// had pushed. Whether a failure is worth another attempt is failures.ts's. Pure.
//
// The patterns come from what the docker CLI really prints (clients 20.10 to 28
// against engines 20.10 to 28, through __tests__/e2e/fault-proxy.ts); the unit
// tests hold those strings as fixtures. Push and pull messages are written by the
// engine, so every client prints the same text.
import { DockerError, EngineUnreachable } from '../domain/errors.js'
import { shownArg } from '../runner/log.js'
import { classifyFailure, ENGINE_DOWN } from './failures.js'

/** The manifest digest docker prints at the end of a push: `v1: digest: sha256:… size: 1234`. */
export function pushedDigest(output: string): string | undefined {
  const matches = [...output.matchAll(/digest: (sha256:[a-f0-9]{64})/g)]
  return matches.length > 0 ? matches[matches.length - 1][1] : undefined
}

/**
 * What `docker load` says it loaded: `Loaded image: app:v1` per tag, `Loaded image
 * ID: sha256:…` for an image without one.
 */
export function loadedImages(output: string): { refs: string[]; ids: string[] } {
  const refs = [...output.matchAll(/^Loaded image: (\S+)\s*$/gm)].map((m) => m[1])
  const ids = [...output.matchAll(/^Loaded image ID: (sha256:[a-f0-9]{64})\s*$/gm)].map((m) => m[1])
  return { refs, ids }
}

/**
 * What a `buildx build --push` had pushed when it failed: BuildKit's progress line
 * `#6 pushing manifest for localhost:5000/app:v1@sha256:… 0.0s done`, per tag that
 * the registry took (its line without `done` is a push still under way).
 */
export function pushedManifests(output: string): { ref: string; digest: string }[] {
  const done = /^#\d+ pushing manifest for (\S+)@(sha256:[a-f0-9]{64})(?: [\d.]+s)? done$/gm
  // BuildKit also closes the line of a manifest upload whose last try failed with `done`; its
  // error then names the reference: `failed to push <ref>: …`.
  return [...output.matchAll(done)]
    .map((m) => ({ ref: m[1], digest: m[2] }))
    .filter(({ ref }) => !output.includes(`failed to push ${ref}: `))
}

/** A build whose image name another build took at the same moment (the containerd image store's exporter). */
export const NAME_TAKEN = /failed to solve: image "[^"]+": already exists/

/** Lines docker prints that are noise in an error message. */
const NOISE = [
  /^DEPRECATED: The legacy builder/,
  /^\s+Install the buildx component/,
  /^\s+https:\/\/docs\.docker\.com\/go\/buildx/,
  /^WARNING! Your credentials are stored unencrypted/,
  /^Configure a credential helper/,
  /^https:\/\/docs\.docker\.com\/go\/credential-store/
]

/** `manifest unknown: manifest unknown`, as docker doubles a registry's error code and message, once. */
export function undouble(text: string): string {
  return text.replace(/(\b[^:|]{3,}): \1\b/g, '$1')
}

/** The last few meaningful lines of a command's error output, with any URL's credentials hidden (shownArg). */
export function errorSummary(stderr: string, stdout = ''): string {
  const lines = (stderr.trim() === '' ? stdout : stderr)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !NOISE.some((re) => re.test(l)))
  // BuildKit prints its progress on stderr too: its own error line is where the reason starts.
  const error = lines.findIndex((l) => /^ERROR: /.test(l))
  const shown = error >= 0 ? lines.slice(error, error + 4) : lines.slice(-4)
  return shownArg(undouble(shown.join(' | '))) || 'no error output'
}

/** DOCKER_HOST without the user and password it may carry (`tcp://user:pw@host:2376`). */
export function shownDockerHost(host: string): string {
  return host.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1')
}

/** A plain sentence for an engine that is not there, not docker's. */
export function engineUnreachable(dockerHost: string | undefined): EngineUnreachable {
  const where = dockerHost ? `DOCKER_HOST=${shownDockerHost(dockerHost)}` : 'the default socket /var/run/docker.sock'
  return new EngineUnreachable(
    `The Docker engine is not reachable at ${where}. Start the engine (on a self-hosted runner: systemctl start docker), or point DOCKER_HOST at a running one.`
  )
}

/**
 * The command in a few words: the subcommand and what it acts on (`push
 * ghcr.io/org/app:v1`, `build`, `login ghcr.io`). The full command is in the log.
 */
export function shortCommand(args: string[]): string {
  const words: string[] = []
  for (const arg of args) {
    if (arg.startsWith('-')) break
    words.push(arg)
    if (!['image', 'buildx', 'manifest', 'imagetools', 'container'].includes(arg)) break
  }
  const last = args[args.length - 1]
  const subcommand = words[words.length - 1]
  if (['push', 'pull', 'tag', 'create'].includes(subcommand) && args.length > words.length) words.push(last)
  if (subcommand === 'login' && last !== undefined && !last.startsWith('-')) words.push(last)
  return words.map(shownArg).join(' ')
}

/**
 * The error for a failed command: the engine-down sentence, or docker's own
 * reason first, then which command it was (not all of it: with many tags the
 * command alone is thousands of characters, and it is in the log already).
 */
export function commandFailed(
  args: string[],
  exitCode: number | null,
  summary: string,
  dockerHost: string | undefined
): DockerError {
  if (ENGINE_DOWN.test(summary)) return engineUnreachable(dockerHost)
  return new DockerError(`${summary} (docker ${shortCommand(args)} failed, exit code ${exitCode})`)
}

/**
 * Why a login failed, in words that fit the fault: a refused password is not a
 * registry that is down, a certificate that is not trusted, or a wrong host.
 */
export function loginFailure(registry: string, username: string, stderr: string): DockerError {
  const said = errorSummary(stderr).replace(/^Error response from daemon: /, '')
  const { transient, reason } = classifyFailure(stderr)
  const credentials = /refused the credentials|refused access|denied|requires authentication/.test(reason)
  const advice = credentials
    ? 'Check the username and password inputs (a token needs permission to push)'
    : transient
      ? `The registry did not answer the login (${reason}); check that ${registry} is the right host and port, and that it is up`
      : /TLS certificate|plain HTTP|does not resolve/.test(reason)
        ? `${reason[0].toUpperCase()}${reason.slice(1)}; check the registry input`
        : 'Check the username and password inputs, and the registry input'
  return new DockerError(`Login to ${registry} as ${username} failed: ${said}. ${advice}.`)
}

/**
 * How many steps of a build the builder took from its cache, as it printed them:
 * BuildKit's `#5 [stage 2/4] RUN …` then `#5 CACHED`, the classic builder's
 * `Step 2/4 : RUN …` then ` ---> Using cache`. A FROM is not counted as a step.
 * A step taken from a registry cache whose layers BuildKit then fetches may lose
 * its `CACHED` line (the fetch's progress reports the step again, not cached, and
 * buildx's printer shows only the last state it saw): the layer fetched under the
 * step's number (`#5 sha256:… 1.08MB / 1.08MB`, `#5 extracting sha256:…`) says it
 * came from the cache, since a step that runs makes its layer and fetches none
 * (an older BuildKit's `#5 sha256:…` alone on its line is the step's own digest).
 * Undefined when the output shows no step (a quiet or unknown builder).
 */
export function buildCache(output: string): { steps: number; cached: number } | undefined {
  const lines = output.split(/\r?\n/)
  const vertices = new Set<string>()
  const cached = new Set<string>()
  let classicSteps = 0
  let classicCached = 0
  for (const line of lines) {
    const vertex = /^#(\d+) \[(?:\S+ )?\d+\/\d+\] (\S+)/.exec(line)
    if (vertex && !/^FROM$/i.test(vertex[2])) vertices.add(vertex[1])
    const hit = /^#(\d+) (?:CACHED$|extracting sha256:[a-f0-9]{64}\b|sha256:[a-f0-9]{64} \S+ \/ )/.exec(line.trim())
    if (hit) cached.add(hit[1])
    const step = /^Step \d+\/\d+ : (\S+)/.exec(line)
    if (step && !/^FROM$/i.test(step[1])) classicSteps++
    if (/^ ---> Using cache$/.test(line.trimEnd())) classicCached++
  }
  if (vertices.size > 0) return { steps: vertices.size, cached: [...cached].filter((v) => vertices.has(v)).length }
  return classicSteps > 0 ? { steps: classicSteps, cached: classicCached } : undefined
}
