// What a run declares to the runner ($GITHUB_ARTIFACTS, actions/runner#4527): one OCI
// subject per pushed repository, by digest, and the saved tarball as a file (issue 25).
import { afterEach, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { artifactLines } from '../../../src/report/artifacts.js'
import type { Metadata } from '../../../src/report/outputs.js'
import { declareArtifacts } from '../../../src/runner/artifacts.js'
import { removeTempDirs, tempDir } from '../../__fixtures__/temp.js'

afterEach(removeTempDirs)

const D = `sha256:${'a'.repeat(64)}`
const metadata = (refs: string[], tarball?: string): Metadata =>
  ({
    refs,
    tarball: tarball === undefined ? null : { path: tarball, digest: D, size: 1, compressor: 'none' }
  }) as unknown as Metadata

describe('artifactLines', () => {
  it('declares each repository by digest, and the tarball as a file the runner hashes', () => {
    expect(artifactLines(metadata([`ghcr.io/o/app@${D}`, `docker.io/o/app@${D}`], '/ws/app.tar.zst'))).toEqual({
      lines: [`oci://ghcr.io/o/app@${D}`, `oci://docker.io/o/app@${D}`, 'file:///ws/app.tar.zst'],
      skipped: []
    })
  })

  it("leaves out a path the runner's format cannot hold ('=' is reserved)", () => {
    expect(artifactLines(metadata([], '/ws/a=b.tar'))).toEqual({ lines: [], skipped: ['/ws/a=b.tar'] })
  })
})

describe('declareArtifacts', () => {
  it('appends one line per subject to the file the runner names, and nothing without one', () => {
    const file = path.join(tempDir('artifacts'), 'artifacts_1')
    fs.writeFileSync(file, '# earlier\n')
    expect(declareArtifacts([`oci://ghcr.io/o/app@${D}`, 'file:///ws/a.tar'], { GITHUB_ARTIFACTS: file })).toBe(true)
    expect(fs.readFileSync(file, 'utf8')).toBe(`# earlier\noci://ghcr.io/o/app@${D}\nfile:///ws/a.tar\n`)
    expect(declareArtifacts([`oci://ghcr.io/o/app@${D}`], {})).toBe(false)
  })
})
