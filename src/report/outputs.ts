// Turns what the run did into the step outputs (pure), and writes them.
import * as workflow from '../runner/workflow.js'
import type { Target } from '../plan/plan.js'
import type { Tarball } from '../phases/save.js'

export interface Pushed {
  target: Target
  /** The manifest digest the registry reported for this push. */
  digest: string
}

export interface Outcome {
  imageId: string
  /** The version the Git event gives (1.2.3, feature-x, pr-42), or ''. */
  version: string
  /** The labels the build set (none for a retag). */
  labels: Record<string, string>
  targets: Target[]
  pushed: Pushed[]
  /** Each platform asked for, with its manifest digest in what was pushed (null when nothing was, or it is unknown). */
  platforms: PlatformDigest[]
  tarball: Tarball | undefined
}

export interface PlatformDigest {
  /** `linux/arm64`, `linux/arm/v7` */
  platform: string
  digest: string | null
}

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
  'imageid' | 'digest' | 'tags' | 'refs' | 'version' | 'tarball' | 'tarball-digest' | 'metadata',
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

/** The step outputs, each a view of the metadata. */
export function outputsOf(metadata: Metadata): Outputs {
  return {
    imageid: metadata.imageid,
    digest: metadata.digest,
    tags: metadata.tags.join('\n'),
    refs: metadata.refs.join('\n'),
    version: metadata.version,
    tarball: metadata.tarball?.path ?? '',
    'tarball-digest': metadata.tarball?.digest ?? '',
    metadata: JSON.stringify(metadata)
  }
}

interface Descriptor {
  digest?: unknown
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown }
}

/** Each platform's manifest digest in an index (attestations, `unknown/unknown`, left out); a plain manifest is its own. */
export function platformsOf(manifest: unknown, digest: string, asked: string[]): PlatformDigest[] {
  const entries = (manifest as { manifests?: unknown } | null)?.manifests
  if (!Array.isArray(entries)) return asked.map((platform) => ({ platform, digest }))
  return (entries as Descriptor[]).flatMap((d) => {
    const p = d.platform
    if (typeof d.digest !== 'string' || typeof p?.os !== 'string' || typeof p.architecture !== 'string') return []
    if (p.os === 'unknown') return []
    const variant = typeof p.variant === 'string' && p.variant !== '' ? `/${p.variant}` : ''
    return [{ platform: `${p.os}/${p.architecture}${variant}`, digest: d.digest }]
  })
}

/** Sets the outputs given (a dry run knows only some of them). */
export function writeOutputs(outputs: Partial<Outputs>): void {
  for (const [name, value] of Object.entries(outputs)) workflow.setOutput(name, value)
}
