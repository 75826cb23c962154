import { describe, expect, it, test } from '@jest/globals'
import type { BuildInputs } from '../../../src/inputs/build.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { Inputs } from '../../../src/inputs/inputs.js'
import { commandLines } from '../../../src/plan/command-lines.js'
import { makePlan } from '../../../src/plan/plan.js'
import type { PlanFacts } from '../../../src/plan/plan.js'
import * as render from '../../../src/plan/render.js'
import type { Builder, Compressor, MergeStep, Plan, Secrets } from '../../../src/plan/steps.js'
import type { SaveTarget } from '../../../src/inputs/tarball.js'
import type { Repository } from '../../../src/domain/reference.js'
import { env } from '../../__fixtures__/environment.js'
import { inputsOf, onlyProblem, parse, parseForMerge, PLAIN_BUILD, raw } from '../../__fixtures__/inputs.js'
import { mergeArgs, removeArgs } from '../../../src/plan/render.js'
import { PLAN_FACTS, PLAN_FACTS_ZSTD } from '../../__fixtures__/plan.js'

const IID = '/tmp/run/iid'
const METADATA = '/tmp/run/metadata.json'
const PASSWORD = 'pa55-w0rd-very-secret'

const alice: Repository = { name: 'alice/app', domain: 'docker.io', path: 'alice/app' }
const ghcr: Repository = { name: 'ghcr.io/org/app', domain: 'ghcr.io', path: 'org/app' }
const local: Repository = { name: 'localhost:5000/app', domain: 'localhost:5000', path: 'app' }

/** The default build without labels, so each option's flags stand alone. */
const plainBuild: BuildInputs = { ...PLAIN_BUILD, labels: [] }

const fullBuild: BuildInputs = {
  context: '/ws/app',
  file: '/ws/docker/prod.Dockerfile',
  buildArgs: [
    { key: 'VERSION', value: '1.2.3' },
    { key: 'URL', value: 'https://x.test/?a=b,c=d' }
  ],
  labels: [
    { key: 'org.opencontainers.image.title', value: 'My App' },
    { key: 'team', value: '' }
  ],
  target: 'prod',
  platforms: ['linux/arm64/v8'],
  network: 'host',
  pull: true,
  noCache: true,
  cacheFrom: [],
  secrets: [],
  provenance: 'false',
  builder: ''
}

/** Overrides of the inputs; `credentials` stands for the username and password inputs (a login to `registry`). */
type Overrides = Partial<Inputs> & { credentials?: { username: string; password: string } }

function inputs({ credentials, ...overrides }: Overrides = {}): Inputs {
  const registry = overrides.registry ?? 'docker.io'
  return {
    registry,
    logins: credentials ? [{ registry, ...credentials }] : [],
    keepLogin: false,
    cleanup: false,
    images: [alice],
    variant: { prefix: '', suffix: '' },
    tags: ['latest'],
    version: '',
    source: { kind: 'build', build: plainBuild },
    push: true,
    save: undefined,
    attempts: 3,
    summary: true,
    dryRun: false,
    ...overrides
  }
}

/** The facts of a machine with `builder`; `buildkit` without buildx stands for DOCKER_BUILDKIT=1. */
function facts(builder: Builder = 'buildx', buildkit = builder === 'buildx', pigz?: string): PlanFacts {
  return {
    buildx: builder === 'buildx',
    buildkitEnv: buildkit && builder !== 'buildx',
    workspace: '/ws',
    iidFile: IID,
    metadataFile: METADATA,
    pigz,
    zstd: '/usr/bin/zstd'
  }
}

function planAndSecrets(
  overrides: Overrides = {},
  builder: Builder = 'buildx',
  buildkit = builder === 'buildx'
): { plan: Plan; secrets: Secrets } {
  return makePlan(inputs(overrides), facts(builder, buildkit))
}

function plan(overrides: Overrides = {}, builder: Builder = 'buildx', buildkit = builder === 'buildx'): Plan {
  return planAndSecrets(overrides, builder, buildkit).plan
}

function buildArgsOf(p: Plan): string[] {
  if (p.image.kind !== 'build') throw new Error(`expected a build, got ${p.image.kind}`)
  return render.buildArgs(p.image)
}

