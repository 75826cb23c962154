import { describe, expect, it, test } from '@jest/globals'
import * as path from 'node:path'
import { readActionFile } from '../../../scripts/lib/action-yml.mjs'
import { gitEventOf } from '../../../src/domain/event.js'
import type { Provenance } from '../../../src/inputs/builder.js'
import type { Environment } from '../../../src/runner/environment.js'
import { INPUT_NAMES } from '../../../src/inputs/names.js'
import type { InputName, RawInputs } from '../../../src/inputs/names.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { Inputs, ParseResult } from '../../../src/inputs/inputs.js'
import { parseLines, parseList } from '../../../src/inputs/parse.js'
import { makePlan } from '../../../src/plan/plan.js'
import type { Warning } from '../../../src/inputs/parse.js'
import { CREATED, DEFAULT_TREE, env } from '../../__fixtures__/environment.js'
import {
  buildOf,
  expectWellFormed,
  inputsOf,
  onlyProblem,
  parse,
  PLAIN_BUILD,
  problemsOf,
  raw
} from '../../__fixtures__/inputs.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import type { Kind } from '../../__fixtures__/environment.js'

const HEX64 = '1e226b227e53c467365f7805864fa6e432d96d9071f6949fc152f62a858bc812'

/** The defaults action.yml gives its inputs (the runner passes them when a workflow sets nothing). */
const ACTION_DEFAULTS: Partial<RawInputs> = Object.fromEntries(
  readActionFile()
    .inputs.filter((input) => input.default !== undefined)
    .map((input) => [input.name, input.default])
)

describe('parseList', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['   ', []],
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    ['a\nb', ['a', 'b']],
    [' a , b ,\n c \n', ['a', 'b', 'c']],
    ['a,,b\n\n,c', ['a', 'b', 'c']],
    ['a\r\nb', ['a', 'b']],
    ['b,a,b', ['b', 'a', 'b']]
  ])('%j -> %j', (value, expected) => {
    expect(parseList(value)).toEqual(expected)
  })
})

describe('parseLines', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['\n \n', []],
    ['A=1', ['A=1']],
    ['A=1,B=2', ['A=1,B=2']],
    ['A=1\nB=2', ['A=1', 'B=2']],
    ['  A=1  \n\n  B = 2 \n', ['A=1', 'B = 2']],
    ['A=1\r\nB=2\r\n', ['A=1', 'B=2']]
  ])('%j -> %j', (value, expected) => {
    expect(parseLines(value)).toEqual(expected)
  })
})

describe('INPUT_NAMES', () => {
  it('lists every input of action.yml once', () => {
    const declared = readActionFile().inputs.map((input) => input.name)
    expect(declared.length).toBeGreaterThan(0)
    expect(new Set(INPUT_NAMES).size).toBe(INPUT_NAMES.length)
    expect([...INPUT_NAMES].sort()).toEqual([...declared].sort())
  })
})

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
          build: PLAIN_BUILD
        },
        push: true,
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

describe('parseInputs: images', () => {
  it('parses several repositories, comma- or newline-separated, in order', () => {
    const inputs = inputsOf(parse({ images: 'alice/app, ghcr.io/org/app\nlocalhost:5000/app' }))
    expect(inputs.images).toEqual([
      { name: 'alice/app', domain: 'docker.io', path: 'alice/app' },
      { name: 'ghcr.io/org/app', domain: 'ghcr.io', path: 'org/app' },
      { name: 'localhost:5000/app', domain: 'localhost:5000', path: 'app' }
    ])
  })

  it('drops repeated repositories, keeping the first place', () => {
    expect(inputsOf(parse({ images: 'b/app,a/app,b/app\na/app' })).images.map((i) => i.name)).toEqual([
      'b/app',
      'a/app'
    ])
  })

  test.each(['', ' , \n '])('is a problem when no repository is given (%j)', (images) => {
    expect(onlyProblem(parse({ images }), 'images')).toBe(
      "Input 'images': no repository given. Fix: list one or more repositories, such as alice/app or ghcr.io/org/app."
    )
  })

  it('reports a tagged repository with the fix naming the repository', () => {
    expect(onlyProblem(parse({ images: 'alice/app:v1' }), 'images')).toBe(
      "Input 'images': 'alice/app:v1' has a tag. Fix: write the repository 'alice/app' in images and the tag in tags."
    )
  })

  it('reports each invalid repository once, and keeps quiet about valid ones', () => {
    const problems = problemsOf(parse({ images: 'alice/-bad, ok/app, alice/app:v1, alice/-bad' }))
    expect(problems.map((p) => p.input)).toEqual(['images', 'images'])
    expect(problems[0].message).toContain("invalid path component '-bad'")
    expect(problems[1].message).toContain("'alice/app:v1' has a tag")
    expectWellFormed(problems)
  })
})

describe('parseInputs: image hosts with a port', () => {
  test.each(['localhost:0', 'localhost:65536', 'localhost:99999', 'registry.example.com:70000'])(
    'refuses the port of %s/app, which no TCP port is',
    (host) => {
      expect(onlyProblem(parse({ images: `${host}/app` }), 'images')).toBe(
        `Input 'images': '${host}' is not a valid registry host. Fix: use a host name with an optional :port.`
      )
    }
  )

  test.each(['localhost:1', 'localhost:65535'])('accepts the port of %s/app', (host) => {
    expect(inputsOf(parse({ images: `${host}/app` })).images).toEqual([
      { name: `${host}/app`, domain: host, path: 'app' }
    ])
  })
})

