// A tarball as the source: loaded (through zstd when the plan says so), and the one
// image in it tagged as every target. A tarball of several images is an error
// naming them.
import type { Docker } from '../docker/docker.js'
import { filterThrough } from '../docker/children.js'
import { loadedImages } from '../docker/output.js'
import { DockerError } from '../domain/errors.js'
import * as render from '../plan/render.js'
import type { LoadStep, Plan } from '../plan/steps.js'
import * as log from '../runner/log.js'
import type { MadeImage } from './image.js'

export async function loadImage(docker: Docker, step: LoadStep, plan: Plan): Promise<MadeImage> {
  const refs = plan.targets.map((t) => t.ref)
  return log.group(`Loading ${step.path} and tagging it as ${refs.join(', ')}`, async () => {
    const args = render.loadArgs(step)
    const unpack = step.decompress && filterThrough(step.decompress.program, step.decompress.args, undefined)
    const result = await docker.tryRun(args, unpack ? { stdin: unpack.output } : {})
    const unpacked = await unpack?.done.then(
      () => undefined,
      (err: unknown) => err
    )
    if (result.exitCode !== 0 || unpacked !== undefined) {
      const zstdHint =
        step.path.endsWith('.zst') && !step.decompress
          ? ' The engine may be older than 23.0, which cannot read zstd: install zstd on the runner.'
          : ''
      const why = unpacked instanceof Error ? unpacked.message : docker.failed(args, result).message
      throw new DockerError(`Loading ${step.path} failed: ${why}.${zstdHint}`)
    }
    const loaded = loadedImages(`${result.stdout}\n${result.stderr}`)
    const ids = new Set(loaded.ids)
    if (loaded.refs.length > 0) {
      const inspected = await docker.run(render.inspectArgs(loaded.refs, '{{.Id}}'), { silent: true })
      for (const id of inspected.stdout.split('\n').filter((l) => l.trim() !== '')) ids.add(id.trim())
    }
    if (ids.size !== 1) {
      const names = [...loaded.refs, ...loaded.ids].join(', ') || 'nothing docker named'
      throw new DockerError(
        `Input 'source-image': the tarball ${step.path} holds ${ids.size} images (${names}), and this run pushes one. Fix: save one image per tarball (with as many tags as it needs).`
      )
    }
    const [id] = ids
    for (const ref of refs) await docker.run(render.tagArgs(id, ref))
    return { id, own: [id], loaded: loaded.refs }
  })
}
