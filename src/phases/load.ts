// A tarball as the source: decompressed (zstd by the runner's zstd, gzip by Node's
// zlib), streamed through tar-names.ts, which takes the tarball's own names out and
// stops a tarball of several images before docker load reaches its manifest, into
// `docker load`; then the one image it loaded is tagged as every target. So loading
// re-points no local tag, and a damaged file is one plain error.
import * as fs from 'node:fs'
import { pipeline } from 'node:stream'
import type { Readable } from 'node:stream'
import { filterThrough } from '../docker/children.js'
import type { Docker } from '../docker/docker.js'
import { loadedImages } from '../docker/output.js'
import { DockerError } from '../domain/errors.js'
import { formatOf } from '../domain/image.js'
import * as render from '../plan/render.js'
import type { LoadStep, Plan } from '../plan/steps.js'
import * as log from '../runner/log.js'
import type { MadeImage } from './image.js'
import { tarNames } from './tar-names.js'
import type { TarNames } from './tar-names.js'

/** The tarball's bytes, decompressed, and how it ended: the first error of each stage, or undefined. */
async function decompressed(step: LoadStep): Promise<{ stream: Readable; failed: () => Promise<string | undefined> }> {
  if (step.decompress) {
    const unpack = filterThrough(step.decompress.program, step.decompress.args, undefined)
    const done = unpack.done.then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err.message : String(err))
    )
    return { stream: unpack.output, failed: () => done }
  }
  let error: string | undefined
  const file = fs.createReadStream(step.path).on('error', (err) => (error ??= err.message))
  if (formatOf(step.path) !== 'gzip') return { stream: file, failed: async () => error }
  const { createGunzip } = await import('node:zlib')
  const gunzip = createGunzip().on('error', (err) => (error ??= `gzip: ${err.message}`))
  return { stream: file.pipe(gunzip), failed: async () => error }
}

export async function loadImage(docker: Docker, step: LoadStep, plan: Plan): Promise<MadeImage> {
  const refs = plan.targets.map((t) => t.ref)
  return log.group(`Loading ${step.path} and tagging it as ${refs.join(', ')}`, async () => {
    const args = render.loadArgs()
    const source = await decompressed(step)
    const found: TarNames = { images: 0, names: [] }
    let filterError: string | undefined
    // pipeline() stops every stage when one fails; the last stage's error then ends docker load's input.
    const names = pipeline(source.stream, tarNames(found), (err) => {
      if (err) filterError ??= err.message
    })
    const result = await docker.tryRun(args, { stdin: names })
    const damaged = await source.failed()
    if (found.images > 1) {
      throw new DockerError(
        `Input 'source-image': the tarball ${step.path} holds ${found.images} images (${found.names.join(', ') || 'without names'}), and this run pushes one; nothing of it was loaded. Fix: save one image per tarball (with as many tags as it needs).`
      )
    }
    if (damaged !== undefined || filterError !== undefined || result.exitCode !== 0) {
      const why = damaged ?? (filterError && `it ${filterError}`) ?? docker.failed(args, result).message
      throw new DockerError(
        `Loading ${step.path} failed, and nothing of it was loaded: ${why}. Fix: check that the artifact was uploaded and downloaded whole (the file is damaged or not a tarball of docker image save).`
      )
    }
    const loaded = loadedImages(`${result.stdout}\n${result.stderr}`)
    const ids = new Set(loaded.ids)
    if (loaded.refs.length > 0) {
      // An engine that names an image by its digest when it has no name (the containerd store).
      const inspected = await docker.run(render.inspectArgs(loaded.refs, '{{.Id}}'), { silent: true })
      for (const id of inspected.stdout.split('\n').filter((l) => l.trim() !== '')) ids.add(id.trim())
    }
    const [id] = ids
    if (ids.size !== 1 || id === undefined) {
      throw new DockerError(
        `docker load of ${step.path} loaded ${ids.size} images (${[...loaded.refs, ...loaded.ids].join(', ') || 'it said none'}), and this run pushes one.`
      )
    }
    if (found.names.length > 0) log.info(`The tarball's own names are not applied: ${found.names.join(', ')}.`)
    for (const ref of refs) await docker.run(render.tagArgs(id, ref))
    return { id, own: [id] }
  })
}
