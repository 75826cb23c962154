// merge.ts and the plan of a merge: the part tags, the merge input's rules, and the
// commands that make the index (buildx imagetools, or docker manifest).
import { describe, expect, it, test } from '@jest/globals'
import { commandLines } from '../../../src/plan/command-lines.js'
import type { GitEvent } from '../../../src/domain/event.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import { partTag } from '../../../src/inputs/tags.js'
import { makePlan } from '../../../src/plan/plan.js'
import { mergeArgs } from '../../../src/plan/render.js'
import type { MergeStep } from '../../../src/plan/steps.js'
import { env, NO_EVENT } from '../../__fixtures__/environment.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import { inputsOf, raw } from '../../__fixtures__/inputs.js'
import type { RawInputs } from '../../../src/inputs/names.js'

const SHA = 'abc1234def5678abc1234def5678abc1234def56'
const TAG_PUSH: GitEvent = { ...NO_EVENT, name: 'push', ref: 'refs/tags/v1.2.3', sha: SHA }
const FACTS = PLAN_FACTS

const parse = (overrides: Partial<RawInputs>, event: GitEvent = TAG_PUSH) =>
  parseInputs(raw({ images: 'localhost:5000/app', ...overrides }), env(undefined, event))

describe('partTag', () => {
  test.each([
    ['linux/amd64', 'sha-abc1234-linux-amd64'],
    ['linux/arm64', 'sha-abc1234-linux-arm64'],
    ['linux/arm/v7', 'sha-abc1234-linux-arm-v7']
  ])('%s -> %s', (platform, tag) => {
    expect(partTag(SHA, platform)).toBe(tag)
  })
})

describe('merge: part', () => {
  it('pushes the one platform under its part tag only, with the revision label', () => {
    const inputs = inputsOf(parse({ merge: 'part', platforms: 'linux/arm64' }))
    expect(inputs.tags).toEqual(['sha-abc1234-linux-arm64'])
    const { plan } = makePlan(inputs, FACTS)
    expect(plan.targets.map((t) => t.ref)).toEqual(['localhost:5000/app:sha-abc1234-linux-arm64'])
    expect(plan.labels['org.opencontainers.image.revision']).toBe(SHA)
  })

  test.each<[string, Partial<RawInputs>, GitEvent, RegExp]>([
    ['no platform', {}, TAG_PUSH, /a part is one platform, and platforms gives none/],
    [
      'two platforms',
      { platforms: 'linux/amd64,linux/arm64' },
      TAG_PUSH,
      /a part is one platform, and platforms gives 2/
    ],
    ['no commit', { platforms: 'linux/arm64' }, NO_EVENT, /needs the commit the parts are of/],
    ['no push', { platforms: 'linux/arm64', push: 'false' }, TAG_PUSH, /merge: part pushes, and push is false/],
    ['a save', { platforms: 'linux/arm64', save: 'i.tar' }, TAG_PUSH, /pushed, not saved/],
    ['a source image', { platforms: 'linux/arm64', 'source-image': 'alpine' }, TAG_PUSH, /a part is built/]
  ])('refuses %s', (_label, overrides, event, message) => {
    const result = parse({ merge: 'part', ...overrides }, event)
    expect(result.ok ? [] : result.problems.filter((p) => p.input === 'merge').map((p) => p.message)).toEqual([
      expect.stringMatching(message)
    ])
  })
})

describe('merge: the platforms', () => {
  it('builds nothing, checks no context, and makes one index per repository under every tag', () => {
    const result = parseInputs(
      raw({ images: 'localhost:5000/app\nghcr.io/org/app', merge: 'linux/amd64, linux/arm64, linux/amd64' }),
      env({}, TAG_PUSH)
    )
    const inputs = inputsOf(result)
    expect(inputs.source).toEqual({ kind: 'merge', platforms: ['linux/amd64', 'linux/arm64'], sha: SHA })
    const { plan } = makePlan(inputs, FACTS)
    expect(plan.pushes).toEqual([])
    if (plan.image.kind !== 'merge') throw new Error('a merge')
    const refs = ['1.2.3', '1.2', '1', 'latest', 'sha-abc1234'].map((t) => `localhost:5000/app:${t}`)
    expect(plan.image.repositories[0]).toEqual({
      repository: 'localhost:5000/app',
      insecure: false,
      parts: [
        { platform: 'linux/amd64', ref: 'localhost:5000/app:sha-abc1234-linux-amd64' },
        { platform: 'linux/arm64', ref: 'localhost:5000/app:sha-abc1234-linux-arm64' }
      ],
      refs
    })
    expect(mergeArgs(plan.image, plan.image.repositories[0])).toEqual([
      [
        ...['buildx', 'imagetools', 'create'],
        ...refs.flatMap((ref) => ['--tag', ref]),
        'localhost:5000/app:sha-abc1234-linux-amd64',
        'localhost:5000/app:sha-abc1234-linux-arm64'
      ]
    ])
    expect(commandLines(plan)[0]).toBe(
      '# check that localhost:5000/app:sha-abc1234-linux-amd64 exists and is of commit ' + SHA
    )
  })

  it('warns that the build inputs are ignored', () => {
    const result = parse({ merge: 'linux/amd64', 'build-args': 'A=1', platforms: 'linux/amd64' })
    expect(result.warnings.map((w) => w.message)).toContain(
      'merge builds nothing, so build-args, platforms are ignored.'
    )
  })

  it('refuses what is no platform, and a merge of no commit', () => {
    const bad = parse({ merge: 'linux/amd64, arm64' })
    expect(bad.ok ? [] : bad.problems.map((p) => p.message)).toEqual([
      expect.stringContaining("'arm64' is not a platform")
    ])
    const noCommit = parse({ merge: 'linux/amd64' }, NO_EVENT)
    expect(noCommit.ok).toBe(false)
  })
})

describe('the merge without buildx', () => {
  it('creates and pushes a manifest list per tag, talking plain HTTP only to a loopback registry', () => {
    const inputs = inputsOf(parse({ images: 'localhost:5000/app\nghcr.io/org/app', tags: 'v1', merge: 'linux/amd64' }))
    const step = makePlan(inputs, { ...FACTS, buildx: false }).plan.image as MergeStep
    expect(step.tool).toBe('manifest')
    const [local, ghcr] = step.repositories
    const part = 'sha-abc1234-linux-amd64'
    expect(mergeArgs(step, local)).toEqual([
      ['manifest', 'create', '--insecure', '--amend', 'localhost:5000/app:v1', `localhost:5000/app:${part}`],
      ['manifest', 'push', '--insecure', '--purge', 'localhost:5000/app:v1']
    ])
    expect(mergeArgs(step, ghcr)).toEqual([
      ['manifest', 'create', '--amend', 'ghcr.io/org/app:v1', `ghcr.io/org/app:${part}`],
      ['manifest', 'push', '--purge', 'ghcr.io/org/app:v1']
    ])
  })
})

describe('image variants and merge', () => {
  it('puts a part between the variant affixes, so two variants of one commit have their own parts', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567'
    expect(partTag(sha, 'linux/arm64')).toBe('sha-0123456-linux-arm64')
    expect(partTag(sha, 'linux/arm64', { prefix: '', suffix: '-alpine' })).toBe('sha-0123456-linux-arm64-alpine')
    expect(partTag(sha, 'linux/arm/v7', { prefix: 'slim-', suffix: '' })).toBe('slim-sha-0123456-linux-arm-v7')
  })
})
