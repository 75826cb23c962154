// buildx-version: the buildx release this run uses. When the runner's buildx is
// missing or another release, that release is fetched (downloads.ts: checksum
// checked, kept in the runner's tool cache) and given to this run alone, through a
// private cli-plugins folder of the run's own docker config: the user's other
// plugins are linked in beside it, and nothing of the user's changes.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Docker } from '../docker/docker.js'
import type { BuildxRelease } from '../inputs/builder.js'
import * as render from '../plan/render.js'
import type { Environment } from '../runner/environment.js'
import * as log from '../runner/log.js'
import { fetchVerified, latestTag, releaseArch } from './downloads.js'

/** `0.29.1` from what `docker buildx version` prints (`github.com/docker/buildx v0.29.1 abc`, or Debian's `0.29.1+ds1`). */
export function versionOf(printed: string): string | undefined {
  return /\bv?(\d+\.\d+\.\d+)/.exec(printed)?.[1]
}

/**
 * Makes `dir` a plugin folder with every plugin the user's CLI would find but
 * docker-buildx, which is `buildx`. Returns `dir`.
 */
export function pluginFolder(dir: string, environment: Environment, buildx: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  for (const from of [...environment.dockerConfig.pluginDirs].reverse()) {
    let names: string[]
    try {
      names = fs.readdirSync(from).filter((n) => n.startsWith('docker-') && n !== 'docker-buildx')
    } catch {
      continue
    }
    // The CLI takes a plugin from the first folder that has it: the earlier folders win, linked last.
    for (const name of names) {
      fs.rmSync(path.join(dir, name), { force: true })
      fs.symlinkSync(path.join(from, name), path.join(dir, name))
    }
  }
  fs.symlinkSync(buildx, path.join(dir, 'docker-buildx'))
  return dir
}

/**
 * The plugin folder this run must use for buildx `release`, or undefined when the
 * runner's own buildx is that release already.
 */
export async function ensureBuildx(
  docker: Docker,
  release: BuildxRelease,
  environment: Environment,
  temp: string
): Promise<string | undefined> {
  const tag = release.version === 'latest' ? await latestTag(release.base, 'buildx-version') : release.version
  const installed = environment.buildx
    ? versionOf((await docker.tryRun(render.buildxVersionArgs(), { silent: true })).stdout)
    : undefined
  if (installed === tag.replace(/^v/, '')) {
    log.info(`buildx-version: the runner's buildx is ${tag} already.`)
    return undefined
  }
  log.info(
    `buildx-version: ${installed === undefined ? 'the runner has no buildx' : `the runner's buildx is v${installed}`}; this run uses ${tag}.`
  )
  const binary = await fetchVerified(
    {
      tool: 'buildx',
      input: 'buildx-version',
      base: release.base,
      tag,
      asset: `buildx-${tag}.linux-${releaseArch()}`,
      binary: 'docker-buildx'
    },
    temp
  )
  return pluginFolder(path.join(temp, 'cli-plugins'), environment, binary)
}
