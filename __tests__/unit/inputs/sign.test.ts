// inputs/sign.ts: sign, cosign-key, cosign-password, tlog-upload (issue 25).
import { describe, expect, it, test } from '@jest/globals'
import { parseInputs } from '../../../src/inputs/inputs.js'
import { env } from '../../__fixtures__/environment.js'
import { inputsOf, onlyProblem, parse, raw } from '../../__fixtures__/inputs.js'

const KEY = [
  '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----',
  'c2VjcmV0LWtleS1ib2R5',
  '-----END ENCRYPTED SIGSTORE PRIVATE KEY-----'
].join('\n')

describe('sign', () => {
  it('is off by default', () => {
    expect(inputsOf(parse({})).sign).toBeUndefined()
  })

  it('key: the key and its password as given, tlog-upload on unless turned off', () => {
    expect(inputsOf(parse({ sign: 'key', 'cosign-key': KEY, 'cosign-password': 'pw' })).sign).toEqual({
      mode: 'key',
      tlogUpload: true,
      key: KEY,
      password: 'pw',
      downloadBase: 'https://github.com/sigstore/cosign/releases'
    })
    expect(inputsOf(parse({ sign: 'key', 'cosign-key': KEY, 'tlog-upload': 'false' })).sign?.tlogUpload).toBe(false)
  })

  it('masks the key (whole and each line of its body) and the password, also when the input is refused', () => {
    const result = parse({ sign: 'maybe', 'cosign-key': KEY, 'cosign-password': 'pa55' })
    expect(result.masks).toEqual(expect.arrayContaining([KEY, 'c2VjcmV0LWtleS1ib2R5', 'pa55']))
    expect(result.ok).toBe(false)
  })

  test.each([
    [{ sign: 'yes' }, 'sign', "'yes' is not false, keyless or key"],
    [{ sign: 'key' }, 'cosign-key', 'sign: key needs the private key, and cosign-key is empty'],
    [
      { sign: 'key', 'cosign-key': 'not a key' },
      'cosign-key',
      'cosign-key is not a PEM private key (its text is not shown)'
    ],
    [{ sign: 'key', 'cosign-key': KEY, push: 'false' }, 'sign', 'sign signs what is pushed, and push is false'],
    [{ sign: 'keyless' }, 'sign', 'keyless signing needs the job’s OIDC token, and this job has none']
  ] as const)('%j is a problem of %s', (overrides, input, what) => {
    const message = onlyProblem(parse(overrides), input)
    expect(message).toContain(what)
    expect(message).not.toContain('not a key')
  })

  it('keyless with the job’s OIDC token (id-token: write)', () => {
    const oidc = { ...env(), oidc: true, event: { ...env().event, sourceUrl: 'https://github.com/o/r' } }
    expect(inputsOf(parseInputs(raw({ sign: 'keyless' }), oidc)).sign?.mode).toBe('keyless')
  })
})
