// `docker image save` streamed to the tarball: compressed (gzip for .tar.gz/.tgz,
// zstd for .tar.zst) and hashed (sha256 of the file) in one pass, with no uncompressed copy on disk,
// into a temporary file beside the target that is renamed into place only when
// docker, the compressor and the write all succeeded. When one of them fails the
// others are stopped, so a full disk ends the step instead of hanging it.
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Transform } from 'node:stream'
import type { Readable } from 'node:stream'
import { filterThrough } from '../docker/children.js'
import type { Filter } from '../docker/children.js'
import { remove, track, untrack } from '../docker/cleanup.js'
import type { Docker } from '../docker/docker.js'
import { DockerError } from '../domain/errors.js'
import type { Tarball } from '../domain/image.js'
import type { SaveTarget } from '../inputs/tarball.js'
import * as render from '../plan/render.js'
import type { Compressor, SaveStep } from '../plan/steps.js'
import * as log from '../runner/log.js'

/** The save phase: the tarball written, and said in the log. */
export async function save(docker: Docker, step: SaveStep): Promise<Tarball> {
  const { target, compressor } = step
  return log.group(`Saving ${log.counted(step.refs.length, 'reference')} to ${target.path}`, async () => {
    const tarball = await saveImage(docker, render.saveArgs(step.refs), target, compressor)
    const how = target.format === 'tar' ? '' : `, ${target.format} level ${target.level} by ${tarball.compressor}`
    log.info(`Wrote ${tarball.path} (${tarball.size} bytes${how}, ${tarball.digest}).`)
    return tarball
  })
}

/** Level and threads of each compressor program; both write to standard output. */
const PROGRAM_ARGS = {
  pigz: (level: number) => [`-${level}`, '--stdout'],
  zstd: (level: number) => [`-${level}`, '-T0', '--stdout', '--quiet']
}

async function compress(input: Readable, compressor: Compressor, level: number): Promise<Filter> {
  if (compressor.kind === 'none') return { output: input, done: Promise.resolve(), stop: () => undefined }
  if (compressor.kind === 'zlib') {
    const { createGzip } = await import('node:zlib')
    const gzip = createGzip({ level })
    return { output: input.pipe(gzip), done: Promise.resolve(), stop: () => gzip.destroy() }
  }
  return filterThrough(compressor.path, PROGRAM_ARGS[compressor.kind](level), input)
}

/**
 * Claims the tarball's path for this run until it ends: `.<name>.lock` beside it,
 * holding this process's ID. Another live run holding it is an error, so two runs
 * never write (and describe) one file at once; a lock whose process is gone is
 * taken over. Returns the lock's path, for the caller to remove when the run ends.
 */
export function claimTarget(target: string): string {
  const dir = path.dirname(target)
  fs.mkdirSync(dir, { recursive: true })
  const lock = path.join(dir, `.${path.basename(target)}.lock`)
  for (;;) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' })
      return lock
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = Number(fs.readFileSync(lock, 'utf8').trim())
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
      throw new DockerError(
        `Input 'save': another run (process ${owner}) is writing ${target} right now. Fix: give each run its own save path, such as one with the run number or the platform in its name.`
      )
    }
    fs.rmSync(lock, { force: true })
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function saveImage(
  docker: Docker,
  args: string[],
  target: SaveTarget,
  compressor: Compressor
): Promise<Tarball> {
  const dir = path.dirname(target.path)
  fs.mkdirSync(dir, { recursive: true })
  const partial = path.join(dir, `.${path.basename(target.path)}.${randomBytes(6).toString('hex')}.partial`)
  track(partial)

  // zlib and stream/promises load only when a run saves: they cost the start of every run ~7 ms.
  const { pipeline } = await import('node:stream/promises')
  const hash = createHash('sha256')
  let size = 0
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      size += chunk.length
      callback(null, chunk)
    }
  })

  // No fsync: the rename makes the tarball whole or absent for every reader of this machine, and an
  // fsync of the whole file cost about 0.2 s per 160 MB here, which neither docker nor pigz spends.
  const out = fs.createWriteStream(partial, { flags: 'wx', mode: 0o644 })
  const saving = docker.stream(args)
  const stage = await compress(saving.stdout, compressor, target.level)
  // The first of docker and the compressor to fail stops the other, so that nothing
  // waits on a pipe forever; its error is the one reported (the other was stopped).
  let first: unknown
  const stopAll = (err: unknown): void => {
    first ??= err
    saving.kill()
    stage.stop()
  }
  let writeError: DockerError | undefined
  const write = pipeline(stage.output, measure, out).catch((err: NodeJS.ErrnoException) => {
    // Stopped because docker or the compressor failed: theirs is the error to report.
    if (first !== undefined) return
    const why =
      err.code === 'ENOSPC'
        ? 'the disk is full (no space left on device); free some space or save somewhere else'
        : err.message
    writeError = new DockerError(
      `Writing the tarball ${target.path} failed: ${why}. No tarball was written; an earlier file at that path is unchanged.`
    )
    stopAll(writeError)
  })
  await Promise.all([write, stage.done.catch(stopAll), saving.done.catch(stopAll)])
  // A write error explains a docker error (a broken pipe), so it is reported first.
  const failure = writeError ?? first
  if (failure !== undefined) {
    remove(partial)
    throw failure
  }
  fs.renameSync(partial, target.path)
  untrack(partial)
  return { path: target.path, digest: `sha256:${hash.digest('hex')}`, size, compressor: compressor.kind }
}
