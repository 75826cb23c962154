// Case 3: a build with cache-from on an engine without local cache, vs without (and a
// docker pull + docker build --cache-from by hand, for reference).
import * as path from 'node:path'
import { compare, tail } from './measure.mjs'

/** The cache case's report section: cold rebuilds with and without cache-from, and by hand. */
export async function benchCache(ctx, w) {
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

/** Whether the build output shows the slow RUN step taken from the cache (classic builder or BuildKit). */
function slowStepCached(log) {
  const step = log.split(/^(?=Step \d+\/\d+ : |#\d+ \[)/m).find((s) => s.includes('dd if=/dev/urandom')) ?? ''
  return /Using cache|CACHED/.test(step)
}

function builderOf(log) {
  const command = /^\[command\]\S+ ((?:buildx )?build)\b/m.exec(log)?.[1]
  if (command === 'buildx build') return '`docker buildx build` (BuildKit)'
  return process.env.DOCKER_BUILDKIT === '1'
    ? '`docker build` with DOCKER_BUILDKIT=1'
    : '`docker build`, the classic builder (no buildx plugin)'
}
