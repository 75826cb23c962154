// Case cache. In the classic world: a build with cache-from on an engine without
// local cache, vs without (and a docker pull + docker build --cache-from by hand, for
// reference). In the hosted and builder worlds (issue 24): commit B after commit A
// on a builder as a hosted runner gets it, with an empty cache every run, where only
// a cache in the registry can help: the action's `cache: registry` vs no cache, and
// vs the docker commands a user writes for the same cache.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { slowStepCached, tracedAction, whereTimeGoes } from './logs.mjs'
import { compare, tail } from './measure.mjs'
import { runBaseline } from './push.mjs'

/** The cache case's report section for world `w`. */
export function benchCache(ctx, w) {
  return w.name === 'classic' ? classicCacheFrom(ctx, w) : registryCache(ctx, w)
}

/** Issue 24's targets: `cache: registry` over no cache, and over the user's own cache flags. */
export const CACHE_TARGETS = { noCache: 0.35, byHand: 1.05 }

/**
 * Commit B after commit A, on an empty builder: each side, each run, in a context of
 * its own (FROM, a slow RUN step unique to that context, COPY app.txt): builds and
 * pushes A (untimed, which writes that side's cache), empties the builder
 * (world.coldBuilder), changes app.txt and builds and pushes B, timed. The context
 * is unique per side and run (the slow step writes its name first), so a side's
 * cache can only come from its own A, never from another side's or run's build;
 * within the side, B's slow step is the same as A's, so a cache that works turns it
 * into a cache hit, and every side does the same work otherwise (a new COPY layer, a
 * push to a repository that holds A).
 */