/** Every argument array the plan's steps render to. */
function allArgs(p: Plan): string[][] {
  const image = p.image
  const imageArgs =
    image.kind === 'build'
      ? [render.buildArgs(image), ...image.cachePulls.map((ref) => render.pullArgs(ref))]
      : image.kind === 'load'
        ? [render.loadArgs(image)]
        : image.kind === 'merge'
          ? image.repositories.flatMap((r) => render.mergeArgs(image, r))
          : [
              render.inspectArgs([image.source], '{{.Id}}'),
              render.pullArgs(image.source),
              ...image.refs.map((ref) => render.tagArgs(image.source, ref)),
              ...(image.copy ? [render.imagetoolsCreateArgs(image.refs, [image.source])] : [])
            ]
  return [
    ...p.logins.map(render.loginArgs),
    ...imageArgs,
    ...p.pushes.flat().map((t) => render.pushArgs(t.ref)),
    ...(p.save ? [render.saveArgs(p.save.refs)] : []),
    ...(p.cleanup.length > 0 ? [render.removeArgs(p.cleanup)] : [])
  ]
}

describe('makePlan: build arguments', () => {
  const fullOptions = [
    '--file',
    '/ws/docker/prod.Dockerfile',
    '--tag',
    'alice/app:v1',
    '--tag',
    'alice/app:latest',
    '--tag',
    'ghcr.io/org/app:v1',
    '--tag',
    'ghcr.io/org/app:latest',
    '--build-arg',
    'VERSION=1.2.3',
    '--build-arg',
    'URL=https://x.test/?a=b,c=d',
    '--label',
    'org.opencontainers.image.title=My App',
    '--label',
    'team=',
    '--target',
    'prod',
    '--platform',
    'linux/arm64/v8',
    '--network',
    'host',
    '--pull',
    '--no-cache'
  ]

  test.each<[Builder, string[], string[], string | undefined]>([
    ['buildx', ['buildx', 'build', '--load', '--provenance=false'], ['--metadata-file', METADATA], METADATA],
    ['docker', ['build'], [], undefined]
  ])('with every option, builder %s', (builder, start, metadata, metadataFile) => {
    const p = plan(
      { images: [alice, ghcr], tags: ['v1', 'latest'], source: { kind: 'build', build: fullBuild } },
      builder
    )
    // The step keeps every field typed; render.ts alone makes the arguments.
    expect(p.image).toEqual({
      kind: 'build',
      builderName: '',
      context: '/ws/app',
      file: '/ws/docker/prod.Dockerfile',
      refs: ['alice/app:v1', 'alice/app:latest', 'ghcr.io/org/app:v1', 'ghcr.io/org/app:latest'],
      buildArgs: fullBuild.buildArgs,
      sourceDateEpoch: undefined,
      labels: fullBuild.labels,
      target: 'prod',
      platforms: ['linux/arm64/v8'],
      network: 'host',
      pull: true,
      noCache: true,
      cacheFrom: [],
      inlineCache: false,
      secrets: [],
      provenance: builder === 'buildx' ? 'false' : undefined,
      output: builder === 'buildx' ? 'load' : undefined,
      iidFile: IID,
      metadataFile,
      cachePulls: [],
      dockerfile: '/ws/docker/prod.Dockerfile',
      dockerfileText: undefined,
      push: undefined
    })
    expect(buildArgsOf(p)).toEqual([...start, ...fullOptions, ...metadata, '--iidfile', IID, '/ws/app'])
  })

  test.each<[Builder, string[]]>([
    [
      'buildx',
      [
        ...['buildx', 'build', '--load', '--provenance=false', '--file', '/ws/Dockerfile', '--tag', 'alice/app:latest'],
        ...['--metadata-file', METADATA, '--iidfile', IID, '/ws']
      ]
    ],
    ['docker', ['build', '--file', '/ws/Dockerfile', '--tag', 'alice/app:latest', '--iidfile', IID, '/ws']]
  ])('with no options, builder %s', (builder, expected) => {
    expect(buildArgsOf(plan({}, builder))).toEqual(expected)
  })

  it('leaves --file out for a remote context without a file, and keeps the context last', () => {
    const build: BuildInputs = { ...plainBuild, context: 'https://github.com/alice/app.git#main', file: undefined }
    expect(buildArgsOf(plan({ source: { kind: 'build', build } }))).toEqual([
      'buildx',
      'build',
      '--load',
      '--provenance=false',
      '--tag',
      'alice/app:latest',
      '--metadata-file',
      METADATA,
      '--iidfile',
      IID,
      'https://github.com/alice/app.git#main'
    ])
  })

  test.each<[string, Partial<BuildInputs>, string[]]>([
    ['pull only', { pull: true }, ['--pull']],
    ['no-cache only', { noCache: true }, ['--no-cache']],
    ['target only', { target: 'test' }, ['--target', 'test']],
    ['network only', { network: 'none' }, ['--network', 'none']],
    ['platform only', { platforms: ['linux/amd64'] }, ['--platform', 'linux/amd64']]
  ])('%s adds exactly its flag', (_label, change, flags) => {
    const args = buildArgsOf(plan({ source: { kind: 'build', build: { ...plainBuild, ...change } } }, 'docker'))
    expect(args).toEqual([
      'build',
      '--file',
      '/ws/Dockerfile',
      '--tag',
      'alice/app:latest',
      ...flags,
      '--iidfile',
      IID,
      '/ws'
    ])
  })
})

