// Readers of parseInputs' result shared by the unit tests of the input rules (not a test file itself).
import { expect } from '@jest/globals'
import type { BuildInputs } from '../../src/inputs/build.js'
import type { InputName, RawInputs } from '../../src/inputs/names.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import type { Inputs, ParseResult } from '../../src/inputs/inputs.js'
import type { InputProblem } from '../../src/inputs/parse.js'
import { env, raw } from './fakes.js'
import type { Kind } from './fakes.js'

/** parseInputs of raw(overrides) in the fake tree (DEFAULT_TREE unless given), outside Actions. */
export function parse(
  overrides: Partial<RawInputs> = {},
  tree?: Record<string, Exclude<Kind, 'missing'>>
): ParseResult {
  return parseInputs(raw(overrides), env(tree))
}

export function inputsOf(result: ParseResult): Inputs {
  if (!result.ok) throw new Error(`expected valid inputs, got:\n${result.problems.map((p) => p.message).join('\n')}`)
  return result.inputs
}

export function problemsOf(result: ParseResult): InputProblem[] {
  if (result.ok) throw new Error(`expected problems, got valid inputs ${JSON.stringify(result.inputs)}`)
  return result.problems
}

export function buildOf(inputs: Inputs): BuildInputs {
  if (inputs.source.kind !== 'build') throw new Error(`expected a build, got ${JSON.stringify(inputs.source)}`)
  return inputs.source.build
}

/** The one problem the inputs have, checked for the common message shape. */
export function onlyProblem(result: ParseResult, input: InputName): string {
  const problems = problemsOf(result)
  expect(problems.map((p) => p.input)).toEqual([input])
  return problems[0].message
}

/** Every problem message names its input first and says how to fix it. */
export function expectWellFormed(problems: InputProblem[]): void {
  for (const p of problems) {
    expect(p.message.startsWith(`Input '${p.input}': `)).toBe(true)
    expect(p.message).toContain('. Fix: ')
    expect(p.message.endsWith('.')).toBe(true)
  }
}
