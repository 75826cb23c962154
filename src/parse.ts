// The shapes input values come in (lists, lines, KEY=VALUE, booleans) and the
// report that collects one message per problem, each naming the input and the
// fix. Pure.
import type { InputName, RawInputs } from './input-names.js'

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

/** Collects one message per problem (naming the input and the fix), and the warnings and notices. */
export class Report {
  readonly problems: InputProblem[] = []
  readonly warnings: Warning[] = []
  readonly notices: Warning[] = []

  problem(input: InputName, what: string, fix: string): void {
    this.problems.push({ input, message: `Input '${input}': ${what}. Fix: ${fix}.` })
  }

  warn(input: InputName, message: string): void {
    this.warnings.push({ input, message })
  }

  notice(input: InputName, message: string): void {
    this.notices.push({ input, message })
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

export function parseKeyValues(raw: RawInputs, input: InputName, report: Report): KeyValue[] {
  return parseLines(raw[input]).flatMap((line) => {
    const eq = line.indexOf('=')
    const key = eq < 0 ? '' : line.slice(0, eq).trim()
    if (eq < 0 || key === '' || /\s/.test(key)) {
      report.problem(input, `'${line}' is not a KEY=VALUE line`, 'write one KEY=VALUE per line, with no spaces in KEY')
      return []
    }
    return [{ key, value: line.slice(eq + 1) }]
  })
}
