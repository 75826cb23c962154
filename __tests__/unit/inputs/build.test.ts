// inputs/build.ts: the inputs of a build: the context and Dockerfile, the target stage,
// build args and labels, a token in a remote context (masked), and source-image in place
// of a build (through parseInputs).
import { describe, expect, it, test } from '@jest/globals'
import type { RawInputs } from '../../../src/inputs/names.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import { commandLines } from '../../../src/plan/command-lines.js'
import { makePlan } from '../../../src/plan/plan.js'
import { CREATED, DEFAULT_TREE, env, NO_EVENT } from '../../__fixtures__/environment.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import {
  ACTION_DEFAULTS,
  buildOf,
  HEX64,
  inputsOf,
  onlyProblem,
  parse,
  parseOn,
  problemsOf,
  raw
} from '../../__fixtures__/inputs.js'
import type { Kind } from '../../__fixtures__/environment.js'

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

describe('parseInputs: a token in a remote context', () => {
  const facts = PLAN_FACTS
  const dryRunOf = (overrides: Partial<RawInputs>): string[] =>
    commandLines(makePlan(inputsOf(parse(overrides)), facts).plan)

  // buildx gets a Git URL's token as BuildKit's Git auth secret (issue 23), so the URL it is given has none.
  test.each<[string, string[], string]>([
    [
      'https://x-access-token:T0k3n@github.com/o/r.git',
      ['T0k3n', 'x-access-token:T0k3n'],
      'https://github.com/o/r.git'
    ],
    ['https://T0k3n@github.com/o/r.git', ['T0k3n'], 'https://github.com/o/r.git'],
    [
      'https://oauth2:glpat-xyz@gitlab.com/o/r.git#main:sub',
      ['glpat-xyz', 'oauth2:glpat-xyz'],
      "'https://gitlab.com/o/r.git#main:sub'"
    ],
    ['http://ci:pw-123@10.0.0.1:8080/ctx.tar.gz', ['pw-123', 'ci:pw-123'], "'http://***@10.0.0.1:8080/ctx.tar.gz'"]
  ])('%s: masks the token, and the dry run shows none', (context, masks, shown) => {
    const result = parse({ context })
    expect(result.masks).toEqual(masks)
    expect(buildOf(inputsOf(result)).context).toBe(context)
    const build = dryRunOf({ context }).find((line) => line.includes('docker buildx build'))
    expect(build?.endsWith(` ${shown}`)).toBe(true)
    // The Git URL's token goes as BuildKit's secret, in the build's environment (shown as ***).
    if (context.includes('.git'))
      expect(build?.startsWith("SHIP_IMAGE_GIT_AUTH_TOKEN='***' docker buildx build")).toBe(true)
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

describe('parseInputs: build-args and labels', () => {
  describe.each<['build-args' | 'labels', 'buildArgs' | 'labels']>([
    ['build-args', 'buildArgs'],
    ['labels', 'labels']
  ])('%s', (name, field) => {
    test.each<[string, { key: string; value: string }[]]>([
      ['A=1', [{ key: 'A', value: '1' }]],
      [
        'A=1\nB=2',
        [
          { key: 'A', value: '1' },
          { key: 'B', value: '2' }
        ]
      ],
      ['URL=https://x.test/?a=b&c=d', [{ key: 'URL', value: 'https://x.test/?a=b&c=d' }]],
      ['LIST=a,b,c', [{ key: 'LIST', value: 'a,b,c' }]],
      ['EQ==', [{ key: 'EQ', value: '=' }]],
      ['EMPTY=', [{ key: 'EMPTY', value: '' }]],
      ['org.opencontainers.image.title=My App', [{ key: 'org.opencontainers.image.title', value: 'My App' }]],
      [
        '\n  A=1  \n\nB=x y\n',
        [
          { key: 'A', value: '1' },
          { key: 'B', value: 'x y' }
        ]
      ],
      // As people write them: a quoted line (CSV), a quoted value (a Dockerfile LABEL), spaces around =.
      ['"a=b, c"', [{ key: 'a', value: 'b, c' }]],
      ["'a=b, c'", [{ key: 'a', value: 'b, c' }]],
      ['a="b, c"', [{ key: 'a', value: 'b, c' }]],
      ["a='b c'", [{ key: 'a', value: 'b c' }]],
      ['"a=\'b\'"', [{ key: 'a', value: 'b' }]],
      ['key = value', [{ key: 'key', value: 'value' }]],
      ['key =  "spaced value"', [{ key: 'key', value: 'spaced value' }]],
      ['a=""', [{ key: 'a', value: '' }]],
      ['a=b"c"', [{ key: 'a', value: 'b"c"' }]],
      ['a=say "hi"', [{ key: 'a', value: 'say "hi"' }]],
      ['"a"="b c"', [{ key: 'a', value: 'b c' }]],
      ["'org.example.x' = 'y'", [{ key: 'org.example.x', value: 'y' }]]
    ])('%j', (value, expected) => {
      const withCreated = name === 'labels' ? [...expected, CREATED] : expected
      expect(buildOf(inputsOf(parse({ [name]: value })))[field]).toEqual(withCreated)
    })

    test.each([
      ['no =', 'NOEQ'],
      ['empty key', '=value'],
      ['key with a space', 'MY KEY=value'],
      ['key with a tab', 'MY\tKEY=value']
    ])('%s is a problem', (_label, line) => {
      expect(onlyProblem(parse({ [name]: line }), name)).toBe(
        `Input '${name}': '${line}' is not a KEY=VALUE line. Fix: write one KEY=VALUE per line, with no spaces or quotes in KEY.`
      )
    })

    test.each<[string, string]>([
      ['"a=b, c', 'the line'],
      ["'a=b", 'the line'],
      ['a="b, c', 'the value'],
      ['a="', 'the value'],
      ['a=\'b" c', 'the value']
    ])('%j, a quote that does not close, is a problem', (line, where) => {
      expect(onlyProblem(parse({ [name]: line }), name)).toBe(
        `Input '${name}': '${line}' has a quote that opens ${where} and does not close it. Fix: close the quote, or write the line without quotes (one KEY=VALUE per line; a value may hold spaces and commas).`
      )
    })

    test.each(["a'b=c", '"a\'b"=c', 'a"b"=c'])('%j, a key with a quote, is a problem', (line) => {
      expect(onlyProblem(parse({ [name]: line }), name)).toBe(
        `Input '${name}': '${line}' is not a KEY=VALUE line. Fix: write one KEY=VALUE per line, with no spaces or quotes in KEY.`
      )
    })

    it('reports each bad line and keeps the good ones out of the count', () => {
      const problems = problemsOf(parse({ [name]: 'A=1\nBAD\n=x\nB=2' }))
      expect(problems.map((p) => p.message)).toEqual([
        `Input '${name}': 'BAD' is not a KEY=VALUE line. Fix: write one KEY=VALUE per line, with no spaces or quotes in KEY.`,
        `Input '${name}': '=x' is not a KEY=VALUE line. Fix: write one KEY=VALUE per line, with no spaces or quotes in KEY.`
      ])
    })
  })
})

describe('parseInputs: context and file', () => {
  it('reports a missing context once, not a second time for its Dockerfile', () => {
    const message = onlyProblem(parse({ context: 'nope' }, { '/ws': 'directory' }), 'context')
    expect(message).toBe(
      "Input 'context': the folder 'nope' does not exist (looked in /ws/nope). Fix: give a folder relative to the workspace, and check the repository out first (actions/checkout)."
    )
  })

  it('reports a missing default context (an empty workspace) for context only', () => {
    expect(onlyProblem(parse({}, {}), 'context')).toContain("the folder '.' does not exist (looked in /ws)")
  })

  it('reports a context that is a file', () => {
    expect(onlyProblem(parse({ context: 'Dockerfile' }), 'context')).toContain(
      "'Dockerfile' is not a folder (looked in /ws/Dockerfile)"
    )
  })

  it('reports a missing default Dockerfile with its path relative to the workspace', () => {
    expect(onlyProblem(parse({ context: 'app' }, { '/ws': 'directory', '/ws/app': 'directory' }), 'file')).toBe(
      "Input 'file': the Dockerfile 'app/Dockerfile' does not exist (looked at /ws/app/Dockerfile). Fix: give the Dockerfile path relative to the workspace, or add a Dockerfile to the context."
    )
  })

  it('reports a missing explicit file as written', () => {
    expect(onlyProblem(parse({ file: 'docker/Dockerfile.prod' }), 'file')).toBe(
      "Input 'file': the Dockerfile 'docker/Dockerfile.prod' does not exist (looked at /ws/docker/Dockerfile.prod). Fix: give the Dockerfile path relative to the workspace, or add a Dockerfile to the context."
    )
  })

  it('reports a missing explicit file even when the context is missing too', () => {
    const problems = problemsOf(parse({ context: 'nope', file: 'nope.Dockerfile' }, { '/ws': 'directory' }))
    expect(problems.map((p) => p.input)).toEqual(['context', 'file'])
  })

  test.each<[string, Kind, string]>([
    ['a directory', 'directory', 'is not a file'],
    ['something else (a socket, a fifo)', 'other', 'is not a file']
  ])('reports a file that is %s', (_label, kind, text) => {
    const tree = { '/ws': 'directory', '/ws/build': kind } as Record<string, Exclude<Kind, 'missing'>>
    expect(onlyProblem(parse({ file: 'build' }, tree), 'file')).toBe(
      `Input 'file': the Dockerfile 'build' ${text} (looked at /ws/build). Fix: give the Dockerfile path relative to the workspace, or add a Dockerfile to the context.`
    )
  })

  test.each([
    ['https://github.com/alice/app.git#main'],
    ['http://example.com/context.tar.gz'],
    ['git@github.com:alice/app.git'],
    ['git://github.com/alice/app.git'],
    ['ssh://git@github.com/alice/app.git']
  ])('takes a remote context %s as written and checks no files', (context) => {
    const environment = env({})
    const withoutFile = inputsOf(parseInputs(raw({ context }), environment))
    expect(buildOf(withoutFile)).toMatchObject({ context, file: undefined })
    const withFile = inputsOf(parseInputs(raw({ context, file: 'docker/Dockerfile' }), environment))
    expect(buildOf(withFile)).toMatchObject({ context, file: 'docker/Dockerfile' })
    expect(environment.fs.lookups).toEqual([])
  })
})

describe('parseInputs: source-image', () => {
  test.each(['alpine:3.20', 'ghcr.io/org/app:v1', `alice/app@sha256:${HEX64}`, `sha256:${HEX64}`, 'abc123def456'])(
    '%s makes a retag source and checks no context or Dockerfile',
    (sourceImage) => {
      const environment = env({})
      const result = parseInputs(raw({ 'source-image': sourceImage }), environment)
      expect(result).toEqual({
        ok: true,
        warnings: [],
        notices: [],
        masks: [],
        inputs: expect.objectContaining({ source: { kind: 'image', ref: sourceImage } })
      })
      expect(environment.fs.lookups).toEqual([])
    }
  )

  it('does not report a missing context or file', () => {
    const result = parse({ 'source-image': 'alpine:3.20', context: 'nope', file: 'nope/Dockerfile' }, {})
    expect(inputsOf(result).source).toEqual({ kind: 'image', ref: 'alpine:3.20' })
  })

  it('warns once, listing every build input that is ignored', () => {
    const result = parse({
      'source-image': 'alpine:3.20',
      file: 'Dockerfile',
      'build-args': 'A=1',
      labels: 'a=b',
      target: 'prod',
      platform: 'linux/amd64',
      platforms: 'linux/arm64',
      network: 'host',
      provenance: 'mode=max',
      builder: 'remote',
      pull: 'true',
      'no-cache': 'true'
    })
    expect(result.ok).toBe(true)
    expect(result.warnings).toEqual([
      {
        input: 'source-image',
        message:
          'source-image is set, so nothing is built and file, build-args, labels, target, platform, platforms, network, builder, provenance, pull, no-cache are ignored.'
      }
    ])
  })

  it('does not count pull, no-cache and provenance at their action.yml default (false) as set', () => {
    const { pull, 'no-cache': noCache, provenance } = ACTION_DEFAULTS
    expect([pull, noCache, provenance]).toEqual(['false', 'false', 'false'])
    expect(parse({ 'source-image': 'alpine:3.20', pull, 'no-cache': noCache, provenance }).warnings).toEqual([])
  })

  it('says "is" for a single ignored input', () => {
    expect(parse({ 'source-image': 'alpine:3.20', target: 'prod' }).warnings).toEqual([
      { input: 'source-image', message: 'source-image is set, so nothing is built and target is ignored.' }
    ])
  })

  it('does not check the platform of a build that does not happen', () => {
    const result = parseOn({ buildx: false }, { 'source-image': 'alpine:3.20', platforms: 'linux,linux/arm64' })
    expect(result.ok).toBe(true)
    expect(result.warnings.map((w) => w.message)).toEqual([
      'source-image is set, so nothing is built and platforms is ignored.'
    ])
  })

  test.each<[string, string]>([
    ['GHCR.io/org/app:1', "the registry host 'GHCR.io' has uppercase letters"],
    ['alpine:.bad', "has an invalid tag '.bad'"],
    ['alpine@sha256:abc', 'has an invalid digest'],
    ['alpine app', 'white space']
  ])('%j is a problem', (sourceImage, text) => {
    const message = onlyProblem(parse({ 'source-image': sourceImage }), 'source-image')
    expect(message).toContain(text)
    expect(message.startsWith("Input 'source-image': ")).toBe(true)
    expect(message).toContain('. Fix: ')
  })
})