describe('makePlan: SOURCE_DATE_EPOCH', () => {
  const dated: BuildInputs = { ...plainBuild, sourceDateEpoch: 1741061167 }

  it('gives buildx the commit time as SOURCE_DATE_EPOCH, after the build args', () => {
    const build: BuildInputs = { ...dated, buildArgs: [{ key: 'A', value: '1' }] }
    const args = buildArgsOf(plan({ source: { kind: 'build', build } }, 'buildx'))
    expect(args.slice(args.indexOf('--build-arg'), args.indexOf('--build-arg') + 4)).toEqual([
      '--build-arg',
      'A=1',
      '--build-arg',
      'SOURCE_DATE_EPOCH=1741061167'
    ])
  })

  test.each<[string, Builder, boolean]>([
    ['the classic builder', 'docker', false],
    ["an older CLI's BuildKit (DOCKER_BUILDKIT=1)", 'docker', true]
  ])('gives it not to %s, which would warn that the arg is unused or ignore it', (_label, builder, buildkit) => {
    expect(buildArgsOf(plan({ source: { kind: 'build', build: dated } }, builder, buildkit)).join(' ')).not.toContain(
      'SOURCE_DATE_EPOCH'
    )
  })

  it("leaves the user's own SOURCE_DATE_EPOCH build arg alone", () => {
    const build: BuildInputs = { ...dated, buildArgs: [{ key: 'SOURCE_DATE_EPOCH', value: '0' }] }
    const args = buildArgsOf(plan({ source: { kind: 'build', build } }, 'buildx'))
    expect(args.filter((a) => a.startsWith('SOURCE_DATE_EPOCH='))).toEqual(['SOURCE_DATE_EPOCH=0'])
  })

  it('gives none when the commit time is not known', () => {
    expect(buildArgsOf(plan({}, 'buildx')).join(' ')).not.toContain('SOURCE_DATE_EPOCH')
  })
})

describe('makePlan: cache-from', () => {
  const cacheFrom = ['localhost:5000/app:latest', 'ghcr.io/org/app:main']
  const build: BuildInputs = { ...plainBuild, cacheFrom }

  it('passes each image to a BuildKit build with inline cache metadata, and pulls nothing', () => {
    const p = plan({ source: { kind: 'build', build } }, 'buildx')
    expect(buildArgsOf(p)).toEqual([
      ...['buildx', 'build', '--load', '--provenance=false', '--file', '/ws/Dockerfile', '--tag', 'alice/app:latest'],
      ...['--cache-from', cacheFrom[0], '--cache-from', cacheFrom[1], '--build-arg', 'BUILDKIT_INLINE_CACHE=1'],
      ...['--metadata-file', METADATA, '--iidfile', IID, '/ws']
    ])
    expect(p.image.kind === 'build' && p.image.cachePulls).toEqual([])
  })

  it('pulls each image first for the classic builder, which only uses local images, and adds no BuildKit argument', () => {
    const p = plan({ source: { kind: 'build', build } }, 'docker', false)
    expect(buildArgsOf(p)).toEqual([
      'build',
      '--file',
      '/ws/Dockerfile',
      '--tag',
      'alice/app:latest',
      '--cache-from',
      cacheFrom[0],
      '--cache-from',
      cacheFrom[1],
      '--iidfile',
      IID,
      '/ws'
    ])
    expect(p.image.kind === 'build' && p.image.cachePulls).toEqual(cacheFrom)
    expect(allArgs(p).slice(1, 3)).toEqual(cacheFrom.map((ref) => ['pull', ref]))
  })

  it('treats an older CLI with DOCKER_BUILDKIT=1 as BuildKit', () => {
    const p = plan({ source: { kind: 'build', build } }, 'docker', true)
    expect(buildArgsOf(p)).toContain('BUILDKIT_INLINE_CACHE=1')
    expect(p.image.kind === 'build' && p.image.cachePulls).toEqual([])
  })

  it('adds no inline cache argument without cache-from', () => {
    expect(buildArgsOf(plan({}, 'buildx'))).not.toContain('BUILDKIT_INLINE_CACHE=1')
  })
})

