// plan/render.ts: the argument arrays of the build that makePlan's steps render to, for each
// builder (buildx, an older CLI's BuildKit, the classic builder): the options, SOURCE_DATE_EPOCH,
// cache-from, secrets, and platforms, provenance and a named builder with buildx.
import { describe, expect, it, test } from '@jest/globals'
import type { BuildInputs } from '../../../src/inputs/build.js'
import { commandLines } from '../../../src/plan/command-lines.js'
import * as render from '../../../src/plan/render.js'
import type { Builder } from '../../../src/plan/steps.js'
import type { Repository } from '../../../src/domain/reference.js'
import {
  alice,
  allArgs,
  buildArgsOf,
  fullBuild,
  ghcr,
  IID,
  METADATA,
  plainBuild,
  plan,
  planAndSecrets
} from '../../__fixtures__/plan.js'
import { PASSWORD } from '../../__fixtures__/inputs.js'

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
      cacheTo: [],
      inlineCache: false,
      secrets: [],
      provenance: builder === 'buildx' ? 'false' : undefined,
      exports: builder === 'buildx' ? ['load'] : [],
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
  const build: BuildInputs = {
    ...plainBuild,
    cacheFrom: cacheFrom.map((ref) => ({ type: 'registry', attrs: [['ref', ref]] }))
  }

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

describe('cosign (issue 25)', () => {
  const ref = `ghcr.io/o/app@sha256:${'1'.repeat(64)}`
  it('signs by digest, the key read from the environment, the log turned off as cosign 3.1 wants it', () => {
    expect(render.cosignSignArgs(ref, { mode: 'key', tlogUpload: false, identity: '' })).toEqual([
      ...['sign', '--yes', '--key', 'env://COSIGN_PRIVATE_KEY', '--tlog-upload=false', '--use-signing-config=false'],
      ref
    ])
    expect(render.cosignSignArgs(ref, { mode: 'keyless', tlogUpload: true, identity: '' })).toEqual([
      'sign',
      '--yes',
      ref
    ])
  })

  it('gives the verify command of each mode', () => {
    expect(render.cosignVerifyArgs(ref, { mode: 'key', tlogUpload: false, identity: '' })).toEqual([
      ...['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true'],
      ref
    ])
    const identity = 'https://github.com/o/app/.github/workflows/release.yml@refs/tags/v1'
    expect(render.cosignVerifyArgs(ref, { mode: 'keyless', tlogUpload: true, identity })).toEqual([
      ...['verify', '--certificate-identity', identity],
      ...['--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com'],
      ref
    ])
  })
})