async function registryCache(ctx, w) {
  const registry = w.tls
  const login = { registry, username: ctx.services.username, password: ctx.services.password }
  const repo = (side, i) => `${registry}/${ctx.ns}/cache-${w.name}-${side}-${i}`
  // tags: main, the branch of the run (workflowEnv: a push to main): the action with
  // the docker driver reads its inline cache from the branch's last pushed image.
  const tag = 'main'
  const cacheRef = (side, i) => `${repo(side, i)}:buildcache-main`
  // What a user writes for the same cache as the action's (src/plan/cache.ts): with a
  // BuildKit outside the engine a registry cache beside the image, mode=max; with the
  // docker driver on the classic store the only cache it exports, inline, read from
  // the last pushed image.
  const byHandFlags = (i) =>
    w.remote
      ? `--push --cache-from type=registry,ref=${cacheRef('shell', i)} --cache-to type=registry,ref=${cacheRef('shell', i)},mode=max`
      : `--load --cache-from ${repo('shell', i)}:${tag} --cache-to type=inline`
  // A RUN step here needs the host's network (world.runNetwork): both sides name it.
  const byHandBuild = (i) => `buildx build ${byHandFlags(i)}${w.runNetwork ? ` --network ${w.runNetwork}` : ''}`
  const action = (side, cache) => async (i) =>
    commitB(ctx, w, side, i, async (dir, trace) => {
      const inputs = {
        ...login,
        images: repo(side, i),
        tags: tag,
        latest: 'false',
        context: path.relative(ctx.workspace, dir)
      }
      if (cache) inputs.cache = 'registry'
      if (w.runNetwork) inputs.network = w.runNetwork
      const run = await w.runAction(inputs, { trace })
      if (!run.outputs.digest) throw new Error(`the action pushed but set no digest output:\n${tail(run.log)}`)
      return tracedAction(run)
    })
  const byHand = (i) =>
    commitB(ctx, w, 'shell', i, (dir, trace) =>
      runBaseline(ctx, w, {
        registries: [registry],
        contextDir: dir,
        refs: [`${repo('shell', i)}:${tag}`],
        build: byHandBuild(i),
        push: w.remote ? 'none' : 'each',
        trace
      })
    )
  const samples = await ctx.alternate(`cache ${w.name}`, {
    'cache: registry': action('registry', true),
    'no cache': action('none', false),
    'by hand': byHand
  })
  const hits = (list) => `${list.filter((s) => s.cached).length}/${list.length}`
  const builderWords = w.remote
    ? `the remote BuildKit (\`${w.builder.name}\`), emptied by \`docker buildx prune --all --force --builder ${w.builder.name}\``
    : "the engine's BuildKit (docker driver, classic image store), emptied by `docker builder prune --all --force` after removing every image of the case from the engine"
  return {
    name: 'cache',
    title: 'Build cache across runs: commit B on a fresh builder, `cache: registry` vs none and vs by hand',
    method: [
      `Dockerfile: \`FROM ${w.info.baseImage}\`, a LABEL, \`RUN echo <context name> >/seed && <slow step>\` (32 MB from /dev/urandom hashed 20 times with sha256sum: seconds of CPU, and a 32 MB layer), then \`COPY app.txt\`. A context per side and run, so no side's cache can come from another side's build or another run; commit B changes app.txt only.`,
      `Each run of each side: commit A built and pushed the way of that side (untimed: it writes that side's cache), then the builder emptied — ${builderWords} — as a hosted runner starts every job with an empty builder, then commit B built and pushed the same way, timed. The sides rotate; ${ctx.runs} runs each. Whether B's slow step came from a cache is read from the build output (\`CACHED\`, or its layer fetched instead of run). B runs through the docker trace shim of the push case, so the notes say where its time goes.`,
      `Action: \`registry\`/\`username\`/\`password\` (${registry}), \`images\` = a repository per side and run, \`tags: ${tag}\`, \`latest: false\`, \`context\`, and \`cache: registry\` or nothing (no cache); main + post step, in the environment of a push to \`main\`. With ${w.remote ? 'a BuildKit outside the engine `cache: registry` is `--cache-from type=registry,ref=<repo>:buildcache-main --cache-to type=registry,ref=<repo>:buildcache-main,mode=max,ignore-error=true` on its one `buildx build --push`' : "the docker driver on the classic store `cache: registry` is the inline cache: `--cache-from <repo>:main` (the branch's last pushed image) `--cache-to type=inline` on its `buildx build --load`, then `docker push`"}.`,
      `By hand (\`scripts/bench-push-baseline.sh\`): \`docker login\`, \`docker ${byHandBuild('N').replace(/shell-N/g, 'shell-<run>')} --tag <repo>:${tag} CONTEXT\`${w.remote ? '' : ', `docker push <repo>:main`'}, \`docker logout\` — what a user writes without the action for the same cache, with a cache of its own that its own A wrote.`
    ],
    rows: [
      compare(
        'commit B on a fresh builder: `cache: registry` vs no cache',
        samples['cache: registry'],
        samples['no cache'],
        {
          target: CACHE_TARGETS.noCache,
          baselineName: 'action, no cache'
        }
      ),
      compare(
        `commit B on a fresh builder: \`cache: registry\` vs \`docker buildx build ${w.remote ? '--cache-from/--cache-to type=registry' : '--cache-from <image> --cache-to type=inline'}\` by hand`,
        samples['cache: registry'],
        samples['by hand'],
        { target: CACHE_TARGETS.byHand, baselineName: 'by hand' }
      )
    ],
    notes: [
      ...whereTimeGoes('B, `cache: registry` vs by hand', samples['cache: registry'], samples['by hand']),
      `The slow step of B came from a cache in: \`cache: registry\` ${hits(samples['cache: registry'])}, no cache ${hits(samples['no cache'])}, by hand ${hits(samples['by hand'])}; of A (which must build it): ${hits(
        Object.values(samples)
          .flat()
          .map((s) => ({ cached: s.cachedA }))
      )}.`
    ]
  }
}

/**
 * One run of a side of registryCache: its context, commit A built and pushed by
 * `build(dir, false)` (untimed), the builder emptied, commit B by `build(dir, true)`
 * (traced), whose sample it returns with whether B's (`cached`) and A's (`cachedA`)
 * slow step was a cache hit.
 */
async function commitB(ctx, w, side, i, build) {
  const name = `cache-${w.name}-${side}-${i}`
  const dir = w.makeContext(name, 'cache', { slowRun: true })
  try {
    const a = await build(dir, false)
    w.coldBuilder('cache')
    fs.writeFileSync(path.join(dir, 'app.txt'), `${name}: commit B\n`)
    const b = await build(dir, true)
    return { ...b, cached: slowStepCached(b.log), cachedA: slowStepCached(a.log) }
  } finally {
    ctx.removeContext(name)
  }
}