describe('makePlan: secrets', () => {
  it('names one environment variable per secret in --secret, and never the value', () => {
    const build: BuildInputs = {
      ...plainBuild,
      secrets: [
        { id: 'npm', value: PASSWORD },
        { id: 'gh.token', value: 'x' }
      ]
    }
    const { plan: p, secrets } = planAndSecrets({ source: { kind: 'build', build } })
    expect(secrets.buildEnv).toEqual({ SHIP_IMAGE_SECRET_1: PASSWORD, SHIP_IMAGE_SECRET_2: 'x' })
    expect(buildArgsOf(p)).toEqual([
      ...['buildx', 'build', '--load', '--provenance=false', '--file', '/ws/Dockerfile', '--tag', 'alice/app:latest'],
      ...['--secret', 'id=npm,env=SHIP_IMAGE_SECRET_1', '--secret', 'id=gh.token,env=SHIP_IMAGE_SECRET_2'],
      ...['--metadata-file', METADATA, '--iidfile', IID, '/ws']
    ])
    expect(p.image.kind === 'build' && p.image.secrets).toEqual([
      { id: 'npm', env: 'SHIP_IMAGE_SECRET_1' },
      { id: 'gh.token', env: 'SHIP_IMAGE_SECRET_2' }
    ])
    expect(JSON.stringify(p)).not.toContain(PASSWORD)
  })
})

describe('makePlan: targets', () => {
  it('is every image × every tag, image-major, in input order', () => {
    const p = plan({ images: [ghcr, alice, local], tags: ['v2', 'v1'] })
    expect(p.targets).toEqual([
      { repository: ghcr, tag: 'v2', ref: 'ghcr.io/org/app:v2' },
      { repository: ghcr, tag: 'v1', ref: 'ghcr.io/org/app:v1' },
      { repository: alice, tag: 'v2', ref: 'alice/app:v2' },
      { repository: alice, tag: 'v1', ref: 'alice/app:v1' },
      { repository: local, tag: 'v2', ref: 'localhost:5000/app:v2' },
      { repository: local, tag: 'v1', ref: 'localhost:5000/app:v1' }
    ])
    expect(buildArgsOf(p).filter((_, i, a) => a[i - 1] === '--tag')).toEqual(p.targets.map((t) => t.ref))
  })

  it('uses the name as written, not the normalised domain/path', () => {
    const hub: Repository = { name: 'index.docker.io/app', domain: 'docker.io', path: 'library/app' }
    expect(plan({ images: [hub] }).targets.map((t) => t.ref)).toEqual(['index.docker.io/app:latest'])
  })
})

describe('makePlan: login', () => {
  it('is undefined without credentials', () => {
    expect(plan().logins).toEqual([])
  })

  test.each<[string, string[]]>([
    ['docker.io', ['login', '--username', 'alice', '--password-stdin']],
    ['ghcr.io', ['login', '--username', 'alice', '--password-stdin', 'ghcr.io']],
    ['localhost:5000', ['login', '--username', 'alice', '--password-stdin', 'localhost:5000']]
  ])('for %s', (registry, args) => {
    const p = plan({ registry, credentials: { username: 'alice', password: PASSWORD } })
    expect(p.logins).toEqual([{ registry, username: 'alice' }])
    expect(render.loginArgs(p.logins[0])).toEqual(args)
  })
})

