// The plan's side of the unit tests: the facts makePlan is given about the machine, typed
// inputs to plan from (without parseInputs, so each field stands alone), and readers of the
// argument arrays a plan renders to (src/plan/render.ts).
import type { Repository } from '../../src/domain/reference.js'
import type { BuildInputs } from '../../src/inputs/build.js'
import type { Inputs } from '../../src/inputs/inputs.js'
import { makePlan } from '../../src/plan/plan.js'
import type { PlanFacts } from '../../src/plan/plan.js'
import * as render from '../../src/plan/render.js'
import type { Builder, Plan, Secrets } from '../../src/plan/steps.js'
import { NO_EVENT, WORKSPACE } from './environment.js'
import { PLAIN_BUILD } from './inputs.js'

/** The plan's facts of a buildx machine without pigz or zstd, with its files under /t. */
export const PLAN_FACTS: PlanFacts = {
  buildx: true,
  buildkitEnv: false,
  workspace: WORKSPACE,
  iidFile: '/t/iid',
  metadataFile: '/t/m',
  pigz: undefined,
  zstd: undefined,
  event: NO_EVENT
}

/** PLAN_FACTS on a machine with zstd. */
export const PLAN_FACTS_ZSTD: PlanFacts = { ...PLAN_FACTS, zstd: '/usr/bin/zstd' }

/** Where the plans below write the image ID and buildx's metadata. */
export const IID = '/tmp/run/iid'
export const METADATA = '/tmp/run/metadata.json'

/** Repositories as parseInputs gives them for images. */
export const alice: Repository = { name: 'alice/app', domain: 'docker.io', path: 'alice/app' }
export const ghcr: Repository = { name: 'ghcr.io/org/app', domain: 'ghcr.io', path: 'org/app' }
export const local: Repository = { name: 'localhost:5000/app', domain: 'localhost:5000', path: 'app' }

/** The default build without labels, so each option's flags stand alone. */
export const plainBuild: BuildInputs = { ...PLAIN_BUILD, labels: [] }

/** A build with every option that adds a flag set. */
export const fullBuild: BuildInputs = {
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
  cacheTo: [],
  cache: 'false',
  secrets: [],
  provenance: 'false',
  builder: '',
  driver: 'docker'
}

/** Overrides of the inputs; `credentials` stands for the username and password inputs (a login to `registry`). */
export type Overrides = Partial<Inputs> & { credentials?: { username: string; password: string } }

/** The inputs of a build of alice/app:latest from plainBuild, pushed, with the overrides. */
export function inputs({ credentials, ...overrides }: Overrides = {}): Inputs {
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
    sign: undefined,
    buildx: undefined,
    load: false,
    save: undefined,
    attempts: 3,
    summary: true,
    dryRun: false,
    ...overrides
  }
}

/** The facts of a machine with `builder`; `buildkit` without buildx stands for DOCKER_BUILDKIT=1. */
export function facts(builder: Builder = 'buildx', buildkit = builder === 'buildx', pigz?: string): PlanFacts {
  return {
    buildx: builder === 'buildx',
    buildkitEnv: buildkit && builder !== 'buildx',
    workspace: '/ws',
    iidFile: IID,
    metadataFile: METADATA,
    pigz,
    zstd: '/usr/bin/zstd',
    event: NO_EVENT
  }
}

/** makePlan of inputs(overrides) on a machine with `builder`. */
export function planAndSecrets(
  overrides: Overrides = {},
  builder: Builder = 'buildx',
  buildkit = builder === 'buildx'
): { plan: Plan; secrets: Secrets } {
  return makePlan(inputs(overrides), facts(builder, buildkit))
}

export function plan(overrides: Overrides = {}, builder: Builder = 'buildx', buildkit = builder === 'buildx'): Plan {
  return planAndSecrets(overrides, builder, buildkit).plan
}

/** The build's argument array. */
export function buildArgsOf(p: Plan): string[] {
  if (p.image.kind !== 'build') throw new Error(`expected a build, got ${p.image.kind}`)
  return render.buildArgs(p.image)
}

/** Every argument array the plan's steps render to. */
export function allArgs(p: Plan): string[][] {
  const image = p.image
  const imageArgs =
    image.kind === 'build'
      ? [render.buildArgs(image), ...image.cachePulls.map((ref) => render.pullArgs(ref))]
      : image.kind === 'load'
        ? [render.loadArgs()]
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
