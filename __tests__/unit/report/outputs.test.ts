import { describe, expect, it, test } from '@jest/globals'
import { readActionFile } from '../../../scripts/lib/action-yml.mjs'
import type { Pushed, Tarball, Target } from '../../../src/domain/image.js'
import type { Repository } from '../../../src/domain/reference.js'
import type { Outcome } from '../../../src/domain/run.js'
import { metadataOf, outputsOf } from '../../../src/report/outputs.js'
import type { Metadata } from '../../../src/report/outputs.js'

const IMAGE_ID = 'sha256:' + 'a'.repeat(64)
const DIGEST_A = 'sha256:' + '1'.repeat(64)
const DIGEST_B = 'sha256:' + '2'.repeat(64)
const TARBALL_DIGEST = 'sha256:' + 'f'.repeat(64)

const alice: Repository = { name: 'alice/app', domain: 'docker.io', path: 'alice/app' }
const local: Repository = { name: 'localhost:5000/app', domain: 'localhost:5000', path: 'app' }

function targets(repositories: Repository[], tags: string[]): Target[] {
  return repositories.flatMap((repository) =>
    tags.map((tag) => ({ repository, tag, ref: `${repository.name}:${tag}` }))
  )
}

const fourTargets = targets([alice, local], ['v1', 'latest'])
const tarball: Tarball = { path: '/ws/out/image.tar.gz', digest: TARBALL_DIGEST, size: 12345, compressor: 'pigz' }

/** An outcome of the four targets with nothing pushed or saved, with `changes` over it. */
function outcomeWith(changes: Partial<Outcome> = {}): Outcome {
  return {
    imageId: IMAGE_ID,
    version: '',
    labels: {},
    targets: fourTargets,
    pushed: [],
    platforms: [],
    tarball: undefined,
    ...changes
  }
}

function pushedAll(ts: Target[], digestOf: (t: Target) => string): Pushed[] {
  return ts.map((target) => ({ target, digest: digestOf(target) }))
}

const pushedBoth: Pushed[] = pushedAll(fourTargets, (t) => (t.repository === alice ? DIGEST_A : DIGEST_B))

describe('outputsOf', () => {
  it('has empty digest and refs when nothing was pushed', () => {
    const outputs = outputsOf(metadataOf(outcomeWith()))
    expect(outputs).toEqual({
      imageid: IMAGE_ID,
      digest: '',
      tags: 'alice/app:v1\nalice/app:latest\nlocalhost:5000/app:v1\nlocalhost:5000/app:latest',
      refs: '',
      version: '',
      tarball: '',
      'tarball-digest': '',
      'cosign-verify': '',
      metadata: expect.any(String)
    })
  })

  it('has one ref per repository, in order, and the first digest, when two repositories × two tags were pushed', () => {
    const outputs = outputsOf(metadataOf(outcomeWith({ pushed: pushedBoth })))
    expect(outputs.digest).toBe(DIGEST_A)
    expect(outputs.refs).toBe(`alice/app@${DIGEST_A}\nlocalhost:5000/app@${DIGEST_B}`)
    expect(outputs.tags).toBe('alice/app:v1\nalice/app:latest\nlocalhost:5000/app:v1\nlocalhost:5000/app:latest')
    expect(outputs.imageid).toBe(IMAGE_ID)
  })

  it('orders refs by the targets, not by the order of the pushes', () => {
    const outputs = outputsOf(metadataOf(outcomeWith({ pushed: [...pushedBoth].reverse() })))
    expect(outputs.refs).toBe(`alice/app@${DIGEST_A}\nlocalhost:5000/app@${DIGEST_B}`)
    expect(outputs.digest).toBe(DIGEST_A)
  })

  it('leaves a repository without a push out of refs', () => {
    const pushed = pushedAll(
      fourTargets.filter((t) => t.repository === local),
      () => DIGEST_B
    )
    const outputs = outputsOf(metadataOf(outcomeWith({ pushed })))
    expect(outputs.refs).toBe(`localhost:5000/app@${DIGEST_B}`)
    expect(outputs.digest).toBe(DIGEST_B)
  })

  it('sets the tarball fields from the tarball', () => {
    const outputs = outputsOf(metadataOf(outcomeWith({ tarball })))
    expect(outputs.tarball).toBe('/ws/out/image.tar.gz')
    expect(outputs['tarball-digest']).toBe(TARBALL_DIGEST)
  })

  it('has exactly the outputs action.yml declares', () => {
    const outputs = outputsOf(metadataOf(outcomeWith()))
    const declared = readActionFile().outputs.map((output) => output.name)
    expect(declared.length).toBeGreaterThan(0)
    expect(Object.keys(outputs).sort()).toEqual([...declared].sort())
  })

  test.each<[string, Outcome]>([
    ['nothing pushed', outcomeWith()],
    ['pushed and saved', outcomeWith({ pushed: pushedBoth, tarball })]
  ])('metadata is the JSON of metadataOf (%s)', (_label, outcome) => {
    expect(JSON.parse(outputsOf(metadataOf(outcome)).metadata)).toEqual(metadataOf(outcome))
  })
})

