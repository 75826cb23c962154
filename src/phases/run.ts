// The docker work of the main step, phase by phase as the plan says: log in, make
// the image (image.ts), save it, push it (push.ts), and prove the pushed tags were
// this run's image. Local work comes before the push, so a tarball that cannot be
// written fails the run before anything is published. A failure names its phase
// and carries what was already done (PhaseFailure), so the outputs and the summary
// can still say what is live.
import { loginFailure } from '../docker/output.js'
import type { Docker, RunResult } from '../docker/docker.js'
import { DockerError } from '../domain/errors.js'
import { makeImage } from './image.js'
import type { MadeImage } from './image.js'
import type { Outcome, PlatformDigest, Pushed } from '../report/outputs.js'
import { tagArgs } from '../plan/plan.js'
import type { Login, Plan, Secrets, Target } from '../plan/plan.js'
import { pushAll, verifyTargets } from './push.js'
import { copyInRegistry, mergeParts, readBack } from './registry.js'
import type { RegistryResult } from './registry.js'
import { saveImage } from './save.js'
import type { Tarball } from './save.js'
import type { Phase, Timings } from '../report/summary.js'
import * as workflow from '../runner/workflow.js'

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
  const done: { image?: MadeImage; tarball?: Tarball; imageSize?: number; platforms?: PlatformDigest[] } = {}
  const result = (): PhaseResult => ({
    outcome: {
      imageId: done.image?.id ?? '',
      version: plan.version,
      labels: plan.labels,
      targets: plan.targets,
      pushed: plan.targets.flatMap((t) => pushed.get(t.ref) ?? []),
      platforms:
        done.platforms ??
        plan.platforms.map((platform) => ({ platform, digest: pushed.get(plan.targets[0]?.ref)?.digest ?? null })),
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

  // One after another: each `docker login` rewrites the run's config.json.
  if (plan.logins.length > 0) {
    await phase('login', async () => {
      for (const [i, login] of plan.logins.entries()) await logIn(docker, login, secrets.passwords[i], plan.attempts)
    })
  }
  const registrySide =
    plan.image.kind === 'merge' || (plan.image.kind === 'retag' && plan.image.copy)
      ? await phase('push', () => inRegistry(docker, plan))
      : undefined
  if (registrySide) {
    for (const p of registrySide.pushed) record(p)
    done.platforms = registrySide.platforms
    return result()
  }
  const image = await phase('build', () => makeImage(docker, plan, secrets))
  done.image = image
  const pushedByBuild = plan.image.kind === 'build' ? plan.image.push : undefined
  if (pushedByBuild) {
    // buildx pushed every tag itself, and nothing is in the local engine to check, save or remove.
    const read = await phase('push', () => readBack(docker, plan, pushedByBuild))
    for (const p of read.pushed) record(p)
    done.platforms = read.platforms
    return result()
  }
  if (saveStep) done.tarball = await phase('save', () => save(docker, saveStep, plan.targets.length))
  if (plan.pushes.length > 0) await phase('push', () => pushTargets(plan.targets))
  // The check belongs to the last phase that used the tags.
  const local = await phase(plan.pushes.length > 0 ? 'push' : saveStep ? 'save' : 'build', () =>
    verifyTargets(docker, plan, image, async (moved, sources) => {
      for (const target of moved) await tagFrom(docker, sources, target.ref)
      if (saveStep) done.tarball = await save(docker, saveStep, plan.targets.length)
      if (plan.pushes.length > 0) await pushTargets(moved)
    })
  )
  done.image = { ...image, id: local.id }
  done.imageSize = local.size
  warnDigestChanged(image, [...pushed.values()])
  if (plan.cleanup.length > 0) await removeTags(docker, plan.cleanup, image.loaded ?? [])
  return result()
}

/**
 * The work some runs do in the registry alone, with nothing in the local engine: a
 * merge of parts, or a promote copied registry-side. Undefined for every other run
 * (and for a promote that has to go through the engine after all).
 */
async function inRegistry(docker: Docker, plan: Plan): Promise<RegistryResult | undefined> {
  const image = plan.image
  if (image.kind === 'merge') return mergeParts(docker, plan, image)
  if (image.kind === 'retag' && image.copy) return copyInRegistry(docker, plan, image.copy, image.source)
  return undefined
}

/** A source pulled and pushed through the engine may get another digest (one platform of an index, a rewritten manifest): said. */
function warnDigestChanged(image: MadeImage, pushed: Pushed[]): void {
  const changed = image.pulledDigest && pushed.find((p) => p.digest !== image.pulledDigest)
  if (!changed || !image.pulledDigest) return
  workflow.warning(
    `${changed.target.ref} was pushed as ${changed.digest}, but the source's digest is ${image.pulledDigest}: through the local engine a promote pushes the one platform it pulled, in the engine's own manifest. With buildx installed, a source in a registry is copied there instead, keeping its digest and platforms.`
  )
}

/**
 * Tags `ref` from the first of `sources` the engine knows (its image store names
 * images by one of them). The containerd image store keeps no image without a
 * name: when another run took the last one, the image is gone, and that is said.
 */
async function tagFrom(docker: Docker, sources: string[], ref: string): Promise<void> {
  for (const source of sources) {
    if ((await docker.tryRun(tagArgs(source, ref), { silent: true })).exitCode === 0) return
  }
  throw new DockerError(
    `Another run on this engine re-tagged ${ref} while this run pushed it, and the engine no longer has this run's image under any name (an image store that keeps no image without a name), so this run cannot push it again. Give concurrent runs their own tags (a sha- or run-number tag), or run them one after another.`
  )
}

/**
 * Removes the local tags the run made, by name:tag (never by ID, which would take
 * tags of others with it), keeping the tags a loaded tarball gave (the source's
 * own). A tag that cannot be removed is a warning: the image is delivered.
 */
async function removeTags(docker: Docker, commands: string[][], keep: string[]): Promise<void> {
  for (const args of commands) {
    const refs = args.slice(2).filter((ref) => !keep.includes(ref))
    if (refs.length === 0) continue
    const result = await docker.tryRun([...args.slice(0, 2), ...refs], { silent: true })
    if (result.exitCode === 0) workflow.info(`Removed the local tags of this run: ${refs.join(', ')}.`)
    else
      workflow.warning(
        `cleanup: could not remove every local tag of this run (${docker.failed(args, result).message}).`
      )
  }
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
    const how = target.format === 'tar' ? '' : `, ${target.format} level ${target.level} by ${tarball.compressor}`
    workflow.info(`Wrote ${tarball.path} (${tarball.size} bytes${how}, ${tarball.digest}).`)
    return tarball
  })
}
