// The checks of a downloaded tool: its checksum line in the release's checksums.txt,
// and the architecture names release assets use. The download itself is proven
// end to end against a local release server (e2e: buildx-version).
import { describe, expect, it, test } from '@jest/globals'
import { checksumOf, releaseArch } from '../../../src/setup/downloads.js'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)

describe('checksumOf', () => {
  // buildx's checksums.txt, as sha256sum writes it (two spaces, or ' *' for binary mode).
  const checksums = [
    `${A}  buildx-v0.29.1.linux-amd64`,
    `${B} *buildx-v0.29.1.linux-arm64`,
    `${'c'.repeat(64)}  buildx-v0.29.1.linux-amd64.provenance.json`,
    ''
  ].join('\n')

  test.each([
    ['buildx-v0.29.1.linux-amd64', A],
    ['buildx-v0.29.1.linux-arm64', B]
  ])('finds %s', (asset, sum) => {
    expect(checksumOf(checksums, asset)).toBe(sum)
  })

  it('finds nothing for an asset it does not list, nor a name it only starts', () => {
    expect(checksumOf(checksums, 'buildx-v0.29.1.linux-s390x')).toBeUndefined()
    expect(checksumOf(checksums, 'buildx-v0.29.1.linux')).toBeUndefined()
    expect(checksumOf('not a checksums file', 'buildx-v0.29.1.linux-amd64')).toBeUndefined()
  })
})

describe('releaseArch', () => {
  test.each([
    ['x64', 'amd64'],
    ['arm64', 'arm64'],
    ['arm', 'arm-v7'],
    ['ppc64', 'ppc64le'],
    ['s390x', 's390x'],
    ['riscv64', 'riscv64']
  ])('%s is %s', (arch, name) => {
    expect(releaseArch(arch)).toBe(name)
  })
})
