// The runner's side of a step: log lines, annotations, groups, masks, outputs,
// state, exported variables and the job summary, written as the runner reads
// them (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
// A few dozen lines instead of @actions/core, whose HTTP client the step would
// load on every run for nothing.
//
// Nothing printed here can start a workflow command of its own: a message's line
// breaks are escaped as the runner expects (%0A), and a log line is printed on one
// line with its control characters shown as \r, \n, \x1b…
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'

/** Where an annotation points: the Dockerfile line of a failed build. */
export interface AnnotationProperties {
  title?: string
  file?: string
  startLine?: number
}

/** Control characters as visible escapes, so a value prints on one line and cannot start a command. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

function command(name: string, message: string, properties: Record<string, string | undefined> = {}): void {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',')
  process.stdout.write(`::${name}${props === '' ? '' : ` ${props}`}::${escapeData(message)}${os.EOL}`)
}

/** A log line. Its control characters are shown escaped (see printable). */
export function info(line: string): void {
  process.stdout.write(`${printable(line)}${os.EOL}`)
}

export function notice(message: string): void {
  command('notice', message)
}

export function warning(message: string): void {
  command('warning', message)
}

/** An error annotation; the step fails (exit code 1) when it ends. */
export function error(message: string, properties: AnnotationProperties = {}): void {
  command('error', message, {
    title: properties.title,
    file: properties.file,
    line: properties.startLine === undefined ? undefined : String(properties.startLine)
  })
  process.exitCode = 1
}

/**
 * The runner hides this value wherever it would appear in the log from now on;
 * a value of several lines is also masked line by line, as it is printed.
 */
export function mask(secret: string): void {
  const lines = secret.split(/\r?\n/).filter((line) => line.trim() !== '')
  for (const value of lines.length > 1 ? [secret, ...lines] : lines) command('add-mask', value)
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
  process.stdout.write(`::group::${escapeData(printable(short ?? title))}${os.EOL}`)
  if (short !== undefined) info(title)
  try {
    return await work()
  } finally {
    process.stdout.write(`::endgroup::${os.EOL}`)
  }
}

/** Appends `name<<delimiter` records, as the runner reads GITHUB_OUTPUT, GITHUB_STATE and GITHUB_ENV. */
function appendRecord(variable: string, name: string, value: string): void {
  const file = process.env[variable]
  if (!file) return
  const delimiter = `ghadelimiter_${randomUUID()}`
  fs.appendFileSync(file, `${name}<<${delimiter}${os.EOL}${value}${os.EOL}${delimiter}${os.EOL}`)
}

export function setOutput(name: string, value: string): void {
  appendRecord('GITHUB_OUTPUT', name, value)
}

/** A value the post step gets back as STATE_<name>. */
export function saveState(name: string, value: string): void {
  appendRecord('GITHUB_STATE', name, value)
}

/** An environment variable for the later steps of the job. */
export function exportVariable(name: string, value: string): void {
  appendRecord('GITHUB_ENV', name, value)
}

/** Appends markdown to the job summary; nothing when the runner gives no summary file. */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (file) fs.appendFileSync(file, `${markdown}${os.EOL}`)
}

/** An input as the runner passes it: INPUT_<NAME> (spaces as _, upper case), trimmed. */
export function input(name: string, vars: Record<string, string | undefined> = process.env): string {
  return (vars[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

/** Log lines of one of several commands running at once, each marked with its reference. */
export function prefixed(ref: string): (line: string) => void {
  return (line) => info(`[${ref}] ${line}`)
}

/** `1 reference`, `3 references`. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