describe('parseInputs: tags', () => {
  test.each<[string, string[]]>([
    ['', ['latest']],
    ['auto', ['latest']],
    ['v1', ['v1']],
    ['v1,v2', ['v1', 'v2']],
    ['v1\nauto', ['v1', 'latest']],
    ['auto, v1', ['latest', 'v1']],
    ['v1, auto, v1, latest, v2', ['v1', 'latest', 'v2']],
    ['latest\nauto', ['latest']],
    ['auto,auto', ['latest']],
    ['v2,v1,v2,v1', ['v2', 'v1']]
  ])('%j -> %j', (tags, expected) => {
    expect(inputsOf(parse({ tags })).tags).toEqual(expected)
  })

  test.each<[string, string]>([
    ['.x', "Input 'tags': '.x' is not a valid tag."],
    ['-x', "Input 'tags': '-x' is not a valid tag."],
    ['a b', "Input 'tags': 'a b' is not a valid tag."],
    ['x'.repeat(129), `Input 'tags': '${'x'.repeat(40)}… (129 characters)' is not a valid tag.`]
  ])('rejects %j', (tags, start) => {
    const message = onlyProblem(parse({ tags }), 'tags')
    expect(message.startsWith(start)).toBe(true)
    expect(message).toContain('Fix: a tag is 1 to 128 characters')
  })

  test.each<[string, string]>([
    [
      'ghcr.io/octo/app:1.2.3',
      "Input 'tags': 'ghcr.io/octo/app:1.2.3' is a full image reference, not a tag. Fix: write the repository 'ghcr.io/octo/app' in images and only the tag '1.2.3' in tags (each tag applies to every repository in images)."
    ],
    [
      'octo/app:latest',
      "Input 'tags': 'octo/app:latest' is a full image reference, not a tag. Fix: write the repository 'octo/app' in images and only the tag 'latest' in tags (each tag applies to every repository in images)."
    ],
    [
      'localhost:5000/app',
      "Input 'tags': 'localhost:5000/app' is a repository, not a tag. Fix: write the repository 'localhost:5000/app' in images and only tag names such as latest or 1.2.3 in tags (each tag applies to every repository in images)."
    ],
    [
      'a/b',
      "Input 'tags': 'a/b' is a repository, not a tag. Fix: write the repository 'a/b' in images and only tag names such as latest or 1.2.3 in tags (each tag applies to every repository in images)."
    ],
    [
      'Octo/App:V1',
      "Input 'tags': 'Octo/App:V1' is a full image reference, not a tag. Fix: write the repository 'Octo/App' in images and only the tag 'V1' in tags (each tag applies to every repository in images)."
    ]
  ])('says that the repository of the full reference %j goes in images', (tags, message) => {
    expect(onlyProblem(parse({ tags }), 'tags')).toBe(message)
  })

  it('names the repository in images for a build-push-action style list of references', () => {
    const problems = problemsOf(parse({ tags: 'octo/app:1.2.3\nocto/app:latest' }))
    expect(problems.map((p) => p.message.slice(0, p.message.indexOf('. Fix')))).toEqual([
      "Input 'tags': 'octo/app:1.2.3' is a full image reference, not a tag",
      "Input 'tags': 'octo/app:latest' is a full image reference, not a tag"
    ])
  })

  it('reports each invalid tag once', () => {
    const problems = problemsOf(parse({ tags: '.a, v1, -b, .a' }))
    expect(problems.map((p) => p.message.slice(0, p.message.indexOf(' is not')))).toEqual([
      "Input 'tags': '.a'",
      "Input 'tags': '-b'"
    ])
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

/** parseInputs on a machine whose facts differ from env()'s (buildx installed) as given. */
function parseOn(machine: Partial<Environment>, overrides: Partial<RawInputs> = {}): ParseResult {
  return parseInputs(raw(overrides), { ...env(), ...machine })
}

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

describe('parseInputs: save', () => {
  test.each<[string, string, string]>([
    ['image.tar', '/ws/image.tar', 'tar'],
    ['out/image.tar.gz', '/ws/out/image.tar.gz', 'gzip'],
    ['image.tgz', '/ws/image.tgz', 'gzip'],
    ['IMAGE.TAR.GZ', '/ws/IMAGE.TAR.GZ', 'gzip'],
    ['Image.TAR', '/ws/Image.TAR', 'tar'],
    ['/tmp/abs.tar', '/tmp/abs.tar', 'tar'],
    ['deep/missing/folders/image.tgz', '/ws/deep/missing/folders/image.tgz', 'gzip'],
    ['image.tar.zst', '/ws/image.tar.zst', 'zstd'],
    ['out/IMAGE.TAR.ZST', '/ws/out/IMAGE.TAR.ZST', 'zstd']
  ])('%s -> %s (%s)', (save, path, format) => {
    expect(
      inputsOf(parse({ save }, { '/': 'directory', '/ws': 'directory', '/ws/Dockerfile': 'file', '/tmp': 'directory' }))
        .save
    ).toEqual({ path, format, level: 3 })
  })

  it('accepts a tarball whose folders do not exist anywhere', () => {
    expect(
      inputsOf(parse({ save: '/nowhere/at/all/image.tar' }, { '/ws': 'directory', '/ws/Dockerfile': 'file' })).save
    ).toEqual({
      path: '/nowhere/at/all/image.tar',
      format: 'tar',
      level: 3
    })
  })

  it('accepts an existing file (it is replaced)', () => {
    expect(
      inputsOf(parse({ save: 'image.tar' }, { '/ws': 'directory', '/ws/Dockerfile': 'file', '/ws/image.tar': 'file' }))
        .save
    ).toEqual({
      path: '/ws/image.tar',
      format: 'tar',
      level: 3
    })
  })

  test.each(['image.zip', 'image', 'image.tar.bz2', 'image.gz', 'tar'])('%j has the wrong extension', (save) => {
    expect(onlyProblem(parse({ save }), 'save')).toBe(
      `Input 'save': '${save}' does not end in .tar, .tar.gz, .tgz or .tar.zst. Fix: name the tarball file.tar, or file.tar.gz / file.tgz (gzip) or file.tar.zst (zstd) to compress it.`
    )
  })

  it('is a problem when the path is a folder', () => {
    const tree = { '/ws': 'directory', '/ws/Dockerfile': 'file', '/ws/images.tar': 'directory' } as const
    expect(onlyProblem(parse({ save: 'images.tar' }, tree), 'save')).toBe(
      "Input 'save': 'images.tar' is a folder. Fix: give a file path such as image.tar.gz."
    )
  })

  test.each([
    ['directly under a file', 'Dockerfile/image.tar', '/ws/Dockerfile'],
    ['under a missing folder under a file', 'Dockerfile/sub/dir/image.tar.gz', '/ws/Dockerfile']
  ])('is a problem %s', (_label, save, blocker) => {
    expect(onlyProblem(parse({ save }), 'save')).toBe(
      `Input 'save': '${blocker}' is a file, so '${save}' cannot be created inside it. Fix: choose a path whose parent folders are folders.`
    )
  })

  describe('with read-only folders', () => {
    const tree = { ...DEFAULT_TREE, '/ro': 'directory', '/ws/dist': 'directory' } as const
    const parseWith = (save: string): ParseResult =>
      parseInputs(raw({ save }), env(tree, undefined, { readOnly: ['/ro', '/ws/dist'] }))

    // The folder that refuses the tarball, or '' where it can be created (missing folders under a writable one).
    test.each<[string, string]>([
      ['/ro/image.tar', '/ro'],
      ['/ro/new/deeper/image.tar.gz', '/ro'],
      ['dist/image.tgz', '/ws/dist'],
      ['dist/sub/image.tar', '/ws/dist'],
      ['out/new/image.tar', ''],
      ['/ws/built/image.tgz', '']
    ])('%s: refused by %j', (save, folder) => {
      const result = parseWith(save)
      if (folder === '') expect(inputsOf(result).save?.path).toBe(path.resolve('/ws', save))
      else
        expect(onlyProblem(result, 'save')).toBe(
          `Input 'save': this run may not write into '${folder}', so '${save}' cannot be created. Fix: choose a path in a folder the runner can write to, such as one in the workspace.`
        )
    })
  })
})

describe('parseInputs: registry', () => {
  test.each<[string, string]>([
    ['', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['https://index.docker.io/v1', 'docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['https://ghcr.io', 'ghcr.io'],
    ['https://ghcr.io/', 'ghcr.io'],
    ['http://localhost:5000', 'localhost:5000'],
    ['localhost:5000', 'localhost:5000'],
    ['GHCR.IO', 'ghcr.io'],
    ['https://ghcr.io/v1/', 'ghcr.io'],
    ['https://ghcr.io/v2/', 'ghcr.io'],
    ['localhost:5000/v2', 'localhost:5000'],
    ['localhost:1', 'localhost:1'],
    ['localhost:65535', 'localhost:65535'],
    ['https://registry-1.docker.io/v2/', 'docker.io']
  ])('%j -> %s', (registry, expected) => {
    expect(inputsOf(parse({ registry })).registry).toBe(expected)
  })

  test.each([
    'not a host!',
    'ghcr.io/org',
    'ghcr.io/v3',
    'https://ghcr.io/org/app',
    'ftp://ghcr.io',
    'host:port',
    'ghcr.io:',
    'https://',
    '/',
    '/v1',
    'https:///v2/',
    'localhost:0',
    'localhost:65536',
    'localhost:99999',
    'http://localhost:65536/v2/'
  ])('%j is a problem', (registry) => {
    expect(onlyProblem(parse({ registry }), 'registry')).toBe(
      `Input 'registry': '${registry}' is not a registry host. Fix: write a host with an optional port from 1 to 65535, such as ghcr.io or localhost:5000.`
    )
  })
})

describe('parseInputs: credentials', () => {
  it('are set when username and password both are', () => {
    const result = parse({ username: 'alice', password: 's3cret' })
    expect(inputsOf(result).logins).toEqual([{ registry: 'docker.io', username: 'alice', password: 's3cret' }])
    expect(result.warnings).toEqual([])
  })

  it('are undefined when neither is set, without a warning', () => {
    const result = parse()
    expect(inputsOf(result).logins).toEqual([])
    expect(result.warnings).toEqual([])
  })

  test.each<[Partial<RawInputs>, Warning]>([
    [
      { username: 'alice' },
      {
        input: 'password',
        message:
          "Input 'username' is set but 'password' is empty, so the action does not log in (a secret is empty on pull requests from forks)."
      }
    ],
    [
      { password: 's3cret' },
      {
        input: 'username',
        message:
          "Input 'password' is set but 'username' is empty, so the action does not log in (a secret is empty on pull requests from forks)."
      }
    ]
  ])('only one of them (%j) is a warning, not a problem', (overrides, warning) => {
    const result = parse(overrides)
    expect(result.ok).toBe(true)
    expect(inputsOf(result).logins).toEqual([])
    expect(result.warnings).toEqual([warning])
  })

  test.each<[string, string]>([
    ['alice:s3cret', "a ':'"],
    ['alice:', "a ':'"],
    ['a b:c', "a ':'"],
    ['alice smith', 'white space'],
    ['alice\tsmith', 'white space'],
    [' alice', 'white space']
  ])('a username such as %j, with %s, is a problem on username', (username, what) => {
    expect(onlyProblem(parse({ username, password: 's3cret' }), 'username')).toBe(
      `Input 'username': '${username}' has ${what}, which no registry user name can hold. Fix: give the user name alone (the password or token goes in password).`
    )
  })

  test.each(['alice', 'x-access-token', '_json_key', 'alice@example.com', 'AWS', 'robot$ci+deploy'])(
    'the username %j is fine',
    (username) => {
      expect(inputsOf(parse({ username, password: 's3cret' })).logins).toEqual([
        { registry: 'docker.io', username, password: 's3cret' }
      ])
    }
  )

  it('never puts the password in a warning or a problem', () => {
    const result = parse({ password: 'hunter2-secret', images: '', tags: '.bad', push: 'maybe' })
    const texts = [...problemsOf(result), ...result.warnings].map((m) => m.message)
    expect(texts.length).toBeGreaterThan(0)
    for (const text of texts) expect(text).not.toContain('hunter2-secret')
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

describe('parseInputs: naming rules', () => {
  test.each<[string, string, string]>([
    ['ghcr.io/Octo-Org/App', 'ghcr.io/octo-org/app', 'ghcr.io'],
    ['Octo-Org/App', 'octo-org/app', 'docker.io'],
    ['localhost:5000/Team/App', 'localhost:5000/team/app', 'localhost:5000'],
    ['registry.example.com:8443/A/B/C', 'registry.example.com:8443/a/b/c', 'registry.example.com:8443']
  ])('lowercases %s with a notice naming both spellings', (written, name, domain) => {
    const result = parse({ images: written })
    const inputs = inputsOf(result)
    expect(inputs.images.map((i) => [i.name, i.domain])).toEqual([[name, domain]])
    expect(result.notices).toEqual([
      {
        input: 'images',
        message: `'${written}' has uppercase letters, which docker does not allow in repository names; using '${name}'.`
      }
    ])
  })

  test.each<[string, Partial<RawInputs>, string]>([
    ['cache-from', { 'cache-from': 'ghcr.io/Octo-Org/App:Main' }, 'ghcr.io/octo-org/app:Main'],
    ['cache-from', { 'cache-from': 'Octo-Org/App' }, 'octo-org/app'],
    [
      'cache-from',
      { 'cache-from': `localhost:5000/Team/App@sha256:${HEX64}` },
      `localhost:5000/team/app@sha256:${HEX64}`
    ],
    ['source-image', { 'source-image': 'ghcr.io/Octo-Org/App:V1.2' }, 'ghcr.io/octo-org/app:V1.2'],
    ['source-image', { 'source-image': `Octo/App:1@sha256:${HEX64}` }, `octo/app:1@sha256:${HEX64}`]
  ])(
    'lowercases the repository of %s %j, keeping its tag and digest, with the notice images get',
    (input, overrides, used) => {
      const result = parse(overrides)
      const inputs = inputsOf(result)
      const written = overrides[input as InputName]!
      if (input === 'cache-from') expect(buildOf(inputs).cacheFrom).toEqual([used])
      else expect(inputs.source).toEqual({ kind: 'image', ref: used })
      expect(result.notices).toEqual([
        {
          input,
          message: `'${written}' has uppercase letters, which docker does not allow in repository names; using '${used}'.`
        }
      ])
    }
  )

  it('gives one notice for every name lowercased, in images and cache-from (the GHCR recipe)', () => {
    const result = parse({
      registry: 'ghcr.io',
      images: 'Octo-Org/Octo-App',
      'cache-from': 'ghcr.io/Octo-Org/Octo-App:main\nghcr.io/Octo-Org/Octo-App:main, ghcr.io/octo-org/base:1'
    })
    const inputs = inputsOf(result)
    expect(inputs.images.map((i) => i.name)).toEqual(['ghcr.io/octo-org/octo-app'])
    expect(buildOf(inputs).cacheFrom).toEqual(['ghcr.io/octo-org/octo-app:main', 'ghcr.io/octo-org/base:1'])
    expect(result.notices).toEqual([
      {
        input: 'images',
        message:
          "Docker does not allow uppercase letters in repository names; using 'octo-org/octo-app' for 'Octo-Org/Octo-App' (images), 'ghcr.io/octo-org/octo-app:main' for 'ghcr.io/Octo-Org/Octo-App:main' (cache-from)."
      }
    ])
  })

  test.each<[InputName, string]>([
    ['cache-from', 'GHCR.io/org/app:main'],
    ['source-image', 'GHCR.io/org/app:main']
  ])('refuses an uppercase registry host in %s, once', (input, value) => {
    expect(onlyProblem(parse({ [input]: value }), input)).toBe(
      `Input '${input}': the registry host 'GHCR.io' has uppercase letters. Fix: write it as 'ghcr.io'.`
    )
  })

  it('leaves a buildx cache spec as written, to be refused whole', () => {
    expect(onlyProblem(parse({ 'cache-from': 'type=registry,ref=ghcr.io/Org/App' }), 'cache-from')).toContain(
      "'type=registry,ref=ghcr.io/Org/App' is a buildx cache spec"
    )
  })

  it('merges two spellings of one repository into one', () => {
    const result = parse({ images: 'octo/app, Octo/App' })
    expect(inputsOf(result).images.map((i) => i.name)).toEqual(['octo/app'])
    expect(result.notices).toHaveLength(1)
  })

  test.each(['GHCR.io/org/app', 'Registry.Example.com:5000/app', 'LOCALHOST:5000/app'])(
    'refuses an uppercase registry host in %s',
    (images) => {
      const message = onlyProblem(parse({ images }), 'images')
      const host = images.slice(0, images.indexOf('/'))
      expect(message).toBe(
        `Input 'images': the registry host '${host}' has uppercase letters. Fix: write it as '${host.toLowerCase()}'.`
      )
    }
  )

  test.each<[string, string]>([
    ['app', 'app'],
    ['docker.io/app', 'app'],
    ['index.docker.io/app', 'app'],
    ['My-App', 'my-app']
  ])('refuses the Docker Hub repository %s without an account, naming <username>/%s as the fix', (images, image) => {
    const message = onlyProblem(parse({ images }), 'images')
    expect(message).toContain('is a Docker Hub repository without an account')
    expect(message).toContain(
      `Fix: write '<username>/${image}' (your Docker Hub account or organisation), or 'library/${image}' if you publish an official image.`
    )
  })

  it('names the username input in the Docker Hub fix when it is set', () => {
    const result = parse({ images: 'app', username: 'alice', password: 'pw' })
    expect(problemsOf(result)[0].message).toContain("Fix: write 'alice/app'")
  })

  test.each(['library/app', 'docker.io/library/app', 'alice/app', 'alice/library/app'])(
    'accepts the Docker Hub repository %s',
    (images) => {
      expect(inputsOf(parse({ images })).images).toHaveLength(1)
    }
  )

  test.each<[string, string, string, string]>([
    ['ghcr.io', 'octo-org/app', 'ghcr.io/octo-org/app', 'octo-org/app'],
    ['ghcr.io', 'app', 'ghcr.io/app', 'app'],
    ['localhost:5000', 'app', 'localhost:5000/app', 'app'],
    ['https://index.docker.io/v1/', 'alice/app', 'alice/app', 'alice/app'],
    ['', 'alice/app', 'alice/app', 'alice/app'],
    ['ghcr.io', 'quay.io/org/app', 'quay.io/org/app', 'org/app'],
    ['ghcr.io', 'docker.io/alice/app', 'docker.io/alice/app', 'alice/app']
  ])('with registry %j, %s is pushed as %s', (registry, images, name, repoPath) => {
    const [repository] = inputsOf(parse({ registry, images })).images
    expect(repository.name).toBe(name)
    expect(repository.path).toBe(repoPath)
  })

  it('does not refuse a single-component name that goes to another registry', () => {
    expect(inputsOf(parse({ registry: 'ghcr.io', images: 'app' })).images[0].domain).toBe('ghcr.io')
  })
})

describe('parseInputs: latest, version and labels from the Git event', () => {
  const SHA = 'abcdef0123456789abcdef0123456789abcdef01'
  const release = gitEventOf(
    { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'octo-org/app' },
    undefined
  )

  function parseOn(overrides: Partial<RawInputs>, event = release): ParseResult {
    return parseInputs(raw(overrides), env(undefined, event))
  }

  it('gives the release tags, the version and the OCI labels for a tag push', () => {
    const inputs = inputsOf(parseOn({}))
    expect(inputs.tags).toEqual(['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0'])
    expect(inputs.version).toBe('1.2.3')
    expect(buildOf(inputs).labels).toEqual([
      { key: 'org.opencontainers.image.source', value: 'https://github.com/octo-org/app' },
      { key: 'org.opencontainers.image.revision', value: SHA },
      { key: 'org.opencontainers.image.version', value: '1.2.3' },
      CREATED,
      { key: 'org.opencontainers.image.title', value: 'app' }
    ])
  })

  it('dates the created label at the commit and gives BuildKit its SOURCE_DATE_EPOCH', () => {
    const environment = {
      ...env(undefined, release),
      created: { date: new Date('2025-03-04T04:06:07Z'), source: 'head commit' as const }
    }
    const build = buildOf(inputsOf(parseInputs(raw(), environment)))
    expect(build.labels).toContainEqual({ key: 'org.opencontainers.image.created', value: '2025-03-04T04:06:07Z' })
    expect(build.sourceDateEpoch).toBe(1741061167)
  })

  it('gives no SOURCE_DATE_EPOCH when the time is only now', () => {
    expect(buildOf(inputsOf(parseOn({}))).sourceDateEpoch).toBeUndefined()
  })

  it('lets a label the user sets win over the default of the same key', () => {
    const labels = buildOf(
      inputsOf(parseOn({ labels: 'org.opencontainers.image.title=My App\norg.opencontainers.image.version=custom' }))
    ).labels
    expect(labels.filter((l) => l.key === 'org.opencontainers.image.title')).toEqual([
      { key: 'org.opencontainers.image.title', value: 'My App' }
    ])
    expect(labels.filter((l) => l.key === 'org.opencontainers.image.version')).toEqual([
      { key: 'org.opencontainers.image.version', value: 'custom' }
    ])
    expect(labels).toHaveLength(5)
  })

  it('sets no labels on a retag', () => {
    expect(inputsOf(parseOn({ 'source-image': 'alice/app:v1' })).source).toEqual({ kind: 'image', ref: 'alice/app:v1' })
  })

  test.each<[string, string[]]>([
    ['auto', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['false', ['1.2.3', '1.2', '1', 'sha-abcdef0']],
    ['FALSE', ['1.2.3', '1.2', '1', 'sha-abcdef0']],
    ['true', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']]
  ])('latest: %j', (latest, tags) => {
    expect(inputsOf(parseOn({ latest })).tags).toEqual(tags)
  })

  test.each(['yes', 'always', '1'])('latest: %j is a problem', (latest) => {
    expect(onlyProblem(parseOn({ latest }), 'latest')).toBe(
      `Input 'latest': '${latest}' is not auto, true or false. Fix: write auto (latest on releases), true (always) or false (never).`
    )
  })

  it('is a problem when no tag is left', () => {
    expect(onlyProblem(parseInputs(raw({ latest: 'false' }), env()), 'tags')).toBe(
      "Input 'tags': no tag is left: auto gives none on this event and latest is false. Fix: list the tags, or set latest to auto or true."
    )
  })

  it('mixes auto with literal tags, in order, without duplicates', () => {
    expect(inputsOf(parseOn({ tags: 'auto\nstable\n1.2' })).tags).toEqual([
      '1.2.3',
      '1.2',
      '1',
      'latest',
      'sha-abcdef0',
      'stable'
    ])
  })

  it('reports an invalid literal tag next to valid auto tags', () => {
    expect(onlyProblem(parseOn({ tags: 'auto, -bad' }), 'tags')).toContain("'-bad' is not a valid tag")
  })

  test.each<[string, string[]]>([
    ['', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['true', ['1.2.3', '1.2', '1', 'latest', 'sha-abcdef0']],
    ['false', ['1.2.3', '1.2', '1', 'latest']],
    ['False', ['1.2.3', '1.2', '1', 'latest']]
  ])('sha-tag: %j', (shaTag, tags) => {
    expect(inputsOf(parseOn({ 'sha-tag': shaTag })).tags).toEqual(tags)
  })

  it('sha-tag: false keeps literal tags, and a non-boolean is a problem', () => {
    expect(inputsOf(parseOn({ 'sha-tag': 'false', tags: 'auto, edge' })).tags).toEqual([
      '1.2.3',
      '1.2',
      '1',
      'latest',
      'edge'
    ])
    expect(onlyProblem(parseOn({ 'sha-tag': 'no' }), 'sha-tag')).toBe(
      "Input 'sha-tag': 'no' is not a boolean. Fix: write true or false."
    )
  })

  it('tag-suffix and tag-prefix affix every automatic tag and make latest the variant name', () => {
    expect(inputsOf(parseOn({ 'tag-suffix': '-alpine' })).tags).toEqual([
      '1.2.3-alpine',
      '1.2-alpine',
      '1-alpine',
      'alpine',
      'sha-abcdef0-alpine'
    ])
    expect(inputsOf(parseOn({ 'tag-prefix': 'slim-', tags: 'auto, edge' })).tags).toEqual([
      'slim-1.2.3',
      'slim-1.2',
      'slim-1',
      'slim',
      'slim-sha-abcdef0',
      'edge'
    ])
  })

  test.each<[string, string, string]>([
    [
      'tag-prefix',
      '-alpine',
      "Input 'tag-prefix': '-alpine' cannot be part of a tag. Fix: write up to 64 letters, digits, _ . and -, starting with a letter, digit or _, such as alpine-."
    ],
    [
      'tag-suffix',
      '/alpine',
      "Input 'tag-suffix': '/alpine' cannot be part of a tag. Fix: write up to 64 letters, digits, _ . and -, such as -alpine."
    ],
    [
      'tag-suffix',
      'x'.repeat(65),
      `Input 'tag-suffix': '${'x'.repeat(65)}' cannot be part of a tag. Fix: write up to 64 letters, digits, _ . and -, such as -alpine.`
    ]
  ])('%s: %j is a problem', (input, value, message) => {
    expect(onlyProblem(parseOn({ [input]: value }), input as 'tag-prefix')).toBe(message)
  })

  it('a merge part gets the variant affixes too, so two variants of one commit keep their parts apart', () => {
    expect(inputsOf(parseOn({ merge: 'part', platforms: 'linux/arm64', 'tag-suffix': '-alpine' })).tags).toEqual([
      `sha-${SHA.slice(0, 7)}-linux-arm64-alpine`
    ])
  })

  const tagPush = (tag: string) =>
    gitEventOf({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: `refs/tags/${tag}`, GITHUB_SHA: SHA }, undefined)

  test.each<[string, string]>([
    [
      'V1.2.3',
      "The Git tag 'V1.2.3' is not a semantic version (semver.org: MAJOR.MINOR.PATCH without leading zeros, with an optional lowercase v), so latest: auto does not move latest. Name the release like v1.2.3 to get the version tags and latest, or set latest: true to move it on this tag."
    ],
    [
      'v1.2',
      "The Git tag 'v1.2' is not a semantic version (semver.org: MAJOR.MINOR.PATCH without leading zeros, with an optional lowercase v), so latest: auto does not move latest. Name the release like v1.2.3 to get the version tags and latest, or set latest: true to move it on this tag."
    ],
    [
      'release-7',
      "The Git tag 'release-7' is not a semantic version, so latest: auto does not move latest. Set latest: true to move it on this tag."
    ]
  ])('a push of the tag %j gets no latest, and a notice that says why', (tag, message) => {
    const result = parseOn({}, tagPush(tag))
    expect(inputsOf(result).tags).not.toContain('latest')
    expect(result.notices).toEqual([{ input: 'latest', message }])
  })

  test.each<[string, Partial<RawInputs>]>([
    ['latest: true', { latest: 'true' }],
    ['latest: false', { latest: 'false' }],
    ['literal tags only', { tags: 'stable' }]
  ])('gives no such notice with %s', (_label, overrides) => {
    expect(parseOn(overrides, tagPush('V1.2.3')).notices).toEqual([])
  })
})

describe('parseInputs: save-compression-level', () => {
  it('has no default in action.yml, so the runner passes nothing unless the workflow sets it', () => {
    expect(ACTION_DEFAULTS).not.toHaveProperty('save-compression-level')
    expect(
      parse({ ...ACTION_DEFAULTS, save: 'i.tar' }).warnings.filter((w) => w.input === 'save-compression-level')
    ).toEqual([])
  })

  test.each<[string, number]>([
    ['', 3],
    ['1', 1],
    ['3', 3],
    ['9', 9]
  ])('%j gives level %d', (level, expected) => {
    expect(inputsOf(parse({ save: 'i.tar.gz', 'save-compression-level': level })).save?.level).toBe(expected)
  })

  test.each(['0', '10', 'fast', '3.5', '-1', ' 3x'])('%j is a problem', (level) => {
    expect(onlyProblem(parse({ save: 'i.tar.gz', 'save-compression-level': level }), 'save-compression-level')).toBe(
      `Input 'save-compression-level': '${level}' is not a compression level. Fix: write a whole number from 1 (fastest) to 9 (smallest).`
    )
  })

  const ignored = (save: string): Warning => ({
    input: 'save-compression-level',
    message: `save-compression-level is ignored: '${save}' is not compressed (name it .tar.gz or .tar.zst to compress it).`
  })

  test.each<[string, string, Warning[]]>([
    ['i.tar', '9', [ignored('i.tar')]],
    ['out/Image.TAR', '1', [ignored('out/Image.TAR')]],
    ['i.tar', '', []],
    ['i.tar.gz', '9', []],
    ['i.tgz', '1', []],
    ['i.tar.zst', '9', []],
    ['', '9', []]
  ])('save %j with level %j warns %j', (save, level, warnings) => {
    const result = parse({ save, 'save-compression-level': level })
    expect(result.warnings.filter((w) => w.input === 'save-compression-level')).toEqual(warnings)
  })
})

describe('parseInputs: cache-from', () => {
  it('lists each image reference once, in order', () => {
    const build = buildOf(
      inputsOf(parse({ 'cache-from': 'localhost:5000/app:latest, ghcr.io/org/app:main\nlocalhost:5000/app:latest' }))
    )
    expect(build.cacheFrom).toEqual(['localhost:5000/app:latest', 'ghcr.io/org/app:main'])
  })

  test.each(['bad ref:x', 'app:-x'])('%j is a problem', (ref) => {
    expect(onlyProblem(parse({ 'cache-from': ref }), 'cache-from')).toContain(
      'Fix: list image references such as ghcr.io/org/app:latest'
    )
  })

  test.each(['type=registry,ref=ghcr.io/org/app', 'ref=ghcr.io/org/app,type=registry', 'type=gha'])(
    'the buildx cache spec %j is one problem',
    (spec) => {
      expect(onlyProblem(parse({ 'cache-from': spec }), 'cache-from')).toBe(
        `Input 'cache-from': '${spec}' is a buildx cache spec. Fix: give the image reference alone, such as ghcr.io/org/app:latest (it is read as type=registry).`
      )
    }
  )

  it('is ignored, with the other build inputs, on a retag', () => {
    const result = parse({ 'source-image': 'alpine:3', 'cache-from': 'alice/app:latest' })
    expect(result.warnings[0].message).toContain('cache-from')
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

describe('parseInputs: secrets', () => {
  const SECRET = 'ghp_s3cr3t-value=with=equals'

  it('parses id=VALUE lines, keeping = in values', () => {
    expect(buildOf(inputsOf(parse({ secrets: `npm_token=${SECRET}\ngh.token=x` }))).secrets).toEqual([
      { id: 'npm_token', value: SECRET },
      { id: 'gh.token', value: 'x' }
    ])
  })

  test.each(['ghp_s3cr3t', `bad id=${SECRET}`, `=${SECRET}`, 'ok=1\nghp_s3cr3t', `sp ace=${SECRET}`])(
    'reports a bad line by number, never showing it: %#',
    (secrets) => {
      const message = onlyProblem(parse({ secrets }), 'secrets')
      expect(message).toMatch(
        /^Input 'secrets': line \d is not an id=VALUE line \(its text is not shown, as it may be a secret\)\. Fix: /
      )
      expect(message).not.toContain('s3cr3t')
    }
  )

  it('reports an id given twice', () => {
    expect(onlyProblem(parse({ secrets: 'a=1\na=2' }), 'secrets')).toBe(
      "Input 'secrets': the id 'a' is given twice. Fix: give each secret its own id."
    )
  })

  it('is ignored, with a warning, on a retag', () => {
    expect(parse({ 'source-image': 'alpine:3', secrets: 'a=1' }).warnings[0].message).toContain('secrets')
  })
})

describe('parseInputs: build args that look like credentials', () => {
  test.each(['NPM_TOKEN', 'DB_PASSWORD', 'client_secret', 'API_KEY', 'aws_credentials', 'passwd'])(
    'warn for %s, pointing to secrets',
    (key) => {
      const result = parse({ 'build-args': `${key}=x\nVERSION=1` })
      expect(result.warnings).toEqual([
        {
          input: 'build-args',
          message: `The build arg ${key} looks like a credential. Build args are stored in the image history, where anyone who pulls the image can read them; pass it with the secrets input instead (RUN --mount=type=secret,id=${key.toLowerCase()}). If it is not a credential, silence this with the line # check=skip=SecretsUsedInArgOrEnv at the top of the Dockerfile.`
        }
      ])
    }
  )

  test.each(['VERSION', 'NODE_ENV', 'BASE_IMAGE'])('do not warn for %s', (key) => {
    expect(parse({ 'build-args': `${key}=x` }).warnings).toEqual([])
  })
})

describe('parseInputs: push on a pull request from a fork', () => {
  const forkPr = gitEventOf(
    { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge', GITHUB_SHA: 'a'.repeat(40) },
    {
      pull_request: {
        number: 7,
        head: { sha: 'b'.repeat(40), repo: { full_name: 'someone/app', fork: true } },
        base: { repo: { full_name: 'octo-org/app' } }
      }
    }
  )
  const onFork = (overrides: Partial<RawInputs>, logins = { registries: [] as string[], store: false }): ParseResult =>
    parseInputs(raw({ images: 'ghcr.io/octo-org/app', ...overrides }), {
      ...env(undefined, forkPr),
      dockerConfig: {
        ...env().dockerConfig,
        registries: logins.registries,
        credsStore: logins.store ? 'desktop' : undefined
      }
    })

  it('builds and does not push, with a warning that gives the fix', () => {
    const result = onFork({})
    const inputs = inputsOf(result)
    expect(inputs.push).toBe(false)
    expect(inputs.pushSkipped).toBe(
      'a pull request from the fork someone/app gets no secrets, and there is no login for ghcr.io'
    )
    expect(result.warnings).toEqual([
      {
        input: 'push',
        message:
          "Not pushing: a pull request from the fork someone/app gets no secrets, and there is no login for ghcr.io, so the push would fail. The image is built, and the outputs say nothing was pushed. Fix: push only outside pull requests (push: ${{ github.event_name != 'pull_request' }}), or give username and password for a registry that fork pull requests may push to."
      }
    ])
    expect(makePlan(inputs, PLAN_FACTS).plan.pushes).toEqual([])
  })

  test.each<[string, Partial<RawInputs>, { registries: string[]; store: boolean }]>([
    ['push: false', { push: 'false' }, { registries: [], store: false }],
    [
      'credentials given for the registry',
      { registry: 'ghcr.io', username: 'u', password: 'p' },
      { registries: [], store: false }
    ],
    ['a login for the registry in the docker config', {}, { registries: ['ghcr.io'], store: false }],
    ['a credsStore, which may hold one', {}, { registries: [], store: true }]
  ])('pushes as asked with %s', (_label, overrides, logins) => {
    const result = onFork(overrides, logins)
    expect(inputsOf(result).pushSkipped).toBeUndefined()
    expect(inputsOf(result).push).toBe(overrides.push !== 'false')
    expect(result.warnings.filter((w) => w.input === 'push')).toEqual([])
  })

  it('names each registry without a login', () => {
    const result = onFork(
      { images: 'ghcr.io/octo-org/app, docker.io/octo/app, quay.io/octo/app' },
      { registries: ['quay.io'], store: false }
    )
    expect(inputsOf(result).pushSkipped).toContain('there is no login for ghcr.io, docker.io')
  })

  it('pushes a branch of the repository itself as asked', () => {
    const sameRepo = gitEventOf(
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' },
      {
        pull_request: {
          number: 7,
          head: { repo: { full_name: 'octo-org/app' } },
          base: { repo: { full_name: 'octo-org/app' } }
        }
      }
    )
    expect(inputsOf(parseInputs(raw(), env(undefined, sameRepo))).push).toBe(true)
  })
})
