// plan/cache.ts: the one-word cache made into each builder's best specs, keyed by
// branch so that a branch reads the default branch's cache and writes only its own
// (issue 24); the specs given passed as they are.
import { describe, expect, it, test } from '@jest/globals'
import { gitEventOf } from '../../../src/domain/event.js'
import type { GitEvent } from '../../../src/domain/event.js'
import type { CacheExporter } from '../../../src/inputs/cache.js'
import { cacheBranches, cachePlan, cacheTagOf } from '../../../src/plan/cache.js'
import type { CacheFacts } from '../../../src/plan/cache.js'
import { PLAIN_BUILD } from '../../__fixtures__/inputs.js'

const payload = (extra: object = {}) => ({ repository: { default_branch: 'main' }, ...extra })
const event = (name: string, ref: string, more: Record<string, string> = {}, extra: object = {}): GitEvent =>
  gitEventOf({ GITHUB_EVENT_NAME: name, GITHUB_REF: ref, GITHUB_SHA: 'a'.repeat(40), ...more }, payload(extra))

const BRANCH = event('push', 'refs/heads/feature/x')
const MAIN = event('push', 'refs/heads/main')
const PR = event(
  'pull_request',
  'refs/pull/42/merge',
  { GITHUB_BASE_REF: 'release-1' },
  { pull_request: { number: 42 } }
)
const RELEASE = event('push', 'refs/tags/v1.2.3')

describe('cacheBranches', () => {
  test.each<[string, GitEvent, string[]]>([
    ['a branch reads its own, then the default branch', BRANCH, ['feature/x', 'main']],
    ['the default branch, once', MAIN, ['main']],
    ['a pull request: its own, its base, the default branch', PR, ['pr-42', 'release-1', 'main']],
    ['a release tag: the default branch', RELEASE, ['main']],
    ['outside Actions', gitEventOf({}, undefined), ['default']]
  ])('%s', (_label, e, branches) => {
    expect(cacheBranches(e)).toEqual(branches)
  })

  it('makes valid tags of branch names', () => {
    expect(cacheTagOf('feature/x')).toBe('buildcache-feature-x')
    expect(cacheTagOf('b'.repeat(200))).toHaveLength(128)
  })
})

describe('cachePlan: cache: registry', () => {
  const facts = (exporter: CacheExporter, e: GitEvent = BRANCH, more: Partial<CacheFacts> = {}): CacheFacts => ({
    exporter,
    buildx: exporter !== 'none' && exporter !== 'inline',
    push: true,
    repository: 'ghcr.io/org/app',
    event: e,
    variant: { prefix: '', suffix: '' },
    ...more
  })
  const registry = { ...PLAIN_BUILD, cache: 'registry' as const }

  it('with a BuildKit builder: mode=max beside the image, reading the default branch, writing its own', () => {
    expect(cachePlan(registry, facts('all'))).toEqual({
      from: [
        'type=registry,ref=ghcr.io/org/app:buildcache-feature-x',
        'type=registry,ref=ghcr.io/org/app:buildcache-main'
      ],
      to: ['type=registry,ref=ghcr.io/org/app:buildcache-feature-x,mode=max,ignore-error=true'],
      inline: false,
      pulls: []
    })
  })

  it('writes nothing where push is off (a fork’s pull request is skipped for the same reason)', () => {
    expect(cachePlan(registry, facts('all', PR, { push: false })).to).toEqual([])
  })

  it('gha: the same branches as scopes', () => {
    expect(cachePlan({ ...registry, cache: 'gha' }, facts('all', PR))).toMatchObject({
      from: ['type=gha,scope=pr-42', 'type=gha,scope=release-1', 'type=gha,scope=main'],
      to: ['type=gha,scope=pr-42,mode=max,ignore-error=true']
    })
  })

  it('with the docker driver on the classic store: the branches’ last pushed images, and an inline cache', () => {
    expect(cachePlan(registry, facts('inline', BRANCH, { buildx: true }))).toEqual({
      from: ['ghcr.io/org/app:feature-x', 'ghcr.io/org/app:main'],
      to: ['type=inline'],
      inline: false,
      pulls: []
    })
  })

  it("with an older CLI's BuildKit: the images, inline through the build arg", () => {
    expect(cachePlan(registry, facts('inline', MAIN, { buildx: false }))).toMatchObject({
      from: ['ghcr.io/org/app:main'],
      to: [],
      inline: true
    })
  })

  it('with the classic builder: the images, pulled first, nothing written', () => {
    expect(cachePlan(registry, facts('none', PR))).toEqual({
      from: ['ghcr.io/org/app:pr-42', 'ghcr.io/org/app:release-1', 'ghcr.io/org/app:main'],
      to: [],
      inline: false,
      pulls: ['ghcr.io/org/app:pr-42', 'ghcr.io/org/app:release-1', 'ghcr.io/org/app:main']
    })
  })

  it('reads the image this run pushes too, where its tags name no branch (the inline cache of literal tags)', () => {
    expect(cachePlan(registry, facts('inline', MAIN, { buildx: true, ownTag: 'stable' })).from).toEqual([
      'ghcr.io/org/app:main',
      'ghcr.io/org/app:stable'
    ])
    expect(cachePlan(registry, facts('none', BRANCH, { ownTag: 'feature-x' })).pulls).toEqual([
      'ghcr.io/org/app:feature-x',
      'ghcr.io/org/app:main'
    ])
    // A BuildKit builder has its own cache tags: the image is not read.
    expect(cachePlan(registry, facts('all', MAIN, { ownTag: 'stable' })).from).toEqual([
      'type=registry,ref=ghcr.io/org/app:buildcache-main'
    ])
  })

  it("reads an image variant's own tags", () => {
    const variant = { prefix: '', suffix: '-alpine' }
    expect(cachePlan(registry, facts('none', MAIN, { variant })).from).toEqual(['ghcr.io/org/app:main-alpine'])
  })
})

describe('cachePlan: the specs given', () => {
  const facts: CacheFacts = {
    exporter: 'all',
    buildx: true,
    push: true,
    repository: 'r',
    event: MAIN,
    variant: { prefix: '', suffix: '' }
  }
  it('passes them as written: an image reference alone, a spec whole', () => {
    const build = {
      ...PLAIN_BUILD,
      cacheFrom: [
        { type: 'registry', attrs: [['ref', 'ghcr.io/org/app:latest']] as [string, string][] },
        { type: 'gha', attrs: [['scope', 'x']] as [string, string][] }
      ],
      cacheTo: [{ type: 'gha', attrs: [['mode', 'max']] as [string, string][] }]
    }
    expect(cachePlan(build, facts)).toEqual({
      from: ['ghcr.io/org/app:latest', 'type=gha,scope=x'],
      to: ['type=gha,mode=max'],
      inline: true,
      pulls: []
    })
  })
})
