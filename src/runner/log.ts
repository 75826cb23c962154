// What the step prints, through @actions/core (the runner protocol every action
// speaks: annotations, groups, masks, debug), plus the three things core leaves to
// its caller, which ship-image needs on every line it prints:
//   - a log line shows its control characters escaped (core.info writes it raw), so
//     no input and no name can start a workflow command or a second line;
//   - a group title is cut to a readable length, with the whole title inside;
//   - a value of several lines is masked line by line too, as the runner prints it.
// Output that the run does not write itself (what docker and the build print) is
// passed through with workflow commands stopped (untrustedOutput), so a Dockerfile's
// `RUN echo ::error::…` is only text.
import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import * as os from 'node:os'

export type { AnnotationProperties } from '@actions/core'

/** Control characters as visible escapes, so a value prints on one line and cannot start a command. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

/**
 * An argument as it may be shown: a URL's user information hidden (a token in a
 * Git context URL, `https://x-access-token:TOKEN@github.com/…`; a DOCKER_HOST with a
 * password), as docker itself shows them.
 */
export function shownArg(arg: string): string {
  return arg.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')
}

/** A log line. Its control characters are shown escaped (see printable). */
export function info(line: string): void {
  core.info(printable(line))
}

/** A line only a debug run shows (ACTIONS_STEP_DEBUG): the facts and the plan behind the run. */
export function debug(line: string): void {
  core.debug(printable(line))
}

export function notice(message: string): void {
  core.notice(message)
}

export function warning(message: string): void {
  core.warning(message)
}

/** An error annotation (on a file's line when `properties` say so); the step fails when it ends. */
export function error(message: string, properties: core.AnnotationProperties = {}): void {
  // core writes `::error ::` for properties that are all empty; the runner reads both, the log reads better without.
  const given = Object.fromEntries(
    Object.entries(properties).filter(([, value]) => value !== undefined && value !== '')
  )
  core.error(message, given)
  process.exitCode = core.ExitCode.Failure
}

/**
 * The runner hides this value wherever it would appear in the log from now on;
 * a value of several lines is also masked line by line, as it is printed.
 */
export function mask(secret: string): void {
  const lines = secret.split(/\r?\n/).filter((line) => line.trim() !== '')
  for (const value of lines.length > 1 ? [secret, ...lines] : lines) core.setSecret(value)
}

/** The longest group title: the log's group list stays readable; the rest goes inside the group. */
export const GROUP_TITLE_MAX = 120

/**
 * `title` cut to GROUP_TITLE_MAX characters: a list (`a, b, c`) after its last
 * item that fits, saying how many more there are; anything else at a space, with
 * `…`. Undefined when it fits as it is.
 */
export function shortTitle(title: string): string | undefined {
  if (title.length <= GROUP_TITLE_MAX) return undefined
  const items = title.split(', ')
  for (let kept = items.length - 1; kept >= 1; kept--) {
    const short = `${items.slice(0, kept).join(', ')}, … (${items.length - kept} more)`
    if (short.length <= GROUP_TITLE_MAX) return short
  }
  const cut = title.slice(0, GROUP_TITLE_MAX - 1)
  const space = cut.lastIndexOf(' ')
  return `${space >= GROUP_TITLE_MAX / 2 ? cut.slice(0, space) : cut}…`
}

/** Runs `work` inside a collapsible log group titled `title` (a long title is cut, and printed whole inside). */
export async function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  const short = shortTitle(title)
  return core.group(printable(short ?? title), async () => {
    if (short !== undefined) info(title)
    return work()
  })
}

/** Log lines of one of several commands running at once, each marked with its reference. */
export function prefixed(ref: string): (line: string) => void {
  return (line) => info(`[${ref}] ${line}`)
}

/** `1 reference`, `3 references`. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/**
 * Output the run passes through as it comes (docker's progress, the build's
 * steps), inside `::stop-commands::`: the runner takes none of its lines for a
 * workflow command until the section ends with its one-time token. Masks still
 * apply. Both of docker's streams go to the step's standard output, so that the
 * token that ends the section comes after every line of it (the runner reads the
 * two pipes apart). Nothing else may be printed while a section is open.
 */
export interface UntrustedOutput {
  write(chunk: Buffer): void
  /** Ends the section (once something was written). */
  end(): void
}

export function untrustedOutput(): UntrustedOutput {
  let token: string | undefined
  let lastByte = 0x0a
  return {
    write(chunk) {
      if (chunk.length === 0) return
      if (token === undefined) {
        token = randomUUID()
        process.stdout.write(`::stop-commands::${token}${os.EOL}`)
      }
      lastByte = chunk[chunk.length - 1]
      process.stdout.write(chunk)
    },
    end() {
      if (token === undefined) return
      // The token must start a line of its own.
      process.stdout.write(`${lastByte === 0x0a ? '' : os.EOL}::${token}::${os.EOL}`)
      token = undefined
      lastByte = 0x0a
    }
  }
}
