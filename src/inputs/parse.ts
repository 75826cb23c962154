// The shapes input values come in (lists, lines, KEY=VALUE, booleans) and the
// report that collects one message per problem, each naming the input and the
// fix. Pure.
import type { InputName, RawInputs } from './names.js'

export interface KeyValue {
  key: string
  value: string
}

export interface InputProblem {
  input: InputName
  message: string
}

/** A warning or notice about an input that does not stop the run. */
export interface Warning {
  input: InputName
  message: string
}

/**
 * Collects one message per problem (naming the input and the fix), and the
 * warnings and notices. An input refused as a whole (a control character in it)
 * gets that one message only.
 */
export class Report {
  readonly problems: InputProblem[] = []
  readonly warnings: Warning[] = []
  readonly notices: Warning[] = []
  /** Values the runner must hide from the log (secrets, a token in a URL), found while parsing. */
  readonly masks: string[] = []
  private readonly refused = new Set<InputName>()

  problem(input: InputName, what: string, fix: string): void {
    if (this.refused.has(input)) return
    this.problems.push({ input, message: `Input '${input}': ${what}. Fix: ${fix}.` })
  }

  /** Refuses the input as a whole: later problems with it are not reported. */
  refuse(input: InputName, what: string, fix: string): void {
    this.problem(input, what, fix)
    this.refused.add(input)
  }

  warn(input: InputName, message: string): void {
    this.warnings.push({ input, message })
  }

  notice(input: InputName, message: string): void {
    this.notices.push({ input, message })
  }

  /** A value the runner must hide wherever it would print it. */
  mask(value: string): void {
    if (value.trim() !== '' && !this.masks.includes(value)) this.masks.push(value)
  }
}

/** Newline- or comma-separated list; blank entries dropped. */
export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** One entry per non-blank line (values may contain commas). */
export function parseLines(value: string): string[] {
  return value
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

export function parseBoolean(raw: RawInputs, input: InputName, fallback: boolean, report: Report): boolean {
  const value = raw[input]
  if (value === '') return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  report.problem(input, `'${value}' is not a boolean`, 'write true or false')
  return fallback
}

const QUOTES = new Set(['"', "'"])

/** Whether `text` is wrapped in one pair of matching quotes with no such quote inside. */
function isQuoted(text: string): boolean {
  const quote = text[0]
  return text.length >= 2 && QUOTES.has(quote) && text.endsWith(quote) && !text.slice(1, -1).includes(quote)
}

/**
 * A KEY=VALUE line read as people write it: in quotes as a whole (`"a=b, c"`, as
 * in a CSV list), with a quoted key or value (`"a"="b c"`, as in a Dockerfile
 * LABEL), with spaces around the `=` (`key = value`). A string, the problem, when
 * a quote opens and does not close.
 */
function splitKeyValue(written: string): { key: string; value: string } | string | undefined {
  const line = isQuoted(written) ? written.slice(1, -1).trim() : written
  // A quoted key may hold an `=`: the separator is the first one after its closing quote.
  const keyClose = QUOTES.has(line[0]) ? line.indexOf(line[0], 1) : 0
  if (keyClose < 0) return 'the line'
  const eq = line.indexOf('=', keyClose)
  if (eq < 0) return undefined
  const keyText = line.slice(0, eq).trim()
  const valueText = line.slice(eq + 1).trim()
  if (QUOTES.has(valueText[0]) && !isQuoted(valueText)) return 'the value'
  return {
    key: isQuoted(keyText) ? keyText.slice(1, -1) : keyText,
    value: isQuoted(valueText) ? valueText.slice(1, -1) : valueText
  }
}

/**
 * One KEY=VALUE per line, read as people write them (see splitKeyValue): quotes
 * around the line, the key or the value are dropped, and so are spaces around
 * the `=`. A quote that opens and does not close is refused.
 */
export function parseKeyValues(raw: RawInputs, input: InputName, report: Report): KeyValue[] {
  return parseLines(raw[input]).flatMap((written) => {
    const split = splitKeyValue(written)
    if (typeof split === 'string') {
      report.problem(
        input,
        `'${written}' has a quote that opens ${split} and does not close it`,
        'close the quote, or write the line without quotes (one KEY=VALUE per line; a value may hold spaces and commas)'
      )
      return []
    }
    if (split === undefined || split.key === '' || /[\s"']/.test(split.key)) {
      report.problem(
        input,
        `'${written}' is not a KEY=VALUE line`,
        'write one KEY=VALUE per line, with no spaces or quotes in KEY'
      )
      return []
    }
    return [split]
  })
}

/** The inputs that hold one entry per line; in every other input a line break is refused. */
const MULTI_LINE: ReadonlySet<InputName> = new Set([
  'images',
  'tags',
  'build-args',
  'labels',
  'cache-from',
  'cache-to',
  'secrets',
  'registry-auth',
  'platforms'
])

/**
 * Refuses control characters, and line breaks where one value is expected: a
 * value is printed in the log, where a line break or a carriage return could
 * start a line the runner reads as a workflow command. The passwords, the secrets
 * and the cosign key are not printed, so they may hold anything.
 */
export function refuseControlCharacters(raw: RawInputs, report: Report): void {
  for (const [input, value] of Object.entries(raw) as [InputName, string][]) {
    if (['password', 'secrets', 'registry-auth', 'cosign-key', 'cosign-password'].includes(input)) continue
    // eslint-disable-next-line no-control-regex
    const bad = MULTI_LINE.has(input) ? /[\x00-\x08\x0b-\x1f\x7f]/ : /[\x00-\x08\x0a-\x1f\x7f]/
    const found = bad.exec(value)
    if (found === null) continue
    const what =
      found[0] === '\n' ? 'a line break' : found[0] === '\r' ? 'a carriage return (\\r)' : 'a control character'
    report.refuse(
      input,
      `the value has ${what} at character ${found.index + 1}`,
      MULTI_LINE.has(input) ? 'remove it; entries are separated by line breaks only' : 'give one value on one line'
    )
  }
}
