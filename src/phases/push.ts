// The push phase: every reference, up to CONCURRENCY at a time, each digest the
// one docker reports from the registry; then the proof that each pushed tag was
// this run's image (another run on the same engine may re-tag it meanwhile), with
// the tag put back and pushed again when it was not. (What buildx pushes itself is
// read back by registry.ts.)
import type { Docker } from '../docker/docker.js'
import { CONCURRENCY, limiter, settleAll } from '../docker/limit.js'
import { pushedDigest } from '../docker/output.js'
import { DockerError } from '../domain/errors.js'
import type { Pushed, Target } from '../domain/image.js'
import * as render from '../plan/render.js'
import type { Plan } from '../plan/steps.js'
import * as log from '../runner/log.js'
import type { MadeImage } from './image.js'

/**
 * Pushes every reference of `groups` (one list per repository), up to
 * CONCURRENCY at a time: the first tag of each repository first (it uploads the
 * layers), then its other tags (only manifests). `done` gets each push as it
 * completes, so a failure later still knows what was published.
 */
export async function pushAll(
  docker: Docker,
  groups: Target[][],
  attempts: number,
  done: (pushed: Pushed) => void
): Promise<Pushed[]> {
  const total = groups.flat().length
  if (total === 0) return []
  const refs = groups.flat().map((t) => t.ref)
  const header =
    total === 1
      ? `Pushing ${refs[0]}`
      : `Pushing ${log.counted(total, 'reference')}, up to ${CONCURRENCY} at a time: ${refs.join(', ')}`
  return log.group(header, async () => {
    const limit = limiter(CONCURRENCY)
    const pushOne = (target: Target): Promise<Pushed> =>
      limit(async () => {
        const pushed = await pushReference(docker, target, total > 1, attempts)
        done(pushed)
        return pushed
      })
    const perRepository = groups.map(async ([first, ...rest]) => [
      await pushOne(first),
      ...(await settleAll(rest.map(pushOne)))
    ])
    return (await settleAll(perRepository)).flat()
  })
}

async function pushReference(docker: Docker, target: Target, concurrent: boolean, attempts: number): Promise<Pushed> {
  const { ref, repository } = target
  const result = await docker.runRetrying(
    render.pushArgs(ref),
    { registry: repository.domain, attempts },
    concurrent ? { onLine: log.prefixed(ref) } : {}
  )
  const digest = pushedDigest(result.stdout)
  if (digest === undefined) {
    throw new DockerError(
      `docker push ${ref} succeeded but printed no manifest digest, so the digest outputs cannot be set.`
    )
  }
  return { target, digest }
}

/** What the engine says each target names now: the image's ID (undefined when the tag is gone) and size. */
export async function inspectTargets(
  docker: Docker,
  targets: Target[]
): Promise<{ id: string | undefined; size: number | undefined }[]> {
  const inspect = (refs: string[]) => docker.tryRun(render.inspectArgs(refs, '{{.Id}} {{.Size}}'), { silent: true })
  const linesOf = (stdout: string): string[] => stdout.split('\n').filter((l) => l.trim() !== '')
  const all = await inspect(targets.map((t) => t.ref))
  let lines = linesOf(all.stdout)
  // One line per image found; when a tag is gone, which line is whose can only be told one by one.
  if (all.exitCode !== 0 || lines.length !== targets.length) {
    lines = await Promise.all(
      targets.map(async (t) => {
        const one = await inspect([t.ref])
        return one.exitCode === 0 ? (linesOf(one.stdout)[0] ?? '') : ''
      })
    )
  }
  return lines.map((line) => {
    const [id, size] = line.split(' ')
    return { id: id === '' ? undefined : id, size: Number.isFinite(Number(size)) ? Number(size) : undefined }
  })
}

/**
 * Proves that every target still names this run's image, after the pushes (and
 * the save): a tag that another run re-tagged meanwhile may have pushed (or
 * saved) that run's image. Such tags are tagged again and pushed again (`redo`),
 * up to `attempts` rounds. Returns the image's ID as the engine names it and its
 * size, for the outputs and the summary.
 */
export async function verifyTargets(
  docker: Docker,
  plan: Plan,
  image: MadeImage,
  redo: (moved: Target[], sources: string[]) => Promise<void>
): Promise<{ id: string; size: number | undefined }> {
  for (let round = 1; ; round++) {
    const named = await inspectTargets(docker, plan.targets)
    const ours = named.filter((n) => n.id !== undefined && image.own.includes(n.id))
    const moved = plan.targets.filter((_, i) => !ours.includes(named[i]))
    // The engine's own ID of the image: what `imageid` gives, in either image store.
    if (moved.length === 0) return { id: ours[0]?.id ?? image.id, size: ours[0]?.size }
    if (round > plan.attempts) {
      throw new DockerError(
        `Another run on this engine kept re-tagging ${moved.map((t) => t.ref).join(', ')} while this run pushed it, so this run cannot tell which image the registry got. Give concurrent runs their own tags (a sha- or run-number tag), or run them one after another.`
      )
    }
    // What to tag from: a digest of ours the engine answered to, else each of ours (the store decides which works).
    const sources = [...new Set([...(ours[0]?.id ? [ours[0].id] : []), ...image.own].filter((d) => d !== ''))]
    log.warning(
      `${moved.map((t) => t.ref).join(', ')} named another image when this run checked (another run on this engine re-tagged it); tagging it as this run's image and pushing it again.`
    )
    await redo(moved, sources)
  }
}
