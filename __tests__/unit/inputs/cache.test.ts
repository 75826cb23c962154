// inputs/cache.ts: cache-from and cache-to in build-push-action's syntax, the one-word
// cache, and what each builder can export, refused before any docker command (issue 24).
import { describe, expect, it, test } from '@jest/globals'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import type { Environment } from '../../../src/runner/environment.js'
import { env } from '../../__fixtures__/environment.js'
import { buildOf, inputsOf, onlyProblem, parse, raw } from '../../__fixtures__/inputs.js'

describe('cache-from', () => {
  it('takes image references (several on a line, each once) and buildx specs, lowercasing their refs', () => {
    const build = buildOf(
      inputsOf(
        parse({
          'cache-from': [
            'localhost:5000/app:latest, ghcr.io/org/app:main',
            'localhost:5000/app:latest',
            'type=registry,ref=ghcr.io/Org/App:buildcache',
            'type=gha,scope=main',
            'type=local,src=/tmp/cache'
          ].join('\n')
        })
      )
    )
    expect(build.cacheFrom).toEqual([
      { type: 'registry', attrs: [['ref', 'localhost:5000/app:latest']] },
      { type: 'registry', attrs: [['ref', 'ghcr.io/org/app:main']] },
      { type: 'registry', attrs: [['ref', 'ghcr.io/org/app:buildcache']] },
      { type: 'gha', attrs: [['scope', 'main']] },
      { type: 'local', attrs: [['src', '/tmp/cache']] }
    ])
  })

  test.each([
    ['bad ref:x', "'bad ref' contains white space"],
    ['app:-x', "has an invalid tag '-x'"],
    ['type=s4,bucket=x', "'type=s4,bucket=x' is not a cache spec (buildx knows no cache type s4)"],
    ['type=registry', "'type=registry' has no ref="],
    ['type=local', "'type=local' names no folder"],
    ['ref=x,mode', "'ref=x,mode' is not a cache spec"]
  ])('%j is a problem', (value, what) => {
    expect(onlyProblem(parse({ 'cache-from': value }), 'cache-from')).toContain(what)
  })
})

describe('cache-to', () => {
  it("takes build-push-action's specs as written, each once", () => {
    const build = buildOf(
      inputsOf(
        parse({
          'cache-to': 'type=registry,ref=ghcr.io/org/app:buildcache,mode=max\ntype=inline\ntype=local,dest=/tmp/c'
        })
      )
    )
    expect(build.cacheTo).toEqual([
      {
        type: 'registry',
        attrs: [
          ['ref', 'ghcr.io/org/app:buildcache'],
          ['mode', 'max']
        ]
      },
      { type: 'inline', attrs: [] },
      { type: 'local', attrs: [['dest', '/tmp/c']] }
    ])
  })

  test.each([
    ['ghcr.io/org/app:buildcache', 'is not a cache spec'],
    ['type=registry,ref=ghcr.io/org/app:c,mode=all', 'has mode=all'],
    ['type=local,src=/tmp/c', 'names no folder']
  ])('%j is a problem', (value, what) => {
    expect(onlyProblem(parse({ 'cache-to': value }), 'cache-to')).toContain(what)
  })
})

describe('what each builder can export, refused before the build', () => {
  const on = (machine: Partial<Environment>, overrides: Partial<RawInputs>): ParseResult =>
    parseInputs(raw(overrides), { ...env(), ...machine })
  const builders: Record<string, Partial<Environment>> = {
    'the classic builder': { buildx: false, buildkitEnv: false },
    "an older CLI's BuildKit": { buildx: false, buildkitEnv: true },
    "buildx's docker driver on the classic store": { buildx: true, containerdStore: false },
    "buildx's docker driver on the containerd store": { buildx: true, containerdStore: true },
    'a builder outside the engine': {
      buildx: true,
      builders: { store: { current: 'b', drivers: { b: 'docker-container' } }, named: '' }
    }
  }
  const REGISTRY = 'type=registry,ref=ghcr.io/org/app:buildcache,mode=max'

  test.each<[string, string, boolean]>([
    ['the classic builder', REGISTRY, false],
    ['the classic builder', 'type=inline', false],
    ["an older CLI's BuildKit", REGISTRY, false],
    ["an older CLI's BuildKit", 'type=inline', true],
    ["buildx's docker driver on the classic store", REGISTRY, false],
    ["buildx's docker driver on the classic store", 'type=gha,mode=max', false],
    ["buildx's docker driver on the classic store", 'type=inline', true],
    ["buildx's docker driver on the containerd store", REGISTRY, true],
    ['a builder outside the engine', REGISTRY, true],
    ['a builder outside the engine', 'type=gha,mode=max', true]
  ])('%s exports %s: %s', (builder, spec, ok) => {
    const result = on(builders[builder], { 'cache-to': spec })
    if (ok) expect(result.ok).toBe(true)
    else expect(onlyProblem(result, 'cache-to')).toMatch(/^Input 'cache-to': .+\. Fix: .+\.$/)
  })

  it("says what the docker driver on the classic store can do, and the fix (issue 24's done-when)", () => {
    expect(
      onlyProblem(on(builders["buildx's docker driver on the classic store"], { 'cache-to': REGISTRY }), 'cache-to')
    ).toBe(
      `Input 'cache-to': this builder (buildx's docker driver on the classic image store, or the CLI's built-in BuildKit) can export only an inline cache (type=inline), not ${REGISTRY}. Fix: add a docker/setup-buildx-action step before this one (its builder exports every cache type), turn on the containerd image store, or write cache-to: type=inline.`
    )
  })

  it('leaves the docker driver undecided until the engine says which store it has', () => {
    expect(on({ buildx: true }, { 'cache-to': REGISTRY }).ok).toBe(true)
  })

  it('refuses a gha or local cache-from with the classic builder, which reads only images it pulls', () => {
    expect(onlyProblem(on(builders['the classic builder'], { 'cache-from': 'type=gha' }), 'cache-from')).toContain(
      'the classic builder reads no gha cache (type=gha), only images it pulls'
    )
  })
})

describe('cache, the one word', () => {
  test.each([
    ['', 'false'],
    ['false', 'false'],
    ['none', 'false'],
    ['registry', 'registry'],
    ['Registry', 'registry'],
    ['gha', 'gha']
  ])('%j is %j', (value, mode) => {
    expect(buildOf(inputsOf(parse({ cache: value }))).cache).toBe(mode)
  })

  it('is one word or the specs, not both', () => {
    expect(onlyProblem(parse({ cache: 'registry', 'cache-to': 'type=inline' }), 'cache')).toContain(
      'give either the one word (cache) or the specs (cache-from, cache-to)'
    )
  })

  it('refuses other words, and gha where the builder has no such cache', () => {
    expect(onlyProblem(parse({ cache: 'max' }), 'cache')).toContain("'max' is not false, registry or gha")
    const classic = parseInputs(raw({ cache: 'gha' }), { ...env(), buildx: false })
    expect(onlyProblem(classic, 'cache')).toContain('the classic builder cannot read or write the GitHub Actions cache')
  })

  it('is ignored, with a warning, when nothing is built', () => {
    const result = parse({ 'source-image': 'alpine:3', cache: 'registry' })
    expect(result.warnings[0].message).toContain('cache')
  })
})
