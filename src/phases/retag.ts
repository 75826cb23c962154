// An existing image tagged as every target through the local engine (a promote
// that is not copied registry-side): pulled when it is not local, then tagged.
import type { Docker } from '../docker/docker.js'
import { registryOf } from '../domain/reference.js'
import * as render from '../plan/render.js'
import type { Plan, RetagStep } from '../plan/steps.js'
import * as log from '../runner/log.js'
import type { MadeImage } from './image.js'

export async function retag(docker: Docker, step: RetagStep, plan: Plan): Promise<MadeImage> {
  return log.group(`Tagging ${step.source} as ${step.refs.join(', ')}`, async () => {
    const inspect = render.inspectArgs([step.source], '{{.Id}}')
    let inspected = await docker.tryRun(inspect, { silent: true })
    let pulledDigest: string | undefined
    if (inspected.exitCode !== 0) {
      log.info(`${step.source} is not in the local engine; pulling it.`)
      const pulled = await docker.runRetrying(render.pullArgs(step.source), {
        registry: registryOf(step.source),
        attempts: plan.attempts
      })
      pulledDigest = /^Digest: (sha256:[a-f0-9]{64})\s*$/m.exec(pulled.stdout)?.[1]
      inspected = await docker.run(inspect, { silent: true })
    }
    for (const ref of step.refs) await docker.run(render.tagArgs(step.source, ref))
    const id = inspected.stdout.trim()
    return { id, own: [id], pulledDigest }
  })
}
