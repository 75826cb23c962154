// The docker work of the main step, phase by phase as the plan says: log in, make
// the image (build, load or retag), save it, push it, prove the pushed tags were
// this run's image, and sign what was pushed; or, for a merge and a registry-side
// promote, the work in the registries alone. Local work comes before the push, so a tarball that cannot
// be written fails the run before anything is published. A failure names its phase
// and carries what was already done (PhaseFailure), so the outputs and the summary
// can still say what is live.
import type { CommandRunner, Docker } from '../docker/docker.js'
import { DockerError } from '../domain/errors.js'
import type { PlatformDigest, Pushed, Tarball, Target } from '../domain/image.js'
import type { Done, Phase, Timings } from '../domain/run.js'
import * as render from '../plan/render.js'
import type { Plan, Secrets } from '../plan/steps.js'
import * as log from '../runner/log.js'
import { build } from './build.js'
import type { MadeImage } from './image.js'
import { loadImage } from './load.js'
import { logIn } from './login.js'
import { mergeParts } from './merge.js'
import { pushAll, verifyTargets } from './push.js'
import { copyInRegistry, readBack } from './registry.js'
import type { RegistryResult } from './registry.js'
import { retag } from './retag.js'
import { save } from './save.js'
import { signAll } from './sign.js'

/** A phase failed: its error, and what the run had done by then (what was pushed is live). */
export class PhaseFailure extends Error {
  constructor(
    readonly phase: Phase,
    readonly cause: unknown,
    readonly done: Done
  ) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'PhaseFailure'
  }
}

/** The programs the run uses besides docker: cosign, when the plan signs. */
export interface Tools {
  cosign?: CommandRunner
}

/** Runs the plan: login, build or retag, save, push, verify, sign; each phase timed. */
export async function runPhases(docker: Docker, plan: Plan, secrets: Secrets, tools: Tools = {}): Promise<Done> {
  const done = await makeAndPush(docker, plan, secrets)
  const sign = plan.sign
  if (sign === undefined || tools.cosign === undefined) return done
  const cosign = tools.cosign
  const signed: string[] = []
  const start = performance.now()
  try {
    await signAll(cosign, sign, done.outcome.pushed, secrets.cosignEnv, (ref) => signed.push(ref))
  } catch (err) {
    throw new PhaseFailure('sign', err, { ...done, outcome: { ...done.outcome, signed } })
  } finally {
    done.timings.sign = performance.now() - start
  }
  return { ...done, outcome: { ...done.outcome, signed } }
}

