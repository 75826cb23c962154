// The machine a unit test runs on: an Environment (src/runner/environment.ts) over a
// fake file system, outside GitHub Actions unless an event is given, at a fixed time.
import type { GitEvent } from '../../src/domain/event.js'
import type { Environment, FileSystem } from '../../src/runner/environment.js'

export type Kind = ReturnType<FileSystem['kind']>

/** What a fake file system holds besides kinds: read-only folders and file texts. */
export interface FakeFsOptions {
  readOnly?: string[]
  texts?: Record<string, string>
}

/**
 * A FileSystem answering from a map of absolute paths; anything not listed is
 * missing, every listed folder is writable unless `readOnly` names it, and a file
 * reads as its `texts` entry. Records every kind look-up.
 */
export function fakeFs(
  entries: Record<string, Exclude<Kind, 'missing'>>,
  options: FakeFsOptions = {}
): FileSystem & { lookups: string[] } {
  const lookups: string[] = []
  const has = (p: string): boolean => Object.prototype.hasOwnProperty.call(entries, p)
  return {
    lookups,
    kind(absolutePath: string): Kind {
      lookups.push(absolutePath)
      return has(absolutePath) ? entries[absolutePath] : 'missing'
    },
    writable(absoluteDir: string): boolean {
      return has(absoluteDir) && entries[absoluteDir] === 'directory' && !options.readOnly?.includes(absoluteDir)
    },
    readText(absolutePath: string): string | undefined {
      return options.texts?.[absolutePath]
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

/** A run outside GitHub Actions: no event, no commit, no repository. */
export const NO_EVENT: GitEvent = { name: '', ref: '', sha: '', pullRequest: undefined, sourceUrl: '', title: '' }

/** The time every unit test runs at, and its `created` label. */
export const NOW = new Date('2026-01-02T03:04:05.678Z')
export const CREATED = { key: 'org.opencontainers.image.created', value: '2026-01-02T03:04:05Z' }

export function env(
  entries: Record<string, Exclude<Kind, 'missing'>> = DEFAULT_TREE,
  event: GitEvent = NO_EVENT,
  fsOptions: FakeFsOptions = {}
): Environment & { fs: ReturnType<typeof fakeFs> } {
  return {
    workspace: WORKSPACE,
    runnerTemp: '/runner/temp',
    otherTemps: ['/tmp', '/dev/shm'],
    fs: fakeFs(entries, fsOptions),
    event,
    now: NOW,
    created: { date: new Date('2026-01-02T03:04:05Z'), source: 'now' },
    buildkitEnv: false,
    dockerHost: undefined,
    dockerConfig: {
      dir: '/home/runner/.docker',
      json: {},
      registries: [],
      credsStore: undefined,
      pluginDirs: ['/home/runner/.docker/cli-plugins']
    },
    buildxConfig: '/home/runner/.docker/buildx',
    buildx: true,
    builders: { store: { current: '', drivers: {} }, named: '' },
    selfHosted: false,
    tools: { docker: '/usr/bin/docker', pigz: undefined, zstd: '/usr/bin/zstd', cosign: undefined },
    oidc: false,
    workflowRef: ''
  }
}
