// The signing inputs: `sign` (false, keyless, key), the key and its password for
// `sign: key`, `tlog-upload`, and where cosign is downloaded from. The key and the
// password are handed to the report to be masked, and travel beside the plan (Secrets), never in it. Pure.
import type { Environment } from '../runner/environment.js'
import type { RawInputs } from './names.js'
import { parseBoolean } from './parse.js'
import type { Report } from './parse.js'

export interface Signing {
  mode: 'keyless' | 'key'
  /** Upload the signatures to the transparency log (Rekor). */
  tlogUpload: boolean
  /** For `key`: the private key's PEM text and its password (secrets: Secrets.cosign in the plan). */
  key: string
  password: string
  /** The release page cosign is downloaded from when the runner has none. */
  downloadBase: string
}

export const COSIGN_RELEASES = 'https://github.com/sigstore/cosign/releases'

export function parseSigning(raw: RawInputs, env: Environment, push: boolean, report: Report): Signing | undefined {
  // Masked first, whatever else is wrong: they are secrets.
  report.mask(raw['cosign-key'])
  for (const line of raw['cosign-key'].split('\n')) if (!line.startsWith('-----')) report.mask(line.trim())
  report.mask(raw['cosign-password'])
  const tlogUpload = parseBoolean(raw, 'tlog-upload', true, report)
  const downloadBase = raw['cosign-download-url'] || COSIGN_RELEASES
  const mode = raw.sign.toLowerCase()
  if (mode === '' || mode === 'false') {
    if (raw['cosign-key'] !== '')
      report.warn('cosign-key', 'cosign-key is set, but sign is false, so nothing is signed.')
    return undefined
  }
  if (mode !== 'keyless' && mode !== 'key') {
    report.problem(
      'sign',
      `'${raw.sign}' is not false, keyless or key`,
      'write keyless (Sigstore, with the job’s OIDC token) or key (with cosign-key and cosign-password), or false'
    )
    return undefined
  }
  if (!push) report.problem('sign', 'sign signs what is pushed, and push is false', 'set push to true, or remove sign')
  if (mode === 'key' && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(raw['cosign-key'])) {
    report.problem(
      'cosign-key',
      raw['cosign-key'] === ''
        ? 'sign: key needs the private key, and cosign-key is empty'
        : 'cosign-key is not a PEM private key (its text is not shown)',
      'give the text of the key cosign generate-key-pair wrote (cosign.key) from a secret: cosign-key: ${{ secrets.COSIGN_PRIVATE_KEY }}'
    )
  }
  if (mode === 'keyless' && (!env.oidc || !env.event.sourceUrl)) {
    report.problem(
      'sign',
      'keyless signing needs the job’s OIDC token, and this job has none',
      'give the job permissions: id-token: write (and packages: write to push), or sign with a key (sign: key)'
    )
  }
  return { mode, tlogUpload, key: raw['cosign-key'], password: raw['cosign-password'], downloadBase }
}
