// A tarball source as `docker load` gets it: streamed through this filter, which
// takes every name out of it (manifest.json's RepoTags, index.json's name
// annotations, the legacy `repositories` file), so that loading it re-points no
// local tag (a base image's, another build's), and which counts its images: a
// tarball of several is stopped before docker load reaches the manifest, so
// nothing of it is loaded. The run then tags the one image as its targets.
// Everything else passes through byte for byte. Pure stream code: no I/O of its own.
import { Transform } from 'node:stream'
import type { TransformCallback } from 'node:stream'

const BLOCK = 512

/** What the filter found: the image count and the names it took out. */
export interface TarNames {
  images: number
  names: string[]
}

/** The files whose names docker load applies; their content is rewritten. */
const NAMED = new Set(['manifest.json', 'index.json', 'repositories'])

/** A tar header's octal (or base-256) number field. */
function numberAt(header: Buffer, offset: number, length: number): number {
  if ((header[offset] & 0x80) !== 0) {
    let value = 0
    for (let i = offset + 1; i < offset + length; i++) value = value * 256 + header[i]
    return value
  }
  const text = header
    .toString('ascii', offset, offset + length)
    .replace(/\0.*$/s, '')
    .trim()
  return text === '' ? 0 : parseInt(text, 8)
}

function stringAt(header: Buffer, offset: number, length: number): string {
  const end = header.indexOf(0, offset)
  return header.toString('utf8', offset, end < 0 || end > offset + length ? offset + length : end)
}

/** The entry's path: ustar's prefix and name, or a PAX header's `path`. */
function entryName(header: Buffer, pax: Record<string, string>): string {
  if (pax.path !== undefined) return pax.path
  const name = stringAt(header, 0, 100)
  const prefix = header.toString('ascii', 257, 262) === 'ustar' ? stringAt(header, 345, 155) : ''
  return prefix === '' ? name : `${prefix}/${name}`
}

/** PAX records: `<length> <key>=<value>\n`. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {}
  let at = 0
  while (at < data.length) {
    const space = data.indexOf(0x20, at)
    if (space < 0) break
    const length = Number(data.toString('ascii', at, space))
    if (!Number.isInteger(length) || length <= 0) break
    const record = data.toString('utf8', space + 1, at + length - 1)
    const eq = record.indexOf('=')
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1)
    at += length
  }
  return records
}

function paxData(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`
    let length = Buffer.byteLength(body) + 1
    while (String(length).length + Buffer.byteLength(body) !== length)
      length = String(length).length + Buffer.byteLength(body)
    return `${length}${body}`
  })
  return Buffer.from(lines.join(''), 'utf8')
}

/** The header with a new size and its checksum recomputed. */
function withSize(header: Buffer, size: number): Buffer {
  const out = Buffer.from(header)
  out.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii')
  out.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of out) sum += byte
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii')
  return out
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)])
}

/** The file's content with the names taken out, and what it named. */
export function unnamed(file: string, data: Buffer): { data: Buffer; images: number; names: string[] } {
  const text = data.toString('utf8')
  if (file === 'repositories') {
    const json = JSON.parse(text) as Record<string, Record<string, string>>
    const names = Object.entries(json).flatMap(([repo, tags]) => Object.keys(tags).map((tag) => `${repo}:${tag}`))
    return { data: Buffer.from('{}'), images: 0, names }
  }
  if (file === 'manifest.json') {
    const json = JSON.parse(text) as { RepoTags?: string[] | null }[]
    if (!Array.isArray(json)) throw new Error('manifest.json is not a list')
    const names = json.flatMap((m) => m.RepoTags ?? [])
    return {
      data: Buffer.from(JSON.stringify(json.map((m) => ({ ...m, RepoTags: null })))),
      images: json.length,
      names
    }
  }
  const json = JSON.parse(text) as { manifests?: { digest?: string; annotations?: Record<string, string> }[] }
  const manifests = json.manifests ?? []
  const names = manifests.flatMap((m) =>
    ['io.containerd.image.name', 'org.opencontainers.image.ref.name'].flatMap((k) => m.annotations?.[k] ?? [])
  )
  // One image saved under several names is one descriptor per name, of one digest: without
  // their names they are one descriptor (the engine would import the image once per copy).
  const seen = new Set<string | undefined>()
  const stripped = manifests.flatMap((m) => {
    if (seen.has(m.digest)) return []
    seen.add(m.digest)
    if (!m.annotations) return [m]
    const annotations = { ...m.annotations }
    delete annotations['io.containerd.image.name']
    delete annotations['org.opencontainers.image.ref.name']
    return [{ ...m, annotations }]
  })
  const images = seen.size
  return { data: Buffer.from(JSON.stringify({ ...json, manifests: stripped })), images, names }
}

