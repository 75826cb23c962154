// The action's inputs for the unit tests: the raw inputs as the runner passes them (and
// the defaults action.yml gives them), parseInputs of them on the fake machine
// (environment.ts) or on one with other facts, and readers of its result that check the
// common shape of a problem.
import { expect } from '@jest/globals'
import { readActionFile } from '../../scripts/lib/action-yml.mjs'
import type { BuildInputs } from '../../src/inputs/build.js'
import { INPUT_NAMES } from '../../src/inputs/names.js'
import type { InputName, RawInputs } from '../../src/inputs/names.js'
import { parseInputs } from '../../src/inputs/inputs.js'
import type { Inputs, ParseResult } from '../../src/inputs/inputs.js'
import type { InputProblem } from '../../src/inputs/parse.js'
import type { Environment } from '../../src/runner/environment.js'
import type { GitEvent } from '../../src/domain/event.js'
import { CREATED, env } from './environment.js'
import type { Kind } from './environment.js'
import { TAG_PUSH } from './event.js'

/** Every input empty (as when no default applies), with `images: alice/app` and the given overrides. */
export function raw(overrides: Partial<RawInputs> = {}): RawInputs {
  const empty = Object.fromEntries(INPUT_NAMES.map((name: InputName) => [name, ''])) as RawInputs
  return { ...empty, images: 'alice/app', ...overrides }
}

/** A password given as an input: it may show up nowhere but on docker login's standard input. */
export const PASSWORD = 'pa55-w0rd-very-secret'

/** The build inputs parseInputs gives for raw() in DEFAULT_TREE outside Actions: context /ws, the created label, everything else unset. */
export const PLAIN_BUILD: BuildInputs = {
  context: '/ws',
  file: '/ws/Dockerfile',
  buildArgs: [],
  labels: [CREATED],
  target: '',
  platforms: [],
  network: '',
  pull: false,
  noCache: false,
  cacheFrom: [],
  cacheTo: [],
  cache: 'false',
  secrets: [],
  provenance: 'false',
  builder: '',
  driver: 'docker'
}

/** The defaults action.yml gives its inputs (the runner passes them when a workflow sets nothing). */
export const ACTION_DEFAULTS: Partial<RawInputs> = Object.fromEntries(
  readActionFile()
    .inputs.filter((input) => input.default !== undefined)
    .map((input) => [input.name, input.default])
)

/** The hex of a sha256 digest, for image references written with one. */
export const HEX64 = '1e226b227e53c467365f7805864fa6e432d96d9071f6949fc152f62a858bc812'

/** parseInputs of raw(overrides) in the fake tree (DEFAULT_TREE unless given), outside Actions. */
export function parse(
  overrides: Partial<RawInputs> = {},
  tree?: Record<string, Exclude<Kind, 'missing'>>
): ParseResult {
  return parseInputs(raw(overrides), env(tree))
}

/** parseInputs on a machine whose facts differ from env()'s (buildx installed) as given. */
export function parseOn(machine: Partial<Environment>, overrides: Partial<RawInputs> = {}): ParseResult {
  return parseInputs(raw(overrides), { ...env(), ...machine })
}

/** parseInputs of the inputs of a merge's job: images localhost:5000/app, on a push of a tag (TAG_PUSH) unless given. */
export function parseForMerge(overrides: Partial<RawInputs>, event: GitEvent = TAG_PUSH): ParseResult {
  return parseInputs(raw({ images: 'localhost:5000/app', ...overrides }), env(undefined, event))
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
