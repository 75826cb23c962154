// The docker work of the main step, phase by phase as the plan says: log in, make
// the image (image.ts), save it, push it (push.ts), and prove the pushed tags were
// this run's image. Local work comes before the push, so a tarball that cannot be
// written fails the run before anything is published. A failure names its phase
// and carries what was already done (PhaseFailure), so the outputs and the summary
// can still say what is live.
import { loginFailure } from './docker-output.js'
import type { Docker, RunResult } from './docker.js'
import type { DockerError } from './errors.js'
import { makeImage } from './image.js'
import type { MadeImage } from './image.js'
import type { Outcome, Pushed } from './outputs.js'
import type { Login, Plan, Secrets, Target } from './plan.js'
import { pushAll, verifyTargets } from './push.js'
import { saveImage } from './save.js'
import type { Tarball } from './save.js'
import type { Phase, Timings } from './summary.js'
import * as workflow from './workflow.js'

export interface PhaseResult {
  outcome: Outcome
  timings: Timings
  /** The image's size in the engine, for the summary. */
  imageSize: number | undefined
  /** The build's steps and cache hits, where the builder said (for the summary). */
  cache?: { steps: number; cached: number }
}

/** A phase failed: its error, and what the run had done by then (what was pushed is live). */
export class PhaseFailure extends Error {
  constructor(
    readonly phase: Phase,
    readonly cause: unknown,
    readonly done: PhaseResult
  ) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'PhaseFailure'
  }
}

/** Runs the plan: login, build or retag, save, push, verify; each phase timed. */
export async function runPhases(docker: Docker, plan: Plan, secrets: Secrets): Promise<PhaseResult> {
  const timings: Timings = {}
  const pushed = new Map<string, Pushed>()
  // What the run has done so far, also when a phase fails.
  const done: { image?: MadeImage; tarball?: Tarball; imageSize?: number } = {}
  const result = (): PhaseResult => ({
    outcome: {
      imageId: done.image?.id ?? '',
      version: plan.version,
      labels: plan.labels,
      targets: plan.targets,
      pushed: plan.targets.flatMap((t) => pushed.get(t.ref) ?? []),
      tarball: done.tarball
    },
    timings,
    imageSize: done.imageSize,
    ...(done.image?.cache ? { cache: done.image.cache } : {})
  })
  // Runs one phase, timed; a failure carries the phase's name and what was done before it.
  const phase = async <T>(name: Phase, work: () => Promise<T>): Promise<T> => {
    const start = performance.now()
    try {
      return await work()
    } catch (err) {
      throw err instanceof PhaseFailure ? err : new PhaseFailure(name, err, result())
    } finally {
      timings[name] = (timings[name] ?? 0) + performance.now() - start
    }
  }
  const record = (p: Pushed): void => void pushed.set(p.target.ref, p)
  const pushTargets = (targets: Target[]): Promise<Pushed[]> => {
    const groups = plan.pushes.map((g) => g.filter((p) => targets.includes(p.target))).filter((g) => g.length > 0)
    return pushAll(docker, groups, plan.attempts, record)
  }
  const saveStep = plan.save

  const login = plan.login
  if (login) await phase('login', () => logIn(docker, login, secrets.password ?? '', plan.attempts))
  const image = await phase('build', () => makeImage(docker, plan, secrets))
  done.image = image
  if (saveStep) done.tarball = await phase('save', () => save(docker, saveStep, plan.targets.length))
  if (plan.pushes.length > 0) await phase('push', () => pushTargets(plan.targets))
  if (plan.pushes.length > 0 || saveStep || plan.summary) {
    done.imageSize = await phase('push', () =>
      verifyTargets(docker, plan, image, async (moved, source) => {
        for (const target of moved) await docker.run(['image', 'tag', source, target.ref])
        if (saveStep) done.tarball = await save(docker, saveStep, plan.targets.length)
        if (plan.pushes.length > 0) await pushTargets(moved)
      })
    )
  }
  return result()
}

export async function logIn(docker: Docker, login: Login, password: string, attempts: number): Promise<void> {
  const { registry, username, args } = login
  await workflow.group(`Logging in to ${registry} as ${username}`, async () => {
    const failure = (result: RunResult): DockerError => loginFailure(registry, username, result.stderr)
    await docker.runRetrying(args, { registry, attempts, failure }, { input: password, silent: true })
    workflow.info(`Logged in to ${registry} as ${username}.`)
  })
}

export async function save(docker: Docker, step: NonNullable<Plan['save']>, references: number): Promise<Tarball> {
  const { target, compressor } = step
  return workflow.group(`Saving ${workflow.counted(references, 'reference')} to ${target.path}`, async () => {
    const tarball = await saveImage(docker, step.args, target, compressor)
    const how = target.gzip ? `, gzip level ${target.level} by ${tarball.compressor}` : ''
    workflow.info(`Wrote ${tarball.path} (${tarball.size} bytes${how}, ${tarball.digest}).`)
    return tarball
  })
}
