// Test doubles shared by the unit tests (not a test file itself).
import { INPUT_NAMES } from '../../src/inputs.js'
import type { BuildInputs, Environment, FileSystem, InputName, RawInputs } from '../../src/inputs.js'

export type Kind = ReturnType<FileSystem['kind']>

/** A FileSystem answering from a map of absolute paths; anything not listed is missing. Records every look-up. */
export function fakeFs(entries: Record<string, Exclude<Kind, 'missing'>>): FileSystem & { lookups: string[] } {
  const lookups: string[] = []
  return {
    lookups,
    kind(absolutePath: string): Kind {
      lookups.push(absolutePath)
      return Object.prototype.hasOwnProperty.call(entries, absolutePath) ? entries[absolutePath] : 'missing'
    }
  }
}

export const WORKSPACE = '/ws'

/** A workspace with a context folder and its Dockerfile: /ws and /ws/Dockerfile. */
export const DEFAULT_TREE: Record<string, Exclude<Kind, 'missing'>> = {
  '/': 'directory',
  '/ws': 'directory',
  '/ws/Dockerfile': 'file'
}

export function env(entries: Record<string, Exclude<Kind, 'missing'>> = DEFAULT_TREE): Environment & { fs: ReturnType<typeof fakeFs> } {
  return { workspace: WORKSPACE, fs: fakeFs(entries) }
}

/** Every input empty (as when no default applies), with `images: alice/app` and the given overrides. */
export function raw(overrides: Partial<RawInputs> = {}): RawInputs {
  const empty = Object.fromEntries(INPUT_NAMES.map((name: InputName) => [name, ''])) as RawInputs
  return { ...empty, images: 'alice/app', ...overrides }
}

/** The build inputs parseInputs gives for raw() in DEFAULT_TREE: context /ws, everything else unset. */
export const PLAIN_BUILD: BuildInputs = {
  context: '/ws',
  file: '/ws/Dockerfile',
  buildArgs: [],
  labels: [],
  target: '',
  platform: '',
  network: '',
  pull: false,
  noCache: false
}
