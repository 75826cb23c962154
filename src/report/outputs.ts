// Turns what the run did into the metadata and the step outputs (pure), and
// writes them.
import * as core from '@actions/core'
import type { PlatformDigest, Tarball } from '../domain/image.js'
import type { Outcome } from '../domain/run.js'

export interface Metadata {
  imageid: string
  version: string
  labels: Record<string, string>
  digest: string
  tags: string[]
  refs: string[]
  platforms: PlatformDigest[]
  images: {
    repository: string
    registry: string
    digest: string | null
    ref: string | null
    tags: { tag: string; ref: string; digest: string | null }[]
  }[]
  tarball: Tarball | null
}

export type Outputs = Record<
  'imageid' | 'digest' | 'tags' | 'refs' | 'version' | 'tarball' | 'tarball-digest' | 'cosign-verify' | 'metadata',
  string
>

export function metadataOf(outcome: Outcome): Metadata {
  const digestOf = new Map(outcome.pushed.map((p) => [p.target.ref, p.digest]))
  const repositories = [...new Map(outcome.targets.map((t) => [t.repository.name, t.repository])).values()]
  const images = repositories.map((repository) => {
    const tags = outcome.targets
      .filter((t) => t.repository.name === repository.name)
      .map((t) => ({ tag: t.tag, ref: t.ref, digest: digestOf.get(t.ref) ?? null }))
    const digest = tags.find((t) => t.digest !== null)?.digest ?? null
    return {
      repository: repository.name,
      registry: repository.domain,
      digest,
      ref: digest && `${repository.name}@${digest}`,
      tags
    }
  })
  return {
    imageid: outcome.imageId,
    version: outcome.version,
    labels: outcome.labels,
    digest: images.find((i) => i.digest !== null)?.digest ?? '',
    tags: outcome.targets.map((t) => t.ref),
    refs: images.flatMap((i) => (i.ref === null ? [] : [i.ref])),
    platforms: outcome.platforms,
    images,
    tarball: outcome.tarball ?? null
  }
}

/** The step outputs, each a view of the metadata; `verify`: the cosign verify command of each signed digest. */
export function outputsOf(metadata: Metadata, verify: string[] = []): Outputs {
  return {
    imageid: metadata.imageid,
    digest: metadata.digest,
    tags: metadata.tags.join('\n'),
    refs: metadata.refs.join('\n'),
    version: metadata.version,
    tarball: metadata.tarball?.path ?? '',
    'tarball-digest': metadata.tarball?.digest ?? '',
    'cosign-verify': verify.join('\n'),
    metadata: JSON.stringify(metadata)
  }
}

/** Sets the outputs given (a dry run knows only some of them). */
export function writeOutputs(outputs: Partial<Outputs>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}