describe('metadataOf', () => {
  it('has the documented shape when nothing was pushed or saved', () => {
    const metadata = metadataOf(outcomeWith({ targets: targets([alice], ['v1']) }))
    const expected: Metadata = {
      imageid: IMAGE_ID,
      version: '',
      labels: {},
      digest: '',
      tags: ['alice/app:v1'],
      refs: [],
      platforms: [],
      images: [
        {
          repository: 'alice/app',
          registry: 'docker.io',
          digest: null,
          ref: null,
          tags: [{ tag: 'v1', ref: 'alice/app:v1', digest: null }]
        }
      ],
      tarball: null
    }
    expect(metadata).toEqual(expected)
  })

  it('parses back from the metadata output to the documented shape for two repositories × two tags, pushed and saved', () => {
    const parsed: unknown = JSON.parse(outputsOf(metadataOf(outcomeWith({ pushed: pushedBoth, tarball }))).metadata)
    expect(parsed).toEqual({
      imageid: IMAGE_ID,
      version: '',
      labels: {},
      digest: DIGEST_A,
      tags: ['alice/app:v1', 'alice/app:latest', 'localhost:5000/app:v1', 'localhost:5000/app:latest'],
      refs: [`alice/app@${DIGEST_A}`, `localhost:5000/app@${DIGEST_B}`],
      platforms: [],
      images: [
        {
          repository: 'alice/app',
          registry: 'docker.io',
          digest: DIGEST_A,
          ref: `alice/app@${DIGEST_A}`,
          tags: [
            { tag: 'v1', ref: 'alice/app:v1', digest: DIGEST_A },
            { tag: 'latest', ref: 'alice/app:latest', digest: DIGEST_A }
          ]
        },
        {
          repository: 'localhost:5000/app',
          registry: 'localhost:5000',
          digest: DIGEST_B,
          ref: `localhost:5000/app@${DIGEST_B}`,
          tags: [
            { tag: 'v1', ref: 'localhost:5000/app:v1', digest: DIGEST_B },
            { tag: 'latest', ref: 'localhost:5000/app:latest', digest: DIGEST_B }
          ]
        }
      ],
      tarball: { path: '/ws/out/image.tar.gz', digest: TARBALL_DIGEST, size: 12345, compressor: 'pigz' }
    })
  })

  it('uses the normalised registry of a Docker Hub alias and the name as written', () => {
    const hub: Repository = { name: 'index.docker.io/app', domain: 'docker.io', path: 'library/app' }
    const ts = targets([hub], ['v1'])
    const metadata = metadataOf(outcomeWith({ targets: ts, pushed: pushedAll(ts, () => DIGEST_A) }))
    expect(metadata.images).toEqual([
      {
        repository: 'index.docker.io/app',
        registry: 'docker.io',
        digest: DIGEST_A,
        ref: `index.docker.io/app@${DIGEST_A}`,
        tags: [{ tag: 'v1', ref: 'index.docker.io/app:v1', digest: DIGEST_A }]
      }
    ])
  })

  it('gives each platform with its manifest digest, as the outcome has them', () => {
    const platforms = [
      { platform: 'linux/amd64', digest: DIGEST_A },
      { platform: 'linux/arm/v7', digest: null }
    ]
    const metadata = metadataOf(outcomeWith({ pushed: pushedBoth, platforms }))
    expect(metadata.platforms).toEqual(platforms)
    expect(JSON.parse(outputsOf(metadata).metadata).platforms).toEqual(platforms)
  })

  it('has no images and empty lists without targets', () => {
    expect(
      metadataOf({ imageId: '', version: '', labels: {}, targets: [], pushed: [], platforms: [], tarball: undefined })
    ).toEqual({
      imageid: '',
      version: '',
      labels: {},
      digest: '',
      tags: [],
      refs: [],
      platforms: [],
      images: [],
      tarball: null
    })
  })
})
