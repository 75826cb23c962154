// cosign for `sign`: the runner's, else the pinned release, downloaded and checked
// against its cosign_checksums.txt and kept in the runner's tool cache
// (downloads.ts). The pin is the release the end-to-end tests sign and verify with.
import type { Signing } from '../inputs/sign.js'
import type { Environment } from '../runner/environment.js'
import * as log from '../runner/log.js'
import { fetchVerified, releaseArch } from './downloads.js'

/** The cosign release fetched when the runner has none. */
export const COSIGN_RELEASE = 'v3.1.1'

export async function ensureCosign(signing: Signing, environment: Environment, temp: string): Promise<string> {
  if (environment.tools.cosign !== undefined) {
    log.info(`sign: cosign of the runner (${environment.tools.cosign}).`)
    return environment.tools.cosign
  }
  log.info(`sign: the runner has no cosign; this run uses cosign ${COSIGN_RELEASE}.`)
  return fetchVerified(
    {
      tool: 'cosign',
      input: 'sign',
      base: signing.downloadBase,
      tag: COSIGN_RELEASE,
      asset: `cosign-linux-${releaseArch()}`,
      binary: 'cosign',
      checksums: 'cosign_checksums.txt'
    },
    temp
  )
}
