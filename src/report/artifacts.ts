// What the run declares to the runner as its artifacts ($GITHUB_ARTIFACTS,
// actions/runner#4527): one OCI subject per repository it pushed, by digest, and
// the tarball it saved, as a file whose sha256 the runner computes itself. Later
// steps read them from $GITHUB_ARTIFACTS_LIST; actions/attest with no subject
// inputs attests them. Pure: the lines; runner/artifacts.ts writes them.
import type { Metadata } from './outputs.js'

/**
 * The lines, as the runner reads them: `oci://<repository>@sha256:<hex>` and
 * `file://<path>`. A path holding `=` (which the format reserves) or a line break
 * cannot be declared: left out, and said.
 */
export function artifactLines(metadata: Metadata): { lines: string[]; skipped: string[] } {
  const lines = metadata.refs.map((ref) => `oci://${ref}`)
  const skipped: string[] = []
  const tarball = metadata.tarball?.path
  if (tarball !== undefined) {
    if (/[=\r\n]/.test(tarball)) skipped.push(tarball)
    else lines.push(`file://${tarball}`)
  }
  return { lines, skipped }
}
