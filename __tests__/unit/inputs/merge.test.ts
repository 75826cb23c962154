// inputs/merge.ts: the merge input: a part (one platform, pushed under its part tag) and the
// merge of the parts into one index, its rules, and the plan each gives.
import { describe, expect, it, test } from '@jest/globals'
import { commandLines } from '../../../src/plan/command-lines.js'
import type { GitEvent } from '../../../src/domain/event.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import { makePlan } from '../../../src/plan/plan.js'
import { mergeArgs } from '../../../src/plan/render.js'
import { env, NO_EVENT } from '../../__fixtures__/environment.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import { inputsOf, parseForMerge, raw } from '../../__fixtures__/inputs.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import { PARTS_SHA, TAG_PUSH } from '../../__fixtures__/event.js'

describe('merge: part', () => {
  it('pushes the one platform under its part tag only, with the revision label', () => {
    const inputs = inputsOf(parseForMerge({ merge: 'part', platforms: 'linux/arm64' }))
    expect(inputs.tags).toEqual(['sha-abc1234-linux-arm64'])
    const { plan } = makePlan(inputs, PLAN_FACTS)
    expect(plan.targets.map((t) => t.ref)).toEqual(['localhost:5000/app:sha-abc1234-linux-arm64'])
    expect(plan.labels['org.opencontainers.image.revision']).toBe(PARTS_SHA)
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
    const result = parseForMerge({ merge: 'part', ...overrides }, event)
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
    expect(inputs.source).toEqual({ kind: 'merge', platforms: ['linux/amd64', 'linux/arm64'], sha: PARTS_SHA })
    const { plan } = makePlan(inputs, PLAN_FACTS)
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
      '# check that localhost:5000/app:sha-abc1234-linux-amd64 exists and is of commit ' + PARTS_SHA
    )
  })

  it('warns that the build inputs are ignored', () => {
    const result = parseForMerge({ merge: 'linux/amd64', 'build-args': 'A=1', platforms: 'linux/amd64' })
    expect(result.warnings.map((w) => w.message)).toContain(
      'merge builds nothing, so build-args, platforms are ignored.'
    )
  })

  it('refuses what is no platform, and a merge of no commit', () => {
    const bad = parseForMerge({ merge: 'linux/amd64, arm64' })
    expect(bad.ok ? [] : bad.problems.map((p) => p.message)).toEqual([
      expect.stringContaining("'arm64' is not a platform")
    ])
    const noCommit = parseForMerge({ merge: 'linux/amd64' }, NO_EVENT)
    expect(noCommit.ok).toBe(false)
  })
})
