// A tool the runner lacks (buildx of a given release, cosign), fetched with
// @actions/tool-cache from a release page laid out as GitHub's
// (`<base>/download/<tag>/<asset>` beside `checksums.txt`), its sha256 checked
// against the release's checksums before anything uses it, and kept in the runner's
// tool cache (RUNNER_TOOL_CACHE) so that the next run of the machine finds it. A
// download whose checksum does not match is removed and is an error: nothing is used.
import * as httpm from '@actions/http-client'
import * as tc from '@actions/tool-cache'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DockerError } from '../domain/errors.js'
import * as log from '../runner/log.js'

/** A release asset to fetch: `tool` v`version` (`v0.29.1`), its file on the release, and where the binary goes. */
export interface ReleaseAsset {
  /** The tool cache's name for it, and the input that asked for it (for messages). */
  tool: string
  input: string
  /** The release page, e.g. https://github.com/docker/buildx/releases (overridable for GHES and mirrors). */
  base: string
  /** The release tag, `v0.29.1`. */
  tag: string
  /** The asset's file name on the release, e.g. `buildx-v0.29.1.linux-amd64`. */
  asset: string
  /** The name the binary gets in the cache folder, e.g. `docker-buildx`. */
  binary: string
  /** The release's checksums file: `checksums.txt` (buildx), `cosign_checksums.txt` (cosign). */
  checksums?: string
}

/** The architecture as release assets name it. */
export function releaseArch(arch: string = os.arch()): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm-v7',
    ppc64: 'ppc64le',
    s390x: 's390x'
  }
  return names[arch] ?? arch
}

const client = (): httpm.HttpClient => new httpm.HttpClient('ship-image', [], { allowRedirects: false })

/**
 * The tag the release page's `latest` points at: GitHub (and a mirror laid out as
 * it) answers `<base>/latest` with a redirect to `<base>/tag/<tag>`.
 */
export async function latestTag(base: string, input: string): Promise<string> {
  const url = `${base.replace(/\/+$/, '')}/latest`
  let location: string | undefined
  try {
    const response = await client().get(url)
    await response.readBody()
    const header = response.message.headers.location
    location = Array.isArray(header) ? header[0] : header
  } catch (err) {
    throw new DockerError(
      `Input '${input}': the latest release could not be looked up at ${url} (${err instanceof Error ? err.message : String(err)}). Fix: give a release such as v0.29.1, or check the download URL.`
    )
  }
  const tag = location === undefined ? undefined : /\/tag\/([^/?#]+)\/?$/.exec(location)?.[1]
  if (tag === undefined) {
    throw new DockerError(
      `Input '${input}': ${url} did not point at a release (no redirect to …/tag/<version>). Fix: give a release such as v0.29.1.`
    )
  }
  return decodeURIComponent(tag)
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** The sha256 that a `checksums.txt` (sha256sum's format) gives for `asset`. */
export function checksumOf(checksums: string, asset: string): string | undefined {
  for (const line of checksums.split('\n')) {
    const m = /^([a-f0-9]{64})\s+\*?(\S+)\s*$/i.exec(line.trim())
    if (m && path.basename(m[2]) === asset) return m[1].toLowerCase()
  }
  return undefined
}

/**
 * The tool's binary: from the runner's tool cache when an earlier run put it
 * there, else downloaded into `temp`, checked against the release's checksums,
 * and cached. Without a tool cache (a run outside a runner) the checked download
 * in `temp` is used for this run alone.
 */
export async function fetchVerified(release: ReleaseAsset, temp: string): Promise<string> {
  const version = release.tag.replace(/^v/, '')
  const cache = process.env.RUNNER_TOOL_CACHE
  if (cache) {
    const found = tc.find(release.tool, version, releaseArch())
    if (found !== '' && fs.existsSync(path.join(found, release.binary))) {
      log.info(`${release.tool} ${release.tag}: from the runner's tool cache (${found}).`)
      return path.join(found, release.binary)
    }
  }
  const from = `${release.base.replace(/\/+$/, '')}/download/${release.tag}`
  const url = `${from}/${release.asset}`
  return log.group(`Fetching ${release.tool} ${release.tag} from ${url}`, async () => {
    const dir = fs.mkdtempSync(path.join(temp, `${release.tool}-`))
    const download = async (name: string): Promise<string> => {
      try {
        return await tc.downloadTool(`${from}/${name}`, path.join(dir, name))
      } catch (err) {
        throw new DockerError(
          `Input '${release.input}': ${from}/${name} could not be downloaded (${err instanceof Error ? err.message : String(err)}). Fix: check that ${release.tag} is a release of ${release.tool}, and the download URL.`
        )
      }
    }
    const file = await download(release.asset)
    const checksums = release.checksums ?? 'checksums.txt'
    const expected = checksumOf(fs.readFileSync(await download(checksums), 'utf8'), release.asset)
    const actual = sha256File(file)
    if (expected !== actual) {
      fs.rmSync(dir, { recursive: true, force: true })
      throw new DockerError(
        `Input '${release.input}': ${url} has sha256 ${actual}, but the release's ${checksums} ${expected === undefined ? `lists no ${release.asset}` : `says ${expected}`}; it was removed and nothing was used. Fix: check the download URL (a mirror must serve the release's own files).`
      )
    }
    fs.chmodSync(file, 0o755)
    log.info(`${release.asset}: sha256 ${actual}, as the release's ${checksums} says.`)
    if (!cache) return file
    const cached = await tc.cacheFile(file, release.binary, release.tool, version, releaseArch())
    log.info(`Kept in the runner's tool cache: ${cached}.`)
    return path.join(cached, release.binary)
  })
}