describe('makePlan: retag', () => {
  it('inspects, pulls and tags the source for every target', () => {
    const p = plan({ images: [alice, local], tags: ['v1', 'latest'], source: { kind: 'image', ref: 'alpine:3.20' } })
    const refs = ['alice/app:v1', 'alice/app:latest', 'localhost:5000/app:v1', 'localhost:5000/app:latest']
    // With buildx and a push, a source in a registry is first tried as a registry-side copy.
    expect(p.image).toEqual({
      kind: 'retag',
      source: 'alpine:3.20',
      refs,
      copy: { registries: ['docker.io', 'localhost:5000'] }
    })
    expect(allArgs(p).slice(0, 7)).toEqual([
      ['image', 'inspect', '--format', '{{.Id}}', 'alpine:3.20'],
      ['pull', 'alpine:3.20'],
      ...refs.map((ref) => ['image', 'tag', 'alpine:3.20', ref]),
      [
        ...['buildx', 'imagetools', 'create', '--tag', 'alice/app:v1', '--tag', 'alice/app:latest'],
        ...['--tag', 'localhost:5000/app:v1', '--tag', 'localhost:5000/app:latest', 'alpine:3.20']
      ]
    ])
  })

  test.each<[string, Overrides, Builder]>([
    ['without buildx', {}, 'docker'],
    ['without a push', { push: false }, 'buildx'],
    ['with a save (the image must be local)', { save: { path: '/ws/i.tar', format: 'tar', level: 3 } }, 'buildx'],
    ['for an image ID', { source: { kind: 'image', ref: 'sha256:abc123def456' } }, 'buildx']
  ])('copies nothing registry-side %s', (_label, overrides, builder) => {
    const p = plan({ source: { kind: 'image', ref: 'alpine:3.20' }, ...overrides }, builder)
    expect(p.image.kind === 'retag' && p.image.copy).toBeUndefined()
  })

  it('is the same whichever builder is found', () => {
    const source = { kind: 'image', ref: 'sha256:abc123def456' } as const
    const { image, targets, pushes } = plan({ source }, 'docker')
    expect({ image, targets, pushes }).toEqual(
      (({ image, targets, pushes }) => ({ image, targets, pushes }))(plan({ source }, 'buildx'))
    )
  })
})

describe('makePlan: pushes', () => {
  it('pushes every target, one list per repository, tags in order', () => {
    const p = plan({ images: [alice, ghcr], tags: ['v1', 'v2'] })
    expect(p.pushes).toEqual([
      [p.targets[0], p.targets[1]],
      [p.targets[2], p.targets[3]]
    ])
    expect(p.pushes.flat().map((t) => render.pushArgs(t.ref))).toEqual([
      ['push', 'alice/app:v1'],
      ['push', 'alice/app:v2'],
      ['push', 'ghcr.io/org/app:v1'],
      ['push', 'ghcr.io/org/app:v2']
    ])
  })

  test.each([
    ['build', { kind: 'build', build: plainBuild } as const],
    ['retag', { kind: 'image', ref: 'alpine' } as const]
  ])('are empty when push is false (%s)', (_label, source) => {
    const p = plan({ images: [alice, ghcr], tags: ['v1', 'v2'], push: false, source })
    expect(p.pushes).toEqual([])
    expect(p.targets).toHaveLength(4)
  })
})

describe('makePlan: save', () => {
  it('is undefined without a save target', () => {
    expect(plan().save).toBeUndefined()
  })

  it('lists every reference once, in target order', () => {
    const target: SaveTarget = { path: '/ws/out/image.tar.gz', format: 'gzip', level: 3 }
    const p = plan({ images: [alice, local], tags: ['v1', 'latest'], save: target, push: false })
    const refs = ['alice/app:v1', 'alice/app:latest', 'localhost:5000/app:v1', 'localhost:5000/app:latest']
    expect(p.save).toEqual({ target, refs, compressor: { kind: 'zlib' } })
    expect(render.saveArgs(refs)).toEqual(['image', 'save', ...refs])
  })

  test.each<[SaveTarget, string | undefined, Compressor]>([
    [{ path: '/ws/i.tar.gz', format: 'gzip', level: 3 }, '/usr/bin/pigz', { kind: 'pigz', path: '/usr/bin/pigz' }],
    [{ path: '/ws/i.tar.gz', format: 'gzip', level: 3 }, undefined, { kind: 'zlib' }],
    [{ path: '/ws/i.tar', format: 'tar', level: 3 }, '/usr/bin/pigz', { kind: 'none' }],
    [{ path: '/ws/i.tar.zst', format: 'zstd', level: 3 }, '/usr/bin/pigz', { kind: 'zstd', path: '/usr/bin/zstd' }]
  ])('compresses %o with pigz %s as %o', (target, pigz, compressor) => {
    const { plan: p } = makePlan(inputs({ save: target }), facts('buildx', true, pigz))
    expect(p.save?.compressor).toEqual(compressor)
  })
})

