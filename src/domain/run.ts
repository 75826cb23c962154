// What a run did, as the execution hands it to the report: each phase's time, and
// the outcome (what was pushed and saved), also when a phase failed.
import type { BuildCache, PlatformDigest, Pushed, Tarball, Target } from './image.js'

/** The phases of a run, in the order they run. */
export const PHASES = ['login', 'build', 'save', 'push', 'sign'] as const
export type Phase = (typeof PHASES)[number]

/** How long each phase took, in milliseconds (a phase that did not run is absent). */
export type Timings = Partial<Record<Phase, number>>

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
  /** The `repository@digest` cosign signed (sign). */
  signed?: string[]
}

/** What the run did: the outcome, each phase's time, and what the summary shows of the image. */
export interface Done {
  outcome: Outcome
  timings: Timings
  /** The image's size in the engine, for the summary. */
  imageSize: number | undefined
  /** The build's steps and cache hits, where the builder said. */
  cache?: BuildCache
}
