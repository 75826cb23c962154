// plan/plan.ts: makePlan from typed inputs: the targets, logins, a retag, the pushes, the save,
// the cleanup of a self-hosted runner, a merge without buildx, and a password that shows up in
// no argument.
import { describe, expect, it, test } from '@jest/globals'
import { parseInputs } from '../../../src/inputs/inputs.js'
import { needsImageStore } from '../../../src/inputs/builder.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import type { Environment } from '../../../src/runner/environment.js'
import { commandLines } from '../../../src/plan/command-lines.js'
import { makePlan } from '../../../src/plan/plan.js'
import * as render from '../../../src/plan/render.js'
import type { Builder, Compressor, MergeStep, Plan } from '../../../src/plan/steps.js'
import type { SaveTarget } from '../../../src/inputs/tarball.js'
import type { Repository } from '../../../src/domain/reference.js'
import { env } from '../../__fixtures__/environment.js'
import { inputsOf, onlyProblem, parse, parseForMerge, PASSWORD, raw } from '../../__fixtures__/inputs.js'
import {
  alice,
  allArgs,
  buildArgsOf,
  facts,
  fullBuild,
  ghcr,
  inputs,
  local,
  plainBuild,
  plan,
  PLAN_FACTS,
  PLAN_FACTS_ZSTD
} from '../../__fixtures__/plan.js'
import type { Overrides } from '../../__fixtures__/plan.js'

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

