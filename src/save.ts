// `docker image save` streamed to the tarball: gzip (for .tar.gz/.tgz) and the
// sha256 of the file in one pass, into a temporary file beside the target that
// is renamed into place only when docker and the write both succeeded.
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import { remove, track, untrack } from './cleanup.js'
import type { Docker } from './docker.js'
import type { SaveTarget } from './inputs.js'

export interface Tarball {
  path: string
  /** sha256 of the file as written. */
  digest: string
  size: number
}

export const GZIP_LEVEL = 6

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

  const out = fs.createWriteStream(partial, { flags: 'wx', mode: 0o644, flush: true })
  const docker$ = docker.stream(args)
  const piped = target.gzip
    ? pipeline(docker$.stdout, zlib.createGzip({ level: GZIP_LEVEL }), measure, out)
    : pipeline(docker$.stdout, measure, out)
  const write = piped.catch((err: Error) => {
    docker$.kill()
    throw new Error(`Writing the tarball ${target.path} failed: ${err.message}`)
  })
  const [written, exited] = await Promise.allSettled([write, docker$.done])
  // A write error explains a docker error (a broken pipe), so it is reported first.
  const failure = written.status === 'rejected' ? written.reason : exited.status === 'rejected' ? exited.reason : undefined
  if (failure !== undefined) {
    remove(partial)
    throw failure
  }
  fs.renameSync(partial, target.path)
  untrack(partial)
  return { path: target.path, digest: `sha256:${hash.digest('hex')}`, size }
}
