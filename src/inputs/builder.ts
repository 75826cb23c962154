// The build inputs that depend on what the builder can do: the network of RUN
// steps, the platforms (several make one index, which only buildx builds), the
// provenance attestation and the buildx builder to use. Pure: the machine's facts
// come in through the environment.
import { isPlatform } from '../domain/image.js'
import { driverOf } from '../runner/buildx-store.js'
import { cacheNeedsImageStore } from './cache.js'
import type { BuilderDriver } from '../runner/buildx-store.js'
import type { Environment } from '../runner/environment.js'
import type { RawInputs } from './names.js'
import { parseList } from './parse.js'
import type { Report } from './parse.js'

/** buildx's `--provenance`: `false` (the default), `true`, `mode=min` or `mode=max`. */
export type Provenance = 'false' | 'true' | 'mode=min' | 'mode=max'

/** The networks RUN steps can use: BuildKit knows three; the classic builder also bridge, container:<name> and named networks. */
export function checkNetwork(network: string, buildkit: boolean, report: Report): void {
  if (network === '') return
  if (buildkit) {
    if (['default', 'none', 'host'].includes(network)) return
    report.problem(
      'network',
      `'${network}' is not a network BuildKit can give RUN steps`,
      'write default, none or host (BuildKit builds know no other network)'
    )
  } else if (!/^(?:container:)?[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(network)) {
    report.problem(
      'network',
      `'${network}' is not a network name`,
      'write default, bridge, host, none, container:<name> or the name of a docker network'
    )
  }
}

const SETUP_BUILDX = 'install the buildx plugin (docker/setup-buildx-action)'

/**
 * `platforms` (or the deprecated `platform`): a list of os/arch[/variant], without
 * duplicates. Several become one image index, which only buildx builds.
 */
export function parsePlatforms(
  raw: RawInputs,
  env: Environment,
  driver: BuilderDriver | undefined,
  report: Report
): string[] {
  if (raw.platform !== '' && raw.platforms !== '') {
    report.problem(
      'platform',
      'platform and platforms are both set',
      'remove platform (deprecated) and list every platform in platforms'
    )
    return []
  }
  const input = raw.platforms !== '' ? 'platforms' : 'platform'
  if (input === 'platform' && raw.platform !== '')
    report.warn(
      'platform',
      "Input 'platform' is deprecated: use platforms (the docker actions' name), which takes a list."
    )
  const platforms = [...new Set(parseList(raw[input]))]
  const bad = platforms.filter((p) => !isPlatform(p))
  for (const platform of bad) {
    report.problem(
      input,
      `'${platform}' is not a platform`,
      'write os/arch[/variant] in lowercase, such as linux/amd64 or linux/arm/v7, several separated by commas or lines'
    )
  }
  if (bad.length === 0 && platforms.length > 1 && !env.buildx) {
    report.problem(
      input,
      `${platforms.length} platforms make one image index, which needs buildx, but docker build here is ${env.buildkitEnv ? "the CLI's built-in BuildKit" : 'the classic builder'} and builds one platform`,
      `${SETUP_BUILDX} (add docker/setup-qemu-action for RUN steps of other architectures), or give one platform`
    )
  }
  // buildx's docker driver builds several platforms only into the containerd image store (probed: needsImageStore).
  if (bad.length === 0 && platforms.length > 1 && driver === 'docker' && env.containerdStore === false) {
    report.problem(
      input,
      `${platforms.length} platforms make one image index, which buildx's docker driver (the engine's own builder) cannot build on this engine's classic image store ("Multi-platform build is not supported for the docker driver")`,
      'add a docker/setup-buildx-action step before this one, whose builder builds several platforms (with docker/setup-qemu-action for RUN steps of other architectures), or turn on the containerd image store, or give one platform'
    )
  }
  return platforms
}

/**
 * Whether a rule of these inputs depends on the engine's image store, which only
 * `docker info` tells (environment.containerdStore): several platforms, an
 * attestation, or a cache to export, on buildx's docker driver.
 */
export function needsImageStore(
  build: { driver: BuilderDriver | undefined; platforms: string[]; provenance: Provenance } & Parameters<
    typeof cacheNeedsImageStore
  >[0]
): boolean {
  return (
    build.driver === 'docker' &&
    (build.platforms.length > 1 || build.provenance !== 'false' || cacheNeedsImageStore(build))
  )
}

/** The driver of the buildx builder a build uses ('' for buildx's own choice), or undefined without buildx. */
export function driverFor(builder: string, env: Environment): BuilderDriver | undefined {
  return env.buildx ? driverOf(env.builders.store, builder || env.builders.named) : undefined
}

/** `provenance`: buildx's attestation; off unless asked for, so that one platform stays one plain manifest. */
export function parseProvenance(
  value: string,
  env: Environment,
  driver: BuilderDriver | undefined,
  report: Report
): Provenance {
  const lower = value.toLowerCase()
  if (value === '' || lower === 'false') return 'false'
  if (lower !== 'true' && lower !== 'mode=min' && lower !== 'mode=max') {
    report.problem(
      'provenance',
      `'${value}' is not true, false, mode=min or mode=max`,
      'write false (no attestation, the default), true or mode=min (a minimal provenance attestation) or mode=max (with the build args and more)'
    )
    return 'false'
  }
  if (!env.buildx) {
    report.problem('provenance', 'provenance attestations need buildx', `${SETUP_BUILDX}, or set provenance to false`)
  } else if (driver === 'docker' && env.containerdStore === false) {
    // buildx's own words: "Attestation is not supported for the docker driver" (probed: needsImageStore).
    report.problem(
      'provenance',
      "an attestation makes an image index, which buildx's docker driver (the engine's own builder) cannot build on this engine's classic image store",
      'add a docker/setup-buildx-action step before this one, or turn on the containerd image store, or set provenance to false'
    )
  }
  return lower
}

/** `builder`: the name of an existing buildx builder (setup-buildx-action's `name` output). */
export function parseBuilder(value: string, env: Environment, report: Report): string {
  if (value === '') return ''
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(value)) {
    report.problem(
      'builder',
      `'${value}' is not a builder name`,
      'give the name of an existing buildx builder, such as the name output of docker/setup-buildx-action'
    )
  } else if (!env.buildx) {
    report.problem('builder', `the builder '${value}' needs buildx, which is not installed`, SETUP_BUILDX)
  }
  return value
}

/** buildx-version: the buildx release the run uses ('latest' or a tag such as v0.29.1), from this release page. */
export interface BuildxRelease {
  version: string
  base: string
}

export const BUILDX_RELEASES = 'https://github.com/docker/buildx/releases'

/** `buildx-version` ('' for the runner's own buildx, `latest`, or `v0.29.1`) and `buildx-download-url`. */
export function parseBuildxRelease(raw: RawInputs, report: Report): BuildxRelease | undefined {
  const version = raw['buildx-version']
  const base = raw['buildx-download-url'] || BUILDX_RELEASES
  if (!/^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(base)) {
    report.problem(
      'buildx-download-url',
      `'${base}' is not an http(s) URL`,
      `give the release page buildx is fetched from, laid out as ${BUILDX_RELEASES} (<url>/download/<tag>/<asset>)`
    )
  }
  if (version === '') return undefined
  if (version.toLowerCase() === 'latest') return { version: 'latest', base }
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(version)
  if (!m) {
    report.problem(
      'buildx-version',
      `'${version}' is not a buildx release`,
      'write latest, or a release such as v0.29.1 (or leave it empty to use the buildx of the runner)'
    )
    return undefined
  }
  return { version: `v${m[1]}`, base }
}