/** Login, build or retag, save, push, verify; each phase timed. */
async function makeAndPush(docker: Docker, plan: Plan, secrets: Secrets): Promise<Done> {
  const timings: Timings = {}
  const pushed = new Map<string, Pushed>()
  // What the run has done so far, also when a phase fails.
  const done: { image?: MadeImage; tarball?: Tarball; imageSize?: number; platforms?: PlatformDigest[] } = {}
  const result = (): Done => ({
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
    const groups = plan.pushes.map((g) => g.filter((t) => targets.includes(t))).filter((g) => g.length > 0)
    return pushAll(docker, groups, plan.attempts, record)
  }
  const saveStep = plan.save

  // One after another: each `docker login` rewrites the run's config.json.
  if (plan.logins.length > 0) {
    await phase('login', async () => {
      for (const [i, login] of plan.logins.entries()) await logIn(docker, login, secrets.passwords[i], plan.attempts)
    })
  }
  const registrySide = await inRegistry(docker, plan, (work) => phase('push', work), record)
  if (registrySide) {
    done.platforms = registrySide.platforms
    return result()
  }
  // A build that pushes and fails may have pushed some tags: those are recorded as live.
  const pushedByBuild = (ref: string, digest: string): void => {
    const target = plan.targets.find((t) => t.ref === ref)
    if (target) record({ target, digest })
  }
  const image = await phase('build', () => makeImage(docker, plan, secrets, pushedByBuild))
  done.image = image
  const step = plan.image
  if (step.kind === 'build' && step.push) {
    // buildx pushed every tag itself: there is no docker push to check. The engine has the
    // image only when buildx loaded it too, for a save (or the load input), and for cleanup.
    const read = await phase('push', () => readBack(docker, plan, step))
    for (const p of read.pushed) record(p)
    done.platforms = read.platforms
    if (saveStep) done.tarball = await phase('save', () => save(docker, saveStep))
    if (plan.cleanup.length > 0) await removeTags(docker, plan.cleanup)
    return result()
  }
  if (saveStep) done.tarball = await phase('save', () => save(docker, saveStep))
  if (plan.pushes.length > 0) await phase('push', () => pushTargets(plan.targets))
  // The check belongs to the last phase that used the tags.
  const local = await phase(plan.pushes.length > 0 ? 'push' : saveStep ? 'save' : 'build', () =>
    verifyTargets(docker, plan, image, async (moved, sources) => {
      for (const target of moved) await tagFrom(docker, sources, target.ref)
      if (saveStep) done.tarball = await save(docker, saveStep)
      if (plan.pushes.length > 0) await pushTargets(moved)
    })
  )
  done.image = { ...image, id: local.id }
  done.imageSize = local.size
  warnDigestChanged(image, [...pushed.values()])
  if (plan.cleanup.length > 0) await removeTags(docker, plan.cleanup)
  return result()
}

/** Builds the image, loads it from a tarball, or tags an existing one. */
export function makeImage(
  docker: Docker,
  plan: Plan,
  secrets: Secrets,
  onPushed?: (ref: string, digest: string) => void
): Promise<MadeImage> {
  const image = plan.image
  if (image.kind === 'build') return build(docker, image, plan, secrets, onPushed)
  if (image.kind === 'load') return loadImage(docker, image, plan)
  if (image.kind === 'retag') return retag(docker, image, plan)
  throw new Error('a merge makes no local image')
}

/**
 * The work some runs do in the registries alone, with nothing in the local engine:
 * a merge of parts, or a promote copied registry-side, in the push phase. Each
 * reference is recorded as it moves, so a failure later still says what is live.
 * Undefined for every other run (and for a promote that has to go through the
 * engine after all).
 */
async function inRegistry(
  docker: Docker,
  plan: Plan,
  asPush: <T>(work: () => Promise<T>) => Promise<T>,
  record: (pushed: Pushed) => void
): Promise<RegistryResult | undefined> {
  const image = plan.image
  if (image.kind === 'merge') return asPush(() => mergeParts(docker, plan, image, record))
  if (image.kind === 'retag' && image.copy) return asPush(() => copyInRegistry(docker, plan, image, record))
  return undefined
}

/** A source pulled and pushed through the engine may get another digest (one platform of an index, a rewritten manifest): said. */
function warnDigestChanged(image: MadeImage, pushed: Pushed[]): void {
  const changed = image.pulledDigest && pushed.find((p) => p.digest !== image.pulledDigest)
  if (!changed || !image.pulledDigest) return
  log.warning(
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
    if ((await docker.tryRun(render.tagArgs(source, ref), { silent: true })).exitCode === 0) return
  }
  throw new DockerError(
    `Another run on this engine re-tagged ${ref} while this run pushed it, and the engine no longer has this run's image under any name (an image store that keeps no image without a name), so this run cannot push it again. Give concurrent runs their own tags (a sha- or run-number tag), or run them one after another.`
  )
}

/**
 * Removes the local tags the run made, by name:tag (never by ID, which would take
 * tags of others with it). A tag that cannot be removed is a warning: the image is
 * delivered.
 */
async function removeTags(docker: Docker, refs: string[]): Promise<void> {
  const args = render.removeArgs(refs)
  const result = await docker.tryRun(args, { silent: true })
  if (result.exitCode === 0) log.info(`Removed the local tags of this run: ${refs.join(', ')}.`)
  else log.warning(`cleanup: could not remove every local tag of this run (${docker.failed(args, result).message}).`)
}
