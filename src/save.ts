// `docker image save` streamed to the tarball: gzip (for .tar.gz/.tgz) and the
// sha256 of the file in one pass, with no uncompressed copy on disk, into a
// temporary file beside the target that is renamed into place only when docker,
// the compressor and the write all succeeded.
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Duplex, Transform } from 'node:stream'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import * as io from '@actions/io'
import { remove, track, untrack } from './cleanup.js'
import { DockerError } from './docker.js'
import type { Docker } from './docker.js'
import type { SaveTarget } from './inputs.js'

export interface Tarball {
  path: string
  /** sha256 of the file as written. */
  digest: string
  size: number
  /** What compressed it: `pigz` (several threads), `zlib` (Node's, one thread) or `none`. */
  compressor: 'pigz' | 'zlib' | 'none'
}

/** A gzip stage for the pipeline, and a promise that rejects when it fails. */
interface Compressor {
  name: Tarball['compressor']
  stream: Duplex
  done: Promise<void>
}

/**
 * pigz when it is installed (it uses every core, and is about twice as fast as
 * zlib on two: docs/benchmarks.md), else Node's zlib. Both write standard gzip.
 */
async function compressor(level: number): Promise<Compressor> {
  const pigz = await io.which('pigz', false)
  if (pigz === '') return { name: 'zlib', stream: zlib.createGzip({ level }), done: Promise.resolve() }
  const child = spawn(pigz, [`-${level}`, '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`pigz could not start: ${err.message}`)))
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`pigz failed (exit code ${code}): ${stderr.trim() || 'no error output'}`))
    )
  })
  return { name: 'pigz', stream: Duplex.from({ writable: child.stdin, readable: child.stdout }), done }
}

export async function saveImage(docker: Docker, args: string[], target: SaveTarget): Promise<Tarball> {
  const dir = path.dirname(target.path)
  fs.mkdirSync(dir, { recursive: true })
  const partial = path.join(dir, `.${path.basename(target.path)}.${randomBytes(6).toString('hex')}.partial`)
  track(partial)

  const hash = createHash('sha256')
  let size = 0
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      size += chunk.length
      callback(null, chunk)
    }
  })

  const gzip = target.gzip ? await compressor(target.level) : undefined
  const out = fs.createWriteStream(partial, { flags: 'wx', mode: 0o644, flush: true })
  const docker$ = docker.stream(args)
  const stages: (Readable | Duplex)[] = [docker$.stdout, ...(gzip ? [gzip.stream] : []), measure]
  const write = pipeline([...stages, out]).catch((err: NodeJS.ErrnoException) => {
    docker$.kill()
    const why =
      err.code === 'ENOSPC'
        ? 'the disk is full (no space left on device); free some space or save somewhere else'
        : err.message
    throw new DockerError(
      `Writing the tarball ${target.path} failed: ${why}. No tarball was written; an earlier file at that path is unchanged.`
    )
  })
  const [written, compressed, exited] = await Promise.allSettled([write, gzip?.done, docker$.done])
  // A write error explains a docker error (a broken pipe), so it is reported first.
  const failure = [written, compressed, exited].find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason
  if (failure !== undefined) {
    remove(partial)
    throw failure
  }
  fs.renameSync(partial, target.path)
  untrack(partial)
  return { path: target.path, digest: `sha256:${hash.digest('hex')}`, size, compressor: gzip?.name ?? 'none' }
}