describe('makePlan: the password', () => {
  const cases: [string, Overrides, Builder][] = [
    ['docker.io build (buildx)', { registry: 'docker.io' }, 'buildx'],
    ['ghcr.io build (docker)', { registry: 'ghcr.io', images: [ghcr] }, 'docker'],
    [
      'retag with save',
      {
        registry: 'localhost:5000',
        images: [local],
        source: { kind: 'image', ref: 'alpine' },
        save: { path: '/ws/i.tar', format: 'tar', level: 3 }
      },
      'buildx'
    ],
    [
      'full build',
      {
        registry: 'ghcr.io',
        images: [alice, ghcr],
        tags: ['v1', 'v2'],
        source: { kind: 'build', build: fullBuild },
        save: { path: '/ws/i.tgz', format: 'gzip', level: 3 }
      },
      'buildx'
    ]
  ]

  test.each(cases)('appears in no argument array: %s', (_label, overrides, builder) => {
    const p = plan({ ...overrides, credentials: { username: 'alice', password: PASSWORD } }, builder)
    expect(p.logins).toHaveLength(1)
    const args = allArgs(p)
    expect(args.length).toBeGreaterThan(2)
    for (const array of args) {
      for (const arg of array) expect(arg).not.toContain(PASSWORD)
    }
    expect(JSON.stringify(p)).not.toContain(PASSWORD)
  })

  it('appears in no argument array when the inputs come from parseInputs', () => {
    const parsed = parseInputs(
      raw({
        registry: 'https://ghcr.io',
        username: 'alice',
        password: PASSWORD,
        images: 'ghcr.io/org/app, alice/app',
        tags: 'v1, auto',
        'build-args': 'A=1',
        labels: 'b=2',
        push: 'true',
        save: 'out/image.tar.gz'
      }),
      env()
    )
    if (!parsed.ok) throw new Error(parsed.problems.map((x) => x.message).join('\n'))
    expect(parsed.inputs.logins.map((l) => l.password)).toEqual([PASSWORD])
    for (const builder of ['buildx', 'docker'] as const) {
      const { plan: p, secrets } = makePlan(parsed.inputs, facts(builder))
      expect(secrets.passwords).toEqual([PASSWORD])
      expect(render.loginArgs(p.logins[0])).toEqual(['login', '--username', 'alice', '--password-stdin', 'ghcr.io'])
      expect(
        allArgs(p)
          .flat()
          .filter((arg) => arg.includes(PASSWORD))
      ).toEqual([])
      expect(JSON.stringify(p)).not.toContain(PASSWORD)
    }
  })
})

describe('commandLines (the dry run)', () => {
  it('lists every command in order, with the password and secrets as ***', () => {
    const build: BuildInputs = {
      ...plainBuild,
      buildArgs: [{ key: 'MSG', value: "it's here" }],
      cacheFrom: ['localhost:5000/app:latest'],
      secrets: [{ id: 'tok', value: PASSWORD }]
    }
    const p = plan(
      {
        registry: 'ghcr.io',
        credentials: { username: 'alice', password: PASSWORD },
        images: [ghcr],
        tags: ['v1', 'latest'],
        source: { kind: 'build', build },
        save: { path: '/ws/out dir/i.tar.gz', format: 'gzip', level: 3 }
      },
      'docker',
      false
    )
    expect(commandLines(p)).toEqual([
      "echo '***' | docker login --username alice --password-stdin ghcr.io",
      'docker pull localhost:5000/app:latest',
      "SHIP_IMAGE_SECRET_1='***' docker build --file /ws/Dockerfile --tag ghcr.io/org/app:v1 --tag ghcr.io/org/app:latest --build-arg 'MSG=it'\\''s here' --cache-from localhost:5000/app:latest --secret id=tok,env=SHIP_IMAGE_SECRET_1 --iidfile /tmp/run/iid /ws",
      'docker push ghcr.io/org/app:v1',
      'docker push ghcr.io/org/app:latest',
      "docker image save ghcr.io/org/app:v1 ghcr.io/org/app:latest | gzip -3 > '/ws/out dir/i.tar.gz'"
    ])
    expect(commandLines(p).join('\n')).not.toContain(PASSWORD)
  })

  it('shows a retag as inspect-or-pull, then one tag per target', () => {
    const p = plan({
      images: [local],
      tags: ['v2'],
      source: { kind: 'image', ref: 'localhost:5000/app:v1' },
      push: false
    })
    expect(commandLines(p)).toEqual([
      "docker image inspect --format '{{.Id}}' localhost:5000/app:v1 || docker pull localhost:5000/app:v1",
      'docker image tag localhost:5000/app:v1 localhost:5000/app:v2'
    ])
  })
})