/** What the next bytes of the archive are. */
type State =
  | { kind: 'header' }
  /** An entry's data (and padding), passed on as it is. */
  | { kind: 'pass'; left: number }
  /** A PAX header's records, or a named file, held until its end: `size` bytes of data in `left` with padding. */
  | { kind: 'hold'; left: number; size: number; file: string; header: Buffer }

/**
 * The filter. `found` is filled in as the named files pass; the stream fails with
 * an error naming the images when the tarball holds more than one, before the
 * file that names them reaches docker load.
 */
export function tarNames(found: TarNames): Transform {
  let pending: Buffer = Buffer.alloc(0)
  let state: State = { kind: 'header' }
  let held: Buffer[] = []
  // A PAX header ('x') describes the entry after it (its path, its size): kept until that entry is known.
  let pax: { header: Buffer; data: Buffer; records: Record<string, string> } | undefined
  let ended = false

  /** The held entry, complete: a PAX header is kept; a named file is emitted without its names. */
  const release = (entry: State & { kind: 'hold' }, push: (b: Buffer) => void): void => {
    const data = Buffer.concat(held).subarray(0, entry.size)
    held = []
    if (entry.file === 'pax') {
      pax = { header: entry.header, data, records: paxRecords(data) }
      return
    }
    const rewritten = unnamed(entry.file, data)
    for (const name of rewritten.names) if (!found.names.includes(name)) found.names.push(name)
    found.images = Math.max(found.images, rewritten.images)
    if (found.images > 1) throw new Error(`holds ${found.images} images (${found.names.join(', ') || 'without names'})`)
    if (pax) {
      // Its size record would be the old file's: the header's own size field says the new one.
      const records = { ...pax.records }
      delete records.size
      const paxBody = paxData(records)
      push(withSize(pax.header, paxBody.length))
      push(padded(paxBody))
      pax = undefined
    }
    push(withSize(entry.header, rewritten.data.length))
    push(padded(rewritten.data))
  }

  /** The next header: what follows it, and whether it ends the archive. */
  const begin = (header: Buffer, push: (b: Buffer) => void): State => {
    const type = String.fromCharCode(header[156])
    const records = type === 'x' ? {} : (pax?.records ?? {})
    const size = records.size !== undefined ? Number(records.size) : numberAt(header, 124, 12)
    const left = Math.ceil(size / BLOCK) * BLOCK
    if (type === 'x') return { kind: 'hold', left, size, file: 'pax', header: Buffer.from(header) }
    const name = entryName(header, records).replace(/^\.\//, '')
    if (NAMED.has(name) && (type === '0' || type === '\0')) {
      return { kind: 'hold', left, size, file: name, header: Buffer.from(header) }
    }
    if (pax) {
      push(pax.header)
      push(padded(pax.data))
      pax = undefined
    }
    push(header)
    return { kind: 'pass', left }
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (ended) return callback(null, chunk)
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      const out: Buffer[] = []
      const push = (b: Buffer): void => void out.push(b)
      try {
        while (pending.length > 0 && !ended) {
          if (state.kind === 'header') {
            if (pending.length < BLOCK) break
            const header = pending.subarray(0, BLOCK)
            pending = pending.subarray(BLOCK)
            if (header.every((b) => b === 0)) {
              // The end of the archive: the rest (a second zero block, padding) passes as it is.
              push(header)
              push(pending)
              pending = Buffer.alloc(0)
              ended = true
            } else state = begin(header, push)
            continue
          }
          const take = Math.min(state.left, pending.length)
          if (state.kind === 'pass') push(pending.subarray(0, take))
          else held.push(Buffer.from(pending.subarray(0, take)))
          pending = pending.subarray(take)
          state.left -= take
          if (state.left === 0) {
            if (state.kind === 'hold') release(state, push)
            state = { kind: 'header' }
          }
        }
      } catch (err) {
        return callback(err instanceof Error ? err : new Error(String(err)))
      }
      callback(null, out.length === 0 ? undefined : Buffer.concat(out))
    },
    flush(callback) {
      if (!ended) return callback(new Error('is not a whole tar archive (it ends inside it)'))
      callback()
    }
  })
}
