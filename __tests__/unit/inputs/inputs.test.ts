// inputs/inputs.ts: parseInputs as a whole: the defaults, the booleans it reads itself,
// the retries, and the problems of several inputs at once, each well-formed and in input order.
import { describe, expect, it, test } from '@jest/globals'
import type { InputName, RawInputs } from '../../../src/inputs/names.js'
import type { Inputs } from '../../../src/inputs/inputs.js'
import {
  ACTION_DEFAULTS,
  buildOf,
  expectWellFormed,
  inputsOf,
  onlyProblem,
  parse,
  PLAIN_BUILD,
  problemsOf
} from '../../__fixtures__/inputs.js'
import type { Kind } from '../../__fixtures__/environment.js'

describe('parseInputs: defaults', () => {
  it('gives the documented defaults when only images is set', () => {
    const result = parse()
    expect(result).toEqual({
      ok: true,
      warnings: [],
      notices: [],
      masks: [],
      inputs: {
        registry: 'docker.io',
        logins: [],
        keepLogin: false,
        cleanup: false,
        images: [{ name: 'alice/app', domain: 'docker.io', path: 'alice/app' }],
        variant: { prefix: '', suffix: '' },
        tags: ['latest'],
        version: '',
        source: {
          kind: 'build',
          build: { ...PLAIN_BUILD, dockerfileText: undefined }
        },
        push: true,
        buildx: undefined,
        load: false,
        save: undefined,
        attempts: 3,
        summary: true,
        dryRun: false
      }
    })
  })

  it('gives the same result for the values action.yml passes as defaults', () => {
    expect(Object.keys(ACTION_DEFAULTS).length).toBeGreaterThan(0)
    expect(parse(ACTION_DEFAULTS)).toEqual(parse())
  })

  it('expands auto to latest outside a workflow (no Git event)', () => {
    expect(inputsOf(parse({ tags: 'auto' })).tags).toEqual(['latest'])
  })

  test.each<[string, string, string]>([
    ['a relative folder', 'app', '/ws/app'],
    ['a nested relative folder', './services/api/', '/ws/services/api'],
    ['an absolute folder', '/elsewhere/ctx', '/elsewhere/ctx']
  ])('resolves %s against the workspace, and the Dockerfile inside it', (_label, context, absolute) => {
    const build = buildOf(inputsOf(parse({ context }, { [absolute]: 'directory', [`${absolute}/Dockerfile`]: 'file' })))
    expect(build.context).toBe(absolute)
    expect(build.file).toBe(`${absolute}/Dockerfile`)
  })

  it('resolves an explicit file against the workspace, not the context', () => {
    const tree = { '/ws/app': 'directory', '/ws/docker/prod.Dockerfile': 'file' } as const
    const build = buildOf(inputsOf(parse({ context: 'app', file: 'docker/prod.Dockerfile' }, tree)))
    expect(build).toMatchObject({ context: '/ws/app', file: '/ws/docker/prod.Dockerfile' })
  })
})

describe('parseInputs: booleans', () => {
  const booleans: [InputName, (i: Inputs) => boolean][] = [
    ['push', (i) => i.push],
    ['pull', (i) => buildOf(i).pull],
    ['no-cache', (i) => buildOf(i).noCache]
  ]

  test.each(booleans)('%s defaults', (name, read) => {
    expect(read(inputsOf(parse({ [name]: '' })))).toBe(name === 'push')
  })

  describe.each(booleans)('%s', (name, read) => {
    test.each<[string, boolean]>([
      ['true', true],
      ['True', true],
      ['TRUE', true],
      ['false', false],
      ['False', false],
      ['FALSE', false]
    ])('%j -> %s', (value, expected) => {
      expect(read(inputsOf(parse({ [name]: value })))).toBe(expected)
    })

    test.each(['maybe', 'yes', '1', 'no', '0', 'tRuE', 'on'])('%j is a problem naming the input', (value) => {
      expect(onlyProblem(parse({ [name]: value }), name)).toBe(
        `Input '${name}': '${value}' is not a boolean. Fix: write true or false.`
      )
    })
  })
})

describe('parseInputs: several problems', () => {
  it('gives one problem per bad input, in input order, all well-formed', () => {
    const result = parse({
      registry: 'not a host!',
      images: '',
      tags: '.bad',
      push: 'maybe',
      pull: 'yes',
      'no-cache': '1',
      'build-args': 'NOEQ',
      labels: 'bad key=1',
      file: 'missing.Dockerfile',
      platforms: 'linux',
      provenance: 'maybe',
      builder: 'a b',
      save: 'image.zip'
    })
    const problems = problemsOf(result)
    expect(problems.map((p) => p.input)).toEqual([
      'registry',
      'images',
      'tags',
      'push',
      'pull',
      'no-cache',
      'build-args',
      'labels',
      'file',
      'platforms',
      'provenance',
      'builder',
      'save'
    ])
    expect(problems).toHaveLength(13)
    expectWellFormed(problems)
  })

  it('keeps warnings next to problems', () => {
    const result = parse({ username: 'alice', images: '' })
    expect(problemsOf(result)).toHaveLength(1)
    expect(result.warnings.map((w) => w.input)).toEqual(['password'])
  })

  test.each<[string, Partial<RawInputs>, Record<string, Exclude<Kind, 'missing'>> | undefined]>([
    ['registry', { registry: 'a b' }, undefined],
    ['images', { images: 'A/-' }, undefined],
    ['tags', { tags: 'a:b' }, undefined],
    ['push', { push: 'nope' }, undefined],
    ['build-args', { 'build-args': 'X' }, undefined],
    ['labels', { labels: 'X' }, undefined],
    ['context', { context: 'missing' }, undefined],
    ['file', { file: 'missing' }, undefined],
    ['platform', { platform: 'x' }, undefined],
    ['platforms', { platforms: 'x' }, undefined],
    ['provenance', { provenance: 'x' }, undefined],
    ['builder', { builder: 'x y' }, undefined],
    ['source-image', { 'source-image': 'a@b' }, undefined],
    ['save', { save: 'x.rar' }, undefined],
    ['save', { save: 'Dockerfile/x.tar' }, undefined]
  ])('the %s problem is well-formed', (input, overrides, tree) => {
    const problems = problemsOf(parse(overrides, tree))
    expect(problems.map((p) => p.input)).toEqual([input])
    expectWellFormed(problems)
  })
})

describe('parseInputs: retries', () => {
  test.each<[string, number]>([
    ['', 3],
    ['1', 1],
    ['5', 5],
    ['10', 10]
  ])('%j gives %d attempts', (retries, attempts) => {
    expect(inputsOf(parse({ retries })).attempts).toBe(attempts)
  })

  test.each(['0', '11', 'three', '-1', '2.5', '1e1'])('%j is a problem', (retries) => {
    expect(onlyProblem(parse({ retries }), 'retries')).toBe(
      `Input 'retries': '${retries}' is not a number of attempts from 1 to 10. Fix: write a whole number such as 3 (1 turns retries off).`
    )
  })
})
