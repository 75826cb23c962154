import { describe, expect, it, test } from '@jest/globals'
import type { Environment } from '../../../src/runner/environment.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import { commandLines } from '../../../src/plan/command-lines.js'
import { makePlan } from '../../../src/plan/plan.js'
import { DEFAULT_TREE, env, NO_EVENT } from '../../__fixtures__/environment.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import { buildOf, inputsOf, onlyProblem, parse, raw } from '../../__fixtures__/inputs.js'

describe('parseInputs: target', () => {
  test.each(['prod', 'a', 'Build-2', 'stage_1.x', 'A.b-c', 'release_candidate'])('%j is a stage name', (target) => {
    expect(buildOf(inputsOf(parse({ target }))).target).toBe(target)
  })

  test.each(['-prod', '1st', '_x', '.x', 'prod stage', 'a/b', 'a:b', 'stagé', '$TARGET', 'a;b'])(
    '%j is a problem',
    (target) => {
      expect(onlyProblem(parse({ target }), 'target')).toBe(
        `Input 'target': '${target}' is not a stage name. Fix: give the name of a stage of the Dockerfile (FROM … AS name): a letter, then letters, digits, _ . or -.`
      )
    }
  )
})

describe('parseInputs: target names a stage of the Dockerfile, where it can be read', () => {
  const MULTI = [
    'FROM busybox AS Build',
    'RUN make',
    'from build as test',
    'FROM scratch AS prod',
    'COPY --from=build /a /a',
    ''
  ].join('\n')
  const withDockerfile = (text: string, target: string): ParseResult =>
    parseInputs(raw({ target }), env(DEFAULT_TREE, NO_EVENT, { texts: { '/ws/Dockerfile': text } }))

  test.each(['Build', 'build', 'BUILD', 'test', 'prod'])(
    '%j is one of its stages (without regard to case)',
    (target) => {
      expect(buildOf(inputsOf(withDockerfile(MULTI, target))).target).toBe(target)
    }
  )

  it('a stage it does not have is a problem naming the stages it has', () => {
    expect(onlyProblem(withDockerfile(MULTI, 'nosuchstage'), 'target')).toBe(
      "Input 'target': Dockerfile has no stage 'nosuchstage'; its stages are Build, test, prod. Fix: give one of Build, test, prod, or remove target to build the last stage."
    )
  })

  it('a Dockerfile without named stages says so', () => {
    expect(onlyProblem(withDockerfile('FROM scratch\nCOPY a /a\n', 'prod'), 'target')).toBe(
      "Input 'target': Dockerfile has no named stage, so there is no stage 'prod'. Fix: name the stage to build in the Dockerfile (FROM … AS name), or remove target to build the last stage."
    )
  })

  it('a stage named with a variable cannot be known: not checked', () => {
    expect(buildOf(inputsOf(withDockerfile('FROM scratch AS ${NAME}\n', 'prod'))).target).toBe('prod')
  })

  it('a Dockerfile that cannot be read (a remote context) is not checked', () => {
    expect(buildOf(inputsOf(parse({ target: 'anything' }))).target).toBe('anything')
  })

  it('a continued FROM line and a comment do not hide a stage', () => {
    const text =
      '# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM \\\n  busybox AS base\n# FROM x AS fake\n'
    expect(buildOf(inputsOf(withDockerfile(text, 'base'))).target).toBe('base')
    expect(onlyProblem(withDockerfile(text, 'fake'), 'target')).toContain('its stages are base.')
  })
})