/** The classic world's cache section: cold rebuilds with and without cache-from, and by hand. */
async function classicCacheFrom(ctx, w) {
  const runs = Math.min(ctx.runs, 3)
  w.makeContext('cache', 'cache', { slowRun: true })
  const published = `${ctx.services.plain}/${ctx.ns}/cache:published`
  ctx.progress('cache: building and publishing the cache image (uncached build)')
  const first = await w.timed('docker', ['build', '--tag', published, ctx.contextDir('cache')])
  if (first.code !== 0) throw new Error(`building the cache image failed:\n${tail(first.stdout + first.stderr)}`)
  w.docker(['push', published])

  const samples = await ctx.alternate(
    'cache',
    {
      'cache-from': (i) => buildCold(ctx, w, i, published),
      'no cache-from': (i) => buildCold(ctx, w, i, undefined),
      'pull + build --cache-from': (i) => buildColdByHand(ctx, w, i, published)
    },
    runs
  )
  const describe = (list) =>
    `cache hits on the slow RUN step ${list.filter((s) => s.cached).length}/${list.length}, pulled the cache image ${list.filter((s) => s.pulled).length}/${list.length}`
  return {
    name: 'cache',
    title: 'Rebuild on an engine without local cache: cache-from vs none',
    method: [
      `Dockerfile: \`FROM ${w.info.baseImage}\`, a LABEL unique to this bench run, \`RUN dd if=/dev/urandom of=/big bs=1M count=32\` plus 20 \`sha256sum /big\` passes (CPU work), then a small COPY. Built once with the same CLI and builder the action uses and pushed to the plain registry as the cache image (that first build took ${(first.ms / 1000).toFixed(2)} s).`,
      `Runs per side: ${runs}. Before every timed run the engine is made cold: every image of this case (tagged or not, found by its label) is removed and \`docker builder prune -af\` is run; the run checks nothing of it is left.`,
      'Action: images, tags, `latest: false`, `push: false`, context, and for one side `cache-from: <the cache image>`; main + post step. A third side, for reference, runs `docker pull <cache image> && docker build --cache-from <cache image>` in bash. Whether the slow step came from cache is read from the build output (`Using cache` / `CACHED`).'
    ],
    rows: [
      compare('action: cache-from vs none', samples['cache-from'], samples['no cache-from'], {
        target: 0.5,
        baselineName: 'action, no cache-from'
      }),
      compare(
        'reference, no action: `docker pull` + `docker build --cache-from` vs the action without cache-from',
        samples['pull + build --cache-from'],
        samples['no cache-from'],
        { baselineName: 'action, no cache-from' }
      )
    ],
    notes: [
      `action with cache-from: ${describe(samples['cache-from'])}.`,
      `action without cache-from: ${describe(samples['no cache-from'])}.`,
      `reference (bash): ${describe(samples['pull + build --cache-from'])} — what cache-from can give on this engine and builder.`,
      `Builder: ${builderOf(samples['no cache-from'][0].log)}.`
    ]
  }
}

async function buildCold(ctx, w, i, cacheFrom) {
  w.coldBuilder('cache')
  const inputs = {
    images: `${ctx.services.plain}/${ctx.ns}/cache-${cacheFrom ? 'from' : 'none'}-${i}`,
    tags: 't',
    latest: 'false',
    push: 'false',
    context: path.relative(ctx.workspace, ctx.contextDir('cache'))
  }
  if (cacheFrom) inputs['cache-from'] = cacheFrom
  const run = await w.runAction(inputs)
  return {
    ms: run.ms,
    cached: slowStepCached(run.log),
    pulled: /^\[command\]\S+ (image )?pull /m.test(run.log),
    log: run.log
  }
}

/** The reference: what a workflow would run by hand, `docker pull` then `docker build --cache-from`. */
async function buildColdByHand(ctx, w, i, cacheFrom) {
  w.coldBuilder('cache')
  const ref = `${ctx.services.plain}/${ctx.ns}/cache-hand-${i}:t`
  const run = await w.bash('docker pull "$1" && docker build --cache-from "$1" --tag "$2" "$3"', [
    cacheFrom,
    ref,
    ctx.contextDir('cache')
  ])
  return { ms: run.ms, cached: slowStepCached(run.stdout + run.stderr), pulled: true }
}

function builderOf(log) {
  const command = /^\[command\]\S+ ((?:buildx )?build)\b/m.exec(log)?.[1]
  if (command === 'buildx build') return '`docker buildx build` (BuildKit)'
  return process.env.DOCKER_BUILDKIT === '1'
    ? '`docker build` with DOCKER_BUILDKIT=1'
    : '`docker build`, the classic builder (no buildx plugin)'
}
