// inputs/builder.ts: what the builder must be able to do: the platforms, provenance, a named
// buildx builder and the network of RUN steps, refused where the builder found cannot (through parseInputs).
import { describe, expect, it, test } from '@jest/globals'
import type { Provenance } from '../../../src/inputs/builder.js'
import type { Environment } from '../../../src/runner/environment.js'
import {
  ACTION_DEFAULTS,
  buildOf,
  expectWellFormed,
  inputsOf,
  onlyProblem,
  parse,
  parseOn,
  problemsOf,
  raw
} from '../../__fixtures__/inputs.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import { env } from '../../__fixtures__/environment.js'

describe('parseInputs: platforms', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['linux/amd64', ['linux/amd64']],
    ['windows/amd64', ['windows/amd64']],
    ['linux/amd64,linux/arm64', ['linux/amd64', 'linux/arm64']],
    ['linux/amd64\nlinux/arm64/v8, linux/arm/v7\n', ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']],
    ['linux/amd64, linux/arm64, linux/amd64', ['linux/amd64', 'linux/arm64']]
  ])('%j -> %j', (platforms, expected) => {
    const result = parse({ platforms })
    expect(buildOf(inputsOf(result)).platforms).toEqual(expected)
    expect(result.warnings).toEqual([])
  })

  test.each(['linux', 'linux/', 'linux/arm64/v8/x', 'Linux/AMD64', 'linux amd64', 'linux/amd64;x'])(
    'rejects %j',
    (platform) => {
      expect(onlyProblem(parse({ platforms: `linux/arm64, ${platform}` }), 'platforms')).toBe(
        `Input 'platforms': '${platform}' is not a platform. Fix: write os/arch[/variant] in lowercase, such as linux/amd64 or linux/arm/v7, several separated by commas or lines.`
      )
    }
  )

  it('gives one problem per bad platform', () => {
    const problems = problemsOf(parse({ platforms: 'linux, amd64, linux/arm64' }))
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining("'linux' is not a platform"),
      expect.stringContaining("'amd64' is not a platform")
    ])
    expectWellFormed(problems)
  })

  test.each<[string, Partial<Environment>, string]>([
    ['the classic builder', { buildx: false, buildkitEnv: false }, 'the classic builder'],
    ["an older CLI's BuildKit", { buildx: false, buildkitEnv: true }, "the CLI's built-in BuildKit"]
  ])('refuses several platforms without buildx (%s)', (_label, machine, what) => {
    const message = onlyProblem(parseOn(machine, { platforms: 'linux/amd64,linux/arm64' }), 'platforms')
    expect(message).toBe(
      `Input 'platforms': 2 platforms make one image index, which needs buildx, but docker build here is ${what} and builds one platform. Fix: install the buildx plugin (docker/setup-buildx-action) (add docker/setup-qemu-action for RUN steps of other architectures), or give one platform.`
    )
  })

  it('builds one platform without buildx', () => {
    const result = parseOn({ buildx: false }, { platforms: 'linux/arm64' })
    expect(buildOf(inputsOf(result)).platforms).toEqual(['linux/arm64'])
  })

  it('refuses a tarball of several platforms', () => {
    const message = onlyProblem(parse({ platforms: 'linux/amd64,linux/arm64', save: 'image.tar' }), 'save')
    expect(message).toBe(
      "Input 'save': a tarball for docker load holds one platform per tag, and platforms lists 2. Fix: save one platform (a job of its own with platforms set to it), or push the image index and pull the platform you need."
    )
    expect(inputsOf(parse({ platforms: 'linux/arm64', save: 'image.tar' })).save?.path).toBe('/ws/image.tar')
  })

  it('takes the deprecated platform input as platforms, with a warning', () => {
    const result = parse({ platform: 'linux/arm64' })
    expect(buildOf(inputsOf(result)).platforms).toEqual(['linux/arm64'])
    expect(result.warnings).toEqual([
      {
        input: 'platform',
        message: "Input 'platform' is deprecated: use platforms (the docker actions' name), which takes a list."
      }
    ])
    expect(onlyProblem(parse({ platform: 'linux' }), 'platform')).toContain(
      "Input 'platform': 'linux' is not a platform."
    )
  })

  it('refuses platform and platforms together', () => {
    expect(onlyProblem(parse({ platform: 'linux/arm64', platforms: 'linux/amd64' }), 'platform')).toBe(
      "Input 'platform': platform and platforms are both set. Fix: remove platform (deprecated) and list every platform in platforms."
    )
  })
})