describe('parseInputs: network', () => {
  const BUILDERS: Record<string, Partial<Environment>> = {
    buildx: { buildx: true, buildkitEnv: false },
    'DOCKER_BUILDKIT=1': { buildx: false, buildkitEnv: true },
    'the classic builder': { buildx: false, buildkitEnv: false }
  }
  const parseOn = (builder: string, network: string): ParseResult =>
    parseInputs(raw({ network }), { ...env(), ...BUILDERS[builder] })

  const BUILDKIT_PROBLEM = (network: string): string =>
    `Input 'network': '${network}' is not a network BuildKit can give RUN steps. Fix: write default, none or host (BuildKit builds know no other network).`
  const CLASSIC_PROBLEM = (network: string): string =>
    `Input 'network': '${network}' is not a network name. Fix: write default, bridge, host, none, container:<name> or the name of a docker network.`

  describe.each(['buildx', 'DOCKER_BUILDKIT=1'])('with %s', (builder) => {
    test.each(['', 'default', 'none', 'host'])('%j is fine', (network) => {
      expect(buildOf(inputsOf(parseOn(builder, network))).network).toBe(network)
    })

    test.each(['bridge', 'container:db', 'my-net', 'HOST', 'host;rm -rf', 'host --privileged'])(
      '%j is a problem',
      (network) => {
        expect(onlyProblem(parseOn(builder, network), 'network')).toBe(BUILDKIT_PROBLEM(network))
      }
    )
  })

  describe('with the classic builder', () => {
    test.each(['default', 'none', 'host', 'bridge', 'container:db', 'container:0abc', 'my-net', 'my_net.2'])(
      '%j is fine',
      (network) => {
        expect(buildOf(inputsOf(parseOn('the classic builder', network))).network).toBe(network)
      }
    )

    test.each(['host;rm -rf', 'container:', 'container:-x', 'a b', '-net', '$(id)', 'a/b', 'bridge&&x', 'net:work'])(
      '%j is a problem',
      (network) => {
        expect(onlyProblem(parseOn('the classic builder', network), 'network')).toBe(CLASSIC_PROBLEM(network))
      }
    )
  })
})

describe('parseInputs: a token in a remote context', () => {
  const facts = PLAN_FACTS
  const dryRunOf = (overrides: Partial<RawInputs>): string[] =>
    commandLines(makePlan(inputsOf(parse(overrides)), facts).plan)

  test.each<[string, string[], string]>([
    [
      'https://x-access-token:TOKEN@github.com/o/r.git',
      ['TOKEN', 'x-access-token:TOKEN'],
      "'https://***@github.com/o/r.git'"
    ],
    ['https://TOKEN@github.com/o/r.git', ['TOKEN'], "'https://***@github.com/o/r.git'"],
    [
      'https://oauth2:glpat-xyz@gitlab.com/o/r.git#main:sub',
      ['glpat-xyz', 'oauth2:glpat-xyz'],
      "'https://***@gitlab.com/o/r.git#main:sub'"
    ],
    ['http://ci:pw-123@10.0.0.1:8080/ctx.tar.gz', ['pw-123', 'ci:pw-123'], "'http://***@10.0.0.1:8080/ctx.tar.gz'"]
  ])('%s: masks the token, and the dry run shows ***@', (context, masks, shown) => {
    const result = parse({ context })
    expect(result.masks).toEqual(masks)
    expect(buildOf(inputsOf(result)).context).toBe(context)
    const build = dryRunOf({ context }).find((line) => line.startsWith('docker buildx build'))
    expect(build?.endsWith(` ${shown}`)).toBe(true)
    for (const mask of masks) expect(dryRunOf({ context }).join('\n')).not.toContain(mask)
  })

  test.each(['https://github.com/o/r.git', 'git@github.com:o/r.git', 'git://github.com/o/r.git', '.', 'app'])(
    '%s has nothing to mask',
    (context) => {
      const tree = {
        '/ws': 'directory',
        '/ws/Dockerfile': 'file',
        '/ws/app': 'directory',
        '/ws/app/Dockerfile': 'file'
      } as const
      expect(parse({ context }, tree).masks).toEqual([])
    }
  )

  test.each<[string, string[]]>([
    ['ssh://git@github.com/o/r.git', []],
    ['ssh://git@gitlab.example.com:2222/o/r.git#main', []],
    ['ssh://git:TOKEN@git.example.com/o/r.git', ['TOKEN', 'git:TOKEN']]
  ])('%s: masks %j, not the SSH user name (masking "git" would hide it all over the job log)', (context, masks) => {
    expect(parse({ context }).masks).toEqual(masks)
  })

  it('gives the masks along with the problems, so they are set before anything is printed', () => {
    const result = parse({ context: 'https://TOKEN@github.com/o/r.git', push: 'maybe' })
    expect(result.ok).toBe(false)
    expect(result.masks).toEqual(['TOKEN'])
  })
})
