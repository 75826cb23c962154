// What the image phase hands to the phases after it: the image the run made (built,
// loaded or tagged), and every digest that names it.
import type { BuildCache } from '../domain/image.js'

/** The image the run made: its ID, and every digest that names it (to tell it from another run's). */
export interface MadeImage {
  id: string
  /** The image ID, and with buildx the manifest and config digests: the engine's ID is one of them, whatever its image store. */
  own: string[]
  /** The build's steps and cache hits, as the builder printed them (for the summary). */
  cache?: BuildCache
  /** The digest the registry gave a source image that was pulled, to tell whether the push kept it. */
  pulledDigest?: string
}
