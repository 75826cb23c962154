// The buildx-version and buildx-download-url inputs (inputs/builder.ts).
import { describe, expect, it, test } from '@jest/globals'
import { env } from '../../__fixtures__/environment.js'
import { inputsOf, onlyProblem, parse } from '../../__fixtures__/inputs.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import { raw } from '../../__fixtures__/inputs.js'

const GITHUB = 'https://github.com/docker/buildx/releases'

describe('buildx-version', () => {
  test.each([
    ['', undefined],
    ['latest', { version: 'latest', base: GITHUB }],
    ['LATEST', { version: 'latest', base: GITHUB }],
    ['v0.29.1', { version: 'v0.29.1', base: GITHUB }],
    ['0.29.1', { version: 'v0.29.1', base: GITHUB }],
    ['v0.30.0-rc1', { version: 'v0.30.0-rc1', base: GITHUB }]
  ])('%j is %j', (value, release) => {
    expect(inputsOf(parse({ 'buildx-version': value })).buildx).toEqual(release)
  })

  test.each(['0.29', 'v0.29.1; rm -rf /', 'main'])('%j is a problem', (value) => {
    expect(onlyProblem(parse({ 'buildx-version': value }), 'buildx-version')).toBe(
      `Input 'buildx-version': '${value}' is not a buildx release. Fix: write latest, or a release such as v0.29.1 (or leave it empty to use the buildx of the runner).`
    )
  })

  it('takes a mirror or GitHub Enterprise Server release page', () => {
    const base = 'https://ghes.example/mirror/buildx/releases'
    expect(inputsOf(parse({ 'buildx-version': 'v0.29.1', 'buildx-download-url': base })).buildx).toEqual({
      version: 'v0.29.1',
      base
    })
    expect(onlyProblem(parse({ 'buildx-download-url': 'ftp://x' }), 'buildx-download-url')).toContain(
      "'ftp://x' is not an http(s) URL"
    )
  })

  it('makes every rule see buildx, which the run fetches before the build (a runner without buildx)', () => {
    const without = { ...env(), buildx: false }
    const platforms = { platforms: 'linux/amd64,linux/arm64', provenance: 'mode=max' }
    expect(parseInputs(raw(platforms), without).ok).toBe(false)
    expect(parseInputs(raw({ ...platforms, 'buildx-version': 'v0.29.1' }), without).ok).toBe(true)
  })
})
