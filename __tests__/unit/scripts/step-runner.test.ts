// scripts/lib/step-runner.mjs runs the bundle for the end-to-end tests, the bench and
// the demo; these are its pure parts: the INPUT_* mapping, the environment of a step
// and the command-file parser (against what @actions/core writes for the action).
import { afterAll, describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  cleanEnv,
  inputEnv,
  inputVariable,
  layoutOf,
  parseCommandFile,
  stateEnv,
  stepEnv
} from '../../../scripts/lib/step-runner.mjs'

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'step-runner-'))
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }))

describe('inputVariable', () => {
  it.each([
    ['images', 'INPUT_IMAGES'],
    ['save-compression-level', 'INPUT_SAVE-COMPRESSION-LEVEL'],
    ['two words', 'INPUT_TWO_WORDS']
  ])('%s -> %s (upper case, spaces to _, hyphens kept)', (name, variable) => {
    expect(inputVariable(name)).toBe(variable)
  })

  it('maps every input, and every state value to STATE_<name> as it is', () => {
    expect(inputEnv({ 'build-args': 'A=1', tags: 'a,b' })).toEqual({ 'INPUT_BUILD-ARGS': 'A=1', INPUT_TAGS: 'a,b' })
    expect(stateEnv({ temp: '/t', isPost: 'true' })).toEqual({ STATE_temp: '/t', STATE_isPost: 'true' })
  })
})

describe('the environment of a step', () => {
  const parent = {
    PATH: '/bin',
    INPUT_IMAGES: 'x',
    STATE_temp: 'x',
    GITHUB_OUTPUT: 'x',
    RUNNER_TEMP: 'x',
    DOCKER_CONFIG: 'x',
    DOCKER_CONFIG_EXTRA: 'kept',
    BUILDX_CONFIG: 'x',
    NODE_OPTIONS: 'x',
    JEST_WORKER_ID: 'x',
    DOCKER_HOST: 'kept'
  }

  it("drops the runner's, docker's config, Node's options and Jest's variables from the parent", () => {
    expect(cleanEnv(parent)).toEqual({ PATH: '/bin', DOCKER_CONFIG_EXTRA: 'kept', DOCKER_HOST: 'kept' })
  })

  it('points HOME, GITHUB_WORKSPACE, RUNNER_TEMP and the command files into the layout; extra wins, undefined removes', () => {
    const layout = layoutOf('/r', { home: '/h' })
    const env = stepEnv(layout, { GITHUB_ACTIONS: undefined, DOCKER_BUILDKIT: '1' })
    expect(env).toMatchObject({
      HOME: '/h',
      GITHUB_WORKSPACE: '/r/workspace',
      RUNNER_TEMP: '/r/runner-temp',
      GITHUB_OUTPUT: '/r/github-output',
      GITHUB_STATE: '/r/github-state',
      GITHUB_STEP_SUMMARY: '/r/github-summary',
      DOCKER_BUILDKIT: '1'
    })
    expect(env).not.toHaveProperty('GITHUB_ACTIONS')
    expect(Object.keys(env).filter((k) => /^(INPUT_|STATE_)/.test(k))).toEqual([])
  })
})

describe('parseCommandFile', () => {
  it('reads back what the action writes: several records, values with newlines, empty values', () => {
    const file = path.join(TMP, 'output')
    fs.writeFileSync(file, '')
    const saved = process.env.GITHUB_OUTPUT
    process.env.GITHUB_OUTPUT = file
    try {
      core.setOutput('tags', 'a:1\na:2\n\na:3')
      core.setOutput('empty', '')
      core.setOutput('metadata', JSON.stringify({ x: 'y<<z' }))
      core.setOutput('last', 'trailing newline\n')
    } finally {
      if (saved === undefined) delete process.env.GITHUB_OUTPUT
      else process.env.GITHUB_OUTPUT = saved
    }
    expect(parseCommandFile(fs.readFileSync(file, 'utf8'))).toEqual({
      tags: 'a:1\na:2\n\na:3',
      empty: '',
      metadata: '{"x":"y<<z"}',
      last: 'trailing newline\n'
    })
  })

  it('reads name=value lines too, a later record of a name wins, and an unterminated value runs to the end', () => {
    expect(parseCommandFile('a=1\nb<<EOF\nx=2\nEOF\na=3\n')).toEqual({ a: '3', b: 'x=2' })
    expect(parseCommandFile('a<<EOF\nline 1\nline 2')).toEqual({ a: 'line 1\nline 2' })
    expect(parseCommandFile('')).toEqual({})
  })
})