describe('parseInputs: provenance', () => {
  test.each<[string, Provenance]>([
    ['', 'false'],
    ['false', 'false'],
    ['FALSE', 'false'],
    ['true', 'true'],
    ['True', 'true'],
    ['mode=min', 'mode=min'],
    ['mode=max', 'mode=max'],
    ['MODE=MAX', 'mode=max']
  ])('%j -> %s', (provenance, expected) => {
    expect(buildOf(inputsOf(parse({ provenance }))).provenance).toBe(expected)
  })

  test.each(['yes', 'mode=all', 'min', 'true,mode=max', 'builder-id=x'])('rejects %j', (provenance) => {
    expect(onlyProblem(parse({ provenance }), 'provenance')).toBe(
      `Input 'provenance': '${provenance}' is not true, false, mode=min or mode=max. Fix: write false (no attestation, the default), true or mode=min (a minimal provenance attestation) or mode=max (with the build args and more).`
    )
  })

  test.each(['true', 'mode=min', 'mode=max'])('refuses %s without buildx', (provenance) => {
    expect(onlyProblem(parseOn({ buildx: false, buildkitEnv: true }, { provenance }), 'provenance')).toBe(
      "Input 'provenance': provenance attestations need buildx. Fix: install the buildx plugin (docker/setup-buildx-action), or set provenance to false."
    )
  })

  it('accepts false (the action.yml default) without buildx', () => {
    expect(ACTION_DEFAULTS.provenance).toBe('false')
    expect(parseOn({ buildx: false }, { provenance: ACTION_DEFAULTS.provenance }).ok).toBe(true)
  })
})

describe('parseInputs: builder', () => {
  test.each(['', 'mybuilder', 'builder-1.2_x', 'ctx+remote', 'B'])('accepts %j', (builder) => {
    expect(buildOf(inputsOf(parse({ builder }))).builder).toBe(builder)
  })

  test.each(['my builder', '-x', 'a/b', 'x;y', '.hidden'])('rejects %j', (builder) => {
    expect(onlyProblem(parse({ builder }), 'builder')).toBe(
      `Input 'builder': '${builder}' is not a builder name. Fix: give the name of an existing buildx builder, such as the name output of docker/setup-buildx-action.`
    )
  })

  it('refuses a builder without buildx', () => {
    expect(onlyProblem(parseOn({ buildx: false }, { builder: 'remote' }), 'builder')).toBe(
      "Input 'builder': the builder 'remote' needs buildx, which is not installed. Fix: install the buildx plugin (docker/setup-buildx-action)."
    )
  })
})

describe('parseInputs: network', () => {
  const BUILDERS: Record<string, Partial<Environment>> = {
    buildx: { buildx: true, buildkitEnv: false },
    'DOCKER_BUILDKIT=1': { buildx: false, buildkitEnv: true },
    'the classic builder': { buildx: false, buildkitEnv: false }
  }
  const parseOnBuilder = (builder: string, network: string): ParseResult =>
    parseInputs(raw({ network }), { ...env(), ...BUILDERS[builder] })

  const BUILDKIT_PROBLEM = (network: string): string =>
    `Input 'network': '${network}' is not a network BuildKit can give RUN steps. Fix: write default, none or host (BuildKit builds know no other network).`
  const CLASSIC_PROBLEM = (network: string): string =>
    `Input 'network': '${network}' is not a network name. Fix: write default, bridge, host, none, container:<name> or the name of a docker network.`

  describe.each(['buildx', 'DOCKER_BUILDKIT=1'])('with %s', (builder) => {
    test.each(['', 'default', 'none', 'host'])('%j is fine', (network) => {
      expect(buildOf(inputsOf(parseOnBuilder(builder, network))).network).toBe(network)
    })

    test.each(['bridge', 'container:db', 'my-net', 'HOST', 'host;rm -rf', 'host --privileged'])(
      '%j is a problem',
      (network) => {
        expect(onlyProblem(parseOnBuilder(builder, network), 'network')).toBe(BUILDKIT_PROBLEM(network))
      }
    )
  })

  describe('with the classic builder', () => {
    test.each(['default', 'none', 'host', 'bridge', 'container:db', 'container:0abc', 'my-net', 'my_net.2'])(
      '%j is fine',
      (network) => {
        expect(buildOf(inputsOf(parseOnBuilder('the classic builder', network))).network).toBe(network)
      }
    )

    test.each(['host;rm -rf', 'container:', 'container:-x', 'a b', '-net', '$(id)', 'a/b', 'bridge&&x', 'net:work'])(
      '%j is a problem',
      (network) => {
        expect(onlyProblem(parseOnBuilder('the classic builder', network), 'network')).toBe(CLASSIC_PROBLEM(network))
      }
    )
  })
})

// buildx-version and buildx-download-url (issue 22).
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
