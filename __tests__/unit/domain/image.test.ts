// domain/image.ts: the platforms of a pushed image, read from its index or manifest.
import { describe, expect, it } from '@jest/globals'
import { platformsOf } from '../../../src/domain/image.js'

const DIGEST_A = 'sha256:' + '1'.repeat(64)

describe('platformsOf', () => {
  const AMD = 'sha256:' + '1'.repeat(64)
  const ARM = 'sha256:' + '2'.repeat(64)
  const ATTESTATION = 'sha256:' + '3'.repeat(64)

  it('gives each platform of an index, and leaves the attestation manifests (unknown/unknown) out', () => {
    const index = {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest: AMD, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: ARM, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        { digest: ATTESTATION, platform: { os: 'unknown', architecture: 'unknown' } },
        { digest: 'no platform' },
        { platform: { os: 'linux', architecture: 'riscv64' } }
      ]
    }
    expect(platformsOf(index, DIGEST_A, ['linux/amd64', 'linux/arm/v7'])).toEqual([
      { platform: 'linux/amd64', digest: AMD },
      { platform: 'linux/arm/v7', digest: ARM }
    ])
  })

  it('gives a plain manifest as the manifest of the platform asked for', () => {
    const manifest = { mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] }
    expect(platformsOf(manifest, DIGEST_A, ['linux/arm64'])).toEqual([{ platform: 'linux/arm64', digest: DIGEST_A }])
    expect(platformsOf(null, DIGEST_A, [])).toEqual([])
  })
})