describe('cleanup', () => {
  it('plans one docker image rm of every target, by name, on a self-hosted runner once the image is delivered', () => {
    const selfHosted = { ...env(), selfHosted: true }
    const inputs = inputsOf(parseInputs(raw({ images: 'localhost:5000/app', tags: 'v1,v2' }), selfHosted))
    expect(makePlan(inputs, PLAN_FACTS_ZSTD).plan.cleanup).toEqual(['localhost:5000/app:v1', 'localhost:5000/app:v2'])
    expect(render.removeArgs(makePlan(inputs, PLAN_FACTS_ZSTD).plan.cleanup)).toEqual([
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
    ['localhost:5000/app:v1', 'localhost:5000/app', 'v2', ['localhost:5000/app:v2']],
    // Issue 23: the source written with the registry host, the image without it (and the other way round).
    ['docker.io/x/app:v1', 'x/app', 'v1', []],
    ['index.docker.io/x/app:v1', 'docker.io/x/app', 'v1', []],
    ['x/app', 'x/app', 'latest', []],
    ['docker.io/x/app:v1', 'x/app', 'v2', ['x/app:v2']]
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
    expect(render.mergeArgs(step, local)).toEqual([
      ['manifest', 'create', '--insecure', 'localhost:5000/app:v1', `localhost:5000/app:${part}`],
      ['manifest', 'push', '--insecure', '--purge', 'localhost:5000/app:v1']
    ])
    expect(render.mergeArgs(step, ghcr)).toEqual([
      ['manifest', 'create', 'ghcr.io/org/app:v1', `ghcr.io/org/app:${part}`],
      ['manifest', 'push', '--purge', 'ghcr.io/org/app:v1']
    ])
    expect(makePlan(inputs, { ...PLAN_FACTS, buildx: false }).plan.ownDockerConfig).toBe(true)
  })
})

// How the builder's driver shapes the plan (issue 22): a builder outside the engine
// (setup-buildx-action's docker-container, a remote one) pushes straight from
// BuildKit, once, and loads into the engine only when something needs the image
// there; the engine's own builder (the docker driver) loads and docker pushes; and
// several platforms on the docker driver need the containerd image store.
/** The environment of a runner whose current builder has `driver` (docker: none made current). */
function onDriver(driver: string, more: Partial<Environment> = {}): Environment {
  const drivers: Record<string, string> = driver === 'docker' ? {} : { 'builder-1': driver }
  return {
    ...env(),
    builders: { store: { current: driver === 'docker' ? '' : 'builder-1', drivers }, named: '' },
    ...more
  }
}

const parseDriver = (environment: Environment, overrides: Partial<RawInputs> = {}): ParseResult =>
  parseInputs(raw({ images: 'ghcr.io/org/app\nalice/app', tags: 'v1', ...overrides }), environment)

function planOn(environment: Environment, overrides: Partial<RawInputs> = {}): Plan {
  return makePlan(inputsOf(parseDriver(environment, overrides)), PLAN_FACTS).plan
}

const buildOf = (plan: Plan) => {
  if (plan.image.kind !== 'build') throw new Error('a build')
  return plan.image
}

describe('a builder outside the engine', () => {
  test.each(['docker-container', 'remote', 'kubernetes'])(
    '(%s) pushes every tag from BuildKit, in one build',
    (driver) => {
      const plan = planOn(onDriver(driver))
      const step = buildOf(plan)
      expect(step.exports).toEqual(['push'])
      expect(step.push).toEqual({ registries: ['ghcr.io', 'docker.io'] })
      expect(render.buildArgs(step).slice(0, 4)).toEqual(['buildx', 'build', '--push', '--provenance=false'])
      expect(plan.pushes).toEqual([])
    }
  )

  it('loads it into the engine as well for a save, and for the load input', () => {
    const saved = planOn(onDriver('docker-container'), { save: 'image.tar' })
    expect(buildOf(saved).exports).toEqual(['push', 'load'])
    expect(buildOf(planOn(onDriver('remote'), { load: 'true' })).exports).toEqual(['push', 'load'])
  })

  it('removes no local tag afterwards unless it loaded them', () => {
    const selfHosted = { selfHosted: true }
    expect(planOn(onDriver('docker-container', selfHosted)).cleanup).toEqual([])
    expect(planOn(onDriver('docker-container', selfHosted), { load: 'true' }).cleanup).toEqual([
      'ghcr.io/org/app:v1',
      'alice/app:v1'
    ])
  })

  it('is the builder the builder input names, whatever is current', () => {
    const environment = onDriver('docker')
    environment.builders.store.drivers = { k8s: 'kubernetes' }
    expect(buildOf(planOn(environment, { builder: 'k8s' })).exports).toEqual(['push'])
    expect(buildOf(planOn({ ...environment, builders: { ...environment.builders, named: 'k8s' } })).exports).toEqual([
      'push'
    ])
  })

  it('loads without a push, as before (one platform)', () => {
    expect(buildOf(planOn(onDriver('docker-container'), { push: 'false' })).exports).toEqual(['load'])
  })
})

describe("the engine's own builder (the docker driver)", () => {
  it('loads one platform and docker pushes every tag', () => {
    const plan = planOn(onDriver('docker'))
    expect(buildOf(plan).exports).toEqual(['load'])
    expect(plan.pushes.flat().map((t) => t.ref)).toEqual(['ghcr.io/org/app:v1', 'alice/app:v1'])
  })

  it('never loads and pushes in one build (both exporters would write the image into the engine)', () => {
    expect(buildOf(planOn(onDriver('docker'), { provenance: 'true' })).exports).toEqual(['push'])
  })

  const two = { platforms: 'linux/amd64,linux/arm64' }

  it('refuses several platforms on the classic image store, before any build, with the fix', () => {
    expect(onlyProblem(parseDriver(onDriver('docker', { containerdStore: false }), two), 'platforms')).toBe(
      `Input 'platforms': 2 platforms make one image index, which buildx's docker driver (the engine's own builder) cannot build on this engine's classic image store ("Multi-platform build is not supported for the docker driver"). Fix: add a docker/setup-buildx-action step before this one, whose builder builds several platforms (with docker/setup-qemu-action for RUN steps of other architectures), or turn on the containerd image store, or give one platform.`
    )
  })

  it('builds several platforms on the containerd image store, pushed by buildx', () => {
    expect(buildOf(planOn(onDriver('docker', { containerdStore: true }), two)).exports).toEqual(['push'])
  })

  it('leaves the question open until the engine was asked (containerdStore undefined)', () => {
    expect(parseDriver(onDriver('docker'), two).ok).toBe(true)
  })

  // buildx 0.29 on engine 28's classic store: "Attestation is not supported for the docker driver".
  it('refuses an attestation on the classic image store, before any build, with the fix', () => {
    const attested = { provenance: 'mode=max' }
    expect(onlyProblem(parseDriver(onDriver('docker', { containerdStore: false }), attested), 'provenance')).toBe(
      "Input 'provenance': an attestation makes an image index, which buildx's docker driver (the engine's own builder) cannot build on this engine's classic image store. Fix: add a docker/setup-buildx-action step before this one, or turn on the containerd image store, or set provenance to false."
    )
    expect(parseDriver(onDriver('docker', { containerdStore: true }), attested).ok).toBe(true)
    expect(parseDriver(onDriver('remote', { containerdStore: false }), attested).ok).toBe(true)
    expect(parseDriver(onDriver('docker', { containerdStore: false }), { provenance: 'false' }).ok).toBe(true)
  })

  it('asks the engine for its image store only where a rule depends on it', () => {
    const build = (inputs: Record<string, string>, driver = 'docker'): boolean => {
      const parsed = parseDriver(onDriver(driver), inputs)
      if (!parsed.ok || parsed.inputs.source.kind !== 'build') throw new Error('not a build')
      return needsImageStore(parsed.inputs.source.build)
    }
    expect(build({})).toBe(false)
    expect(build(two)).toBe(true)
    expect(build({ provenance: 'true' })).toBe(true)
    expect(build({ provenance: 'true' }, 'remote')).toBe(false)
  })
})

describe('makePlan: sign (issue 25)', () => {
  const KEY = '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nc2VjcmV0\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----'
  it('keeps the key and its password beside the plan, for the cosign process alone, and the dry run shows ***', () => {
    const parsed = inputsOf(
      parse({ sign: 'key', 'cosign-key': KEY, 'cosign-password': 'pw-7', images: 'ghcr.io/o/app' })
    )
    const { plan: p, secrets } = makePlan(parsed, PLAN_FACTS)
    expect(p.sign).toEqual({ mode: 'key', tlogUpload: true, identity: '' })
    expect(secrets.cosignEnv).toEqual({ COSIGN_PRIVATE_KEY: KEY, COSIGN_PASSWORD: 'pw-7' })
    expect(secrets.buildEnv).toEqual({})
    expect(JSON.stringify(p)).not.toMatch(/c2VjcmV0|pw-7/)
    const lines = commandLines(p).join('\n')
    expect(lines).toContain(
      "COSIGN_PRIVATE_KEY='***' COSIGN_PASSWORD='***' cosign sign --yes --key env://COSIGN_PRIVATE_KEY"
    )
    expect(lines).not.toMatch(/c2VjcmV0|pw-7/)
  })
})
