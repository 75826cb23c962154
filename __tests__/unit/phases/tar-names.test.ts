// The filter a tarball source passes through on its way into docker load: the
// tarball's own names taken out, every other byte as it was, and a tarball of
// several images stopped before the file that names them. The archives are made by
// GNU tar (ustar and PAX headers, as Go's archive/tar writes docker save's), laid
// out as docker save writes them for the classic image store (manifest.json,
// repositories) and the containerd store (index.json with name annotations).
import { afterEach, describe, expect, it, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarNames, unnamed } from '../../../src/phases/tar-names.js'
import type { TarNames } from '../../../src/phases/tar-names.js'
import { removeTempDirs, tempDir, writeTree } from '../../__fixtures__/temp.js'

afterEach(removeTempDirs)

const CONFIG = `${'c'.repeat(64)}.json`
const manifest = (tags: string[][]) =>
  JSON.stringify(tags.map((RepoTags, i) => ({ Config: CONFIG, RepoTags, Layers: [`layer${i}/layer.tar`] })))

/** A tar of `files` (in this order) by GNU tar in `format`. */
function tarOf(files: Record<string, string>, format: 'ustar' | 'pax' = 'ustar'): Buffer {
  const dir = writeTree(tempDir('tar'), files)
  const out = path.join(tempDir('out'), 'image.tar')
  const result = spawnSync('tar', ['-cf', out, `--format=${format}`, '-C', dir, ...Object.keys(files)])
  if (result.status !== 0) throw new Error(result.stderr.toString())
  return fs.readFileSync(out)
}

/** The archive through the filter, fed in chunks of `chunk` bytes; what came out, and what it found or why it stopped. */
async function filtered(input: Buffer, chunk = 997): Promise<{ out: Buffer; found: TarNames; error?: string }> {
  const found: TarNames = { images: 0, names: [] }
  const parts: Buffer[] = []
  const chunks = Array.from({ length: Math.ceil(input.length / chunk) }, (_, i) =>
    input.subarray(i * chunk, (i + 1) * chunk)
  )
  const sink = new Writable({
    write(data: Buffer, _e, done) {
      parts.push(data)
      done()
    }
  })
  try {
    await pipeline(Readable.from(chunks), tarNames(found), sink)
    return { out: Buffer.concat(parts), found }
  } catch (err) {
    return { out: Buffer.concat(parts), found, error: (err as Error).message }
  }
}

/** The files GNU tar reads back from an archive. */
function filesOf(archive: Buffer): Record<string, string> {
  const file = path.join(tempDir('read'), 'a.tar')
  fs.writeFileSync(file, archive)
  const dir = tempDir('x')
  const result = spawnSync('tar', ['-xf', file, '-C', dir])
  if (result.status !== 0) throw new Error(result.stderr.toString())
  return Object.fromEntries(
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => {
        const full = path.join(d.parentPath, d.name)
        return [path.relative(dir, full), fs.readFileSync(full, 'utf8')]
      })
  )
}

const LAYER = 'x'.repeat(3000)

describe('tarNames on a classic docker save', () => {
  test.each(['ustar', 'pax'] as const)(
    'takes RepoTags and repositories out, and keeps every other byte (%s)',
    async (format) => {
      const archive = tarOf(
        {
          'layer0/layer.tar': LAYER,
          [CONFIG]: '{"architecture":"amd64"}',
          'manifest.json': manifest([['app:v1', 'base:latest']]),
          repositories: JSON.stringify({ app: { v1: 'c' }, base: { latest: 'c' } })
        },
        format
      )
      const { out, found, error } = await filtered(archive)
      expect(error).toBeUndefined()
      expect(found).toEqual({ images: 1, names: ['app:v1', 'base:latest'] })
      const files = filesOf(out)
      expect(JSON.parse(files['manifest.json'])).toEqual([
        { Config: CONFIG, RepoTags: null, Layers: ['layer0/layer.tar'] }
      ])
      expect(files.repositories).toBe('{}')
      expect(files['layer0/layer.tar']).toBe(LAYER)
      expect(files[CONFIG]).toBe('{"architecture":"amd64"}')
    }
  )

  it('gives the same result whatever the chunks (one byte at a time too)', async () => {
    const archive = tarOf({ 'manifest.json': manifest([['app:v1']]), 'layer0/layer.tar': LAYER })
    const whole = await filtered(archive, archive.length)
    const bytes = await filtered(archive, 1)
    expect(bytes.out.equals(whole.out)).toBe(true)
  })

  it('stops a tarball of several images before the manifest reaches docker load, naming them', async () => {
    const archive = tarOf({ 'layer0/layer.tar': LAYER, 'manifest.json': manifest([['a:1'], ['b:2', 'b:3']]) })
    const { out, error } = await filtered(archive)
    expect(error).toBe('holds 2 images (a:1, b:2, b:3)')
    expect(out.includes(Buffer.from('"RepoTags"'))).toBe(false)
  })

  it('says a cut archive is not whole', async () => {
    const archive = tarOf({ 'manifest.json': manifest([['a:1']]), 'layer0/layer.tar': LAYER })
    expect((await filtered(archive.subarray(0, 2048))).error).toBe('is not a whole tar archive (it ends inside it)')
  })

  it('says a manifest that is not JSON is not one', async () => {
    const archive = tarOf({ 'manifest.json': '{not json' })
    expect((await filtered(archive)).error).toMatch(/JSON/)
  })
})

describe('tarNames on a containerd-store docker save (an OCI layout)', () => {
  const index = (names: [string, string][]) =>
    JSON.stringify({
      schemaVersion: 2,
      manifests: names.map(([digest, name]) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest,
        size: 1,
        annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.split(':')[1] }
      }))
    })
  const D1 = `sha256:${'1'.repeat(64)}`
  const D2 = `sha256:${'2'.repeat(64)}`

  it('takes the name annotations out, and gives one image saved under two names as one entry', async () => {
    const archive = tarOf({
      'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
      'index.json': index([
        [D1, 'docker.io/library/app:v1'],
        [D1, 'docker.io/library/app:v2']
      ]),
      'manifest.json': manifest([['app:v1', 'app:v2']])
    })
    const { out, found, error } = await filtered(archive)
    expect(error).toBeUndefined()
    expect(found.images).toBe(1)
    const files = filesOf(out)
    // Without their names the copies are one entry: the engine imports the image once, not once per name.
    expect(JSON.parse(files['index.json']).manifests).toEqual([
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, size: 1, annotations: {} }
    ])
    expect(JSON.parse(files['manifest.json'])[0].RepoTags).toBeNull()
  })

  it('stops two images', async () => {
    const archive = tarOf({
      'index.json': index([
        [D1, 'a:1'],
        [D2, 'b:1']
      ])
    })
    expect((await filtered(archive)).error).toMatch(/^holds 2 images/)
  })
})

describe('unnamed', () => {
  it('keeps the other fields of an index entry', () => {
    const data = Buffer.from(
      JSON.stringify({
        manifests: [{ digest: 'sha256:1', annotations: { 'io.containerd.image.name': 'a:1', keep: 'me' } }]
      })
    )
    expect(JSON.parse(unnamed('index.json', data).data.toString())).toEqual({
      manifests: [{ digest: 'sha256:1', annotations: { keep: 'me' } }]
    })
  })
})