describe('makePlan: platforms, provenance and builder with buildx', () => {
  const two = ['linux/amd64', 'linux/arm64']
  const start = (...flags: string[]): string[] => ['buildx', 'build', ...flags]
  const middle = ['--file', '/ws/Dockerfile', '--tag', 'alice/app:latest', '--tag', 'ghcr.io/org/app:latest']
  const readBack = { registries: ['docker.io', 'ghcr.io'] }

  test.each<[string, Partial<BuildInputs>, boolean, string[], string[], boolean]>([
    [
      'one platform: loaded, then docker push',
      { platforms: ['linux/arm64'] },
      true,
      start('--load', '--provenance=false'),
      ['--platform', 'linux/arm64'],
      false
    ],
    ['no platform: loaded, then docker push', {}, true, start('--load', '--provenance=false'), [], false],
    [
      'two platforms: buildx pushes the index',
      { platforms: two },
      true,
      start('--push', '--provenance=false'),
      ['--platform', 'linux/amd64,linux/arm64'],
      true
    ],
    [
      'two platforms, push false: built only',
      { platforms: two },
      false,
      start('--provenance=false'),
      ['--platform', 'linux/amd64,linux/arm64'],
      false
    ],
    [
      'one platform with provenance: pushed by buildx, not loaded',
      { provenance: 'mode=max' },
      true,
      start('--push', '--provenance=mode=max'),
      [],
      true
    ],
    [
      'provenance, push false: loaded only',
      { provenance: 'true' },
      false,
      start('--load', '--provenance=true'),
      [],
      false
    ],
    [
      'two platforms with provenance',
      { platforms: two, provenance: 'mode=min' },
      true,
      start('--push', '--provenance=mode=min'),
      ['--platform', 'linux/amd64,linux/arm64'],
      true
    ],
    ['a builder', { builder: 'remote' }, true, start('--builder', 'remote', '--load', '--provenance=false'), [], false]
  ])('%s', (_label, change, push, first, platform, pushedByBuild) => {
    const build = { ...plainBuild, ...change }
    const p = plan({ images: [alice, ghcr], push, source: { kind: 'build', build } })
    // buildx always writes its metadata (the digests that tell this run's image from another's).
    const end = ['--metadata-file', METADATA, '--iidfile', IID, '/ws']
    expect(buildArgsOf(p)).toEqual([...first, ...middle, ...platform, ...end])
    expect(p.platforms).toEqual(build.platforms)
    if (p.image.kind !== 'build') throw new Error('a build')
    expect(p.image.push).toEqual(pushedByBuild ? readBack : undefined)
    // buildx's push replaces docker push; without it every target is pushed as before.
    expect(p.pushes.flat().map((t) => render.pushArgs(t.ref))).toEqual(
      push && !pushedByBuild ? p.targets.map((t) => ['push', t.ref]) : []
    )
  })

  it('reads back through the builder given', () => {
    const build: BuildInputs = { ...plainBuild, platforms: two, builder: 'k8s' }
    const p = plan({ source: { kind: 'build', build } })
    expect(buildArgsOf(p).slice(0, 6)).toEqual(['buildx', 'build', '--builder', 'k8s', '--push', '--provenance=false'])
    if (p.image.kind !== 'build' || !p.image.push) throw new Error('a build that buildx pushes')
    expect(render.imagetoolsInspectArgs('ghcr.io/org/app@sha256:x', { builderName: p.image.builderName })).toEqual([
      ...['buildx', 'imagetools', 'inspect', '--builder', 'k8s', '--raw'],
      'ghcr.io/org/app@sha256:x'
    ])
  })

  it('names each registry once', () => {
    const other: Repository = { name: 'ghcr.io/org/other', domain: 'ghcr.io', path: 'org/other' }
    const build: BuildInputs = { ...plainBuild, platforms: two }
    const p = plan({ images: [ghcr, alice, other], source: { kind: 'build', build } })
    expect(p.image.kind === 'build' && p.image.push?.registries).toEqual(['ghcr.io', 'docker.io'])
  })

  it('passes one platform to the classic builder, and no buildx flag', () => {
    const build: BuildInputs = { ...plainBuild, platforms: ['linux/arm64'] }
    expect(buildArgsOf(plan({ source: { kind: 'build', build } }, 'docker'))).toEqual([
      ...['build', '--file', '/ws/Dockerfile', '--tag', 'alice/app:latest', '--platform', 'linux/arm64'],
      ...['--iidfile', IID, '/ws']
    ])
  })

  it('has no platforms for a retag', () => {
    expect(plan({ source: { kind: 'image', ref: 'alpine' } }).platforms).toEqual([])
  })

  it('shows the read-back of each repository in the dry run, the digest left to buildx', () => {
    const build: BuildInputs = { ...plainBuild, platforms: two }
    const p = plan({ images: [alice, ghcr], tags: ['v1', 'v2'], source: { kind: 'build', build } })
    expect(commandLines(p)).toEqual([
      'docker buildx build --push --provenance=false --file /ws/Dockerfile --tag alice/app:v1 --tag alice/app:v2 --tag ghcr.io/org/app:v1 --tag ghcr.io/org/app:v2 --platform linux/amd64,linux/arm64 --metadata-file /tmp/run/metadata.json --iidfile /tmp/run/iid /ws',
      "docker buildx imagetools inspect --raw 'alice/app@<digest>'",
      "docker buildx imagetools inspect --raw 'ghcr.io/org/app@<digest>'"
    ])
  })
})

