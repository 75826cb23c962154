// phases/save.ts: docker image save into the tarball, written beside the target and renamed
// into place, or nothing left behind when docker fails.
import { describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as zlib from 'node:zlib'
import { tracked } from '../../../src/docker/cleanup.js'
import { save } from '../../../src/phases/save.js'
import type { StreamReply } from '../../__fixtures__/docker.js'
import { until } from '../../__fixtures__/temp.js'
import { capture, docker, fake, planned, usePhases, ws } from '../../__fixtures__/phases.js'

usePhases()

describe('save', () => {
  const BYTES = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 7919) % 256))
  const CHUNKS = [0, 1, 2, 3].map((i) => BYTES.subarray(i * 65536, (i + 1) * 65536))
  const EARLIER = 'an earlier tarball'

  const partials = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))
  const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

  /** Saves to `name` in the workspace, where an earlier file is; the fake docker stream plays `reply`. */
  function saveTo(name: string, reply: StreamReply) {
    const { plan } = planned({ save: name, push: 'false' })
    if (!plan.save) throw new Error('the plan has no save')
    const target = plan.save.target.path
    fs.writeFileSync(target, EARLIER)
    fake.onStream(['image', 'save'], reply)
    return { target, saving: save(docker, plan.save) }
  }

  test.each([
    ['a plain tar', 'image.tar', (file: Buffer) => file],
    ['a gzip tarball', 'image.tar.gz', (file: Buffer) => zlib.gunzipSync(file)]
  ])('writes %s beside the target, then renames it into place', async (_what, name, unpack) => {
    let seenWhileWriting: { partials: number; target: string } | undefined
    const { target, saving } = saveTo(name, {
      chunks: CHUNKS,
      between: async (i) => {
        if (i !== 1) return
        await until(() => partials(ws).length === 1, 5000, 'the partial file')
        seenWhileWriting = { partials: partials(ws).length, target: fs.readFileSync(target, 'utf8') }
      }
    })
    const tarball = await saving
    expect(seenWhileWriting).toEqual({ partials: 1, target: EARLIER })
    const file = fs.readFileSync(target)
    expect(unpack(file).equals(BYTES)).toBe(true)
    expect(tarball).toEqual({
      path: target,
      digest: sha256(file),
      size: file.length,
      compressor: name.endsWith('.gz') ? 'zlib' : 'none'
    })
    expect(partials(ws)).toEqual([])
    expect(tracked()).toEqual([])
    const how = name.endsWith('.gz') ? ', gzip level 3 by zlib' : ''
    expect(capture.lines()).toContain(`Wrote ${target} (${file.length} bytes${how}, ${tarball.digest}).`)
  })

  test.each(['image.tar', 'image.tar.gz'])(
    'leaves no partial %s and the earlier file unchanged when docker fails',
    async (name) => {
      const { target, saving } = saveTo(name, {
        chunks: CHUNKS.slice(0, 2),
        exitCode: 1,
        stderr: 'Error response from daemon: reference does not exist\n'
      })
      await expect(saving).rejects.toThrow(
        'Error response from daemon: reference does not exist (docker image save failed, exit code 1)'
      )
      expect(fs.readFileSync(target, 'utf8')).toBe(EARLIER)
      expect(partials(ws)).toEqual([])
      expect(tracked()).toEqual([])
    }
  )
})
