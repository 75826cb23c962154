// phases/sign.ts against the scripted runner: cosign signs each repository's
// digest, by digest, with the key in its environment alone; a failure names the
// digests left unsigned (issue 25).
import { describe, expect, it } from '@jest/globals'
import type { Pushed, Target } from '../../../src/domain/image.js'
import { signAll, signedRefs } from '../../../src/phases/sign.js'
import type { SignStep } from '../../../src/plan/steps.js'
import { failure, FakeDocker } from '../../__fixtures__/docker.js'
import { captureWorkflow } from '../../__fixtures__/workflow.js'

const D1 = `sha256:${'1'.repeat(64)}`
const D2 = `sha256:${'2'.repeat(64)}`
const target = (name: string, tag: string): Target => ({
  repository: { name, domain: name.split('/')[0], path: name },
  tag,
  ref: `${name}:${tag}`
})
const PUSHED: Pushed[] = [
  { target: target('ghcr.io/o/app', 'v1'), digest: D1 },
  { target: target('ghcr.io/o/app', 'latest'), digest: D1 },
  { target: target('registry.example/o/app', 'v1'), digest: D2 }
]
const KEY_STEP: SignStep = { mode: 'key', tlogUpload: false, identity: '' }
const ENV = { COSIGN_PRIVATE_KEY: 'k', COSIGN_PASSWORD: 'p' }

describe('signAll', () => {
  it('signs each repository once, by digest, with the key only in cosign’s environment', async () => {
    const capture = captureWorkflow()
    try {
      const cosign = new FakeDocker()
      const signed: string[] = []
      await signAll(cosign, KEY_STEP, PUSHED, ENV, (ref) => signed.push(ref))
      expect(signedRefs(PUSHED)).toEqual([`ghcr.io/o/app@${D1}`, `registry.example/o/app@${D2}`])
      expect(cosign.commands()).toEqual([
        `sign --yes --key env://COSIGN_PRIVATE_KEY --tlog-upload=false --use-signing-config=false ghcr.io/o/app@${D1}`,
        `sign --yes --key env://COSIGN_PRIVATE_KEY --tlog-upload=false --use-signing-config=false registry.example/o/app@${D2}`
      ])
      for (const call of cosign.calls) expect(call.options.env).toEqual(ENV)
      expect(signed).toEqual(signedRefs(PUSHED))
    } finally {
      capture.restore()
    }
  })

  it('stops at a failure, and names every digest left unsigned', async () => {
    const capture = captureWorkflow()
    try {
      const cosign = new FakeDocker().on(
        (args) => args.at(-1)?.startsWith('registry.example') === true,
        failure('Error: signing: 401\n')
      )
      const signed: string[] = []
      await expect(signAll(cosign, KEY_STEP, PUSHED, ENV, (ref) => signed.push(ref))).rejects.toThrow(
        `cosign could not sign registry.example/o/app@${D2}: Error: signing: 401. Pushed and not signed: registry.example/o/app@${D2}.`
      )
      expect(signed).toEqual([`ghcr.io/o/app@${D1}`])
    } finally {
      capture.restore()
    }
  })
})