describe('cleanup', () => {
  it('plans one docker image rm of every target, by name, on a self-hosted runner once the image is delivered', () => {
    const selfHosted = { ...env(), selfHosted: true }
    const inputs = inputsOf(parseInputs(raw({ images: 'localhost:5000/app', tags: 'v1,v2' }), selfHosted))
    expect(makePlan(inputs, PLAN_FACTS_ZSTD).plan.cleanup).toEqual(['localhost:5000/app:v1', 'localhost:5000/app:v2'])
    expect(removeArgs(makePlan(inputs, PLAN_FACTS_ZSTD).plan.cleanup)).toEqual([
      'image',
      'rm',
      'localhost:5000/app:v1',
      'localhost:5000/app:v2'
    ])
    // Not when the image stays only in the engine, nor on a GitHub-hosted runner, unless asked.
    expect(inputsOf(parseInputs(raw({ push: 'false' }), selfHosted)).cleanup).toBe(false)
    expect(inputsOf(parse({})).cleanup).toBe(false)
    expect(inputsOf(parse({ cleanup: 'true' })).cleanup).toBe(true)
    expect(inputsOf(parseInputs(raw({ cleanup: 'false' }), selfHosted)).cleanup).toBe(false)
  })

  test.each([
    ['localhost:5000/app:v1', 'localhost:5000/app', 'v1', []],
    ['localhost:5000/app', 'localhost:5000/app', 'latest', []],
    ['localhost:5000/app:v1', 'localhost:5000/app', 'v2', ['localhost:5000/app:v2']]
  ])('keeps the source %s’s own tag (target %s:%s)', (source, image, tag, cleanup) => {
    const inputs = inputsOf(parse({ images: image, tags: tag, 'source-image': source, cleanup: 'true' }))
    expect(makePlan(inputs, PLAN_FACTS_ZSTD).plan.cleanup).toEqual(cleanup)
  })

  it('refuses anything but auto, true or false', () => {
    expect(onlyProblem(parse({ cleanup: 'always' }), 'cleanup')).toBe(
      "Input 'cleanup': 'always' is not auto, true or false. Fix: write auto (on self-hosted runners), true or false."
    )
  })
})

describe('the merge without buildx', () => {
  it('creates and pushes a manifest list per tag, talking plain HTTP only to a loopback registry', () => {
    const inputs = inputsOf(
      parseForMerge({ images: 'localhost:5000/app\nghcr.io/org/app', tags: 'v1', merge: 'linux/amd64' })
    )
    const step = makePlan(inputs, { ...PLAN_FACTS, buildx: false }).plan.image as MergeStep
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
