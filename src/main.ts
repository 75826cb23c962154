// The main step, a thin shell: the environment and the inputs → the plan → the
// docker work (phases/) → the outputs and the summary (report/). Data flows one way.
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { markChildren } from './docker/children.js'
import { removeAll, removeOnSignals, track, untrack } from './docker/cleanup.js'
import { createDockerConfig } from './docker/credentials.js'
import { cliRunner, Docker } from './docker/docker.js'
import type { CommandRunner } from './docker/docker.js'
import { DockerError } from './domain/errors.js'
import { createdLine, OCI, rfc3339 } from './domain/event.js'
import type { Done } from './domain/run.js'
import { needsImageStore } from './inputs/builder.js'
import { parseInputs } from './inputs/inputs.js'
import type { Inputs } from './inputs/inputs.js'
import { INPUT_NAMES } from './inputs/names.js'
import type { RawInputs } from './inputs/names.js'
import { PhaseFailure, runPhases } from './phases/run.js'
import { ensureBuildx } from './setup/buildx.js'
import { ensureCosign } from './setup/cosign.js'
import { claimTarget } from './phases/save.js'
import { commandLine, commandLines } from './plan/command-lines.js'
import { makePlan } from './plan/plan.js'
import * as render from './plan/render.js'
import type { PlanFacts } from './plan/plan.js'
import type { Plan } from './plan/steps.js'
import { artifactLines } from './report/artifacts.js'
import { madeOf } from './report/made.js'
import { metadataOf, outputsOf, writeOutputs } from './report/outputs.js'
import { closingLine, summaryMarkdown, writeSummary } from './report/summary.js'
import { CLASSIC_BUILDER_NOTED, readEnvironment, tempBase } from './runner/environment.js'
import type { Environment } from './runner/environment.js'
import { declareArtifacts } from './runner/artifacts.js'
import * as log from './runner/log.js'
import { STATE_IS_POST, STATE_TEMP } from './runner/state.js'

/** The main step as the bundle runs it: marks the state for the post step, and fails a run that stops early. */
export function start(): void {
  core.saveState(STATE_IS_POST, 'true')
  let finished = false
  // Node exits quietly with 0 when nothing is left to wait for; a run that did
  // not reach its end must not pass as a success.
  process.on('exit', (code) => {
    if (!finished && code === 0)
      log.error('ship-image stopped before it finished (an internal error); its outputs are not set.')
  })
  void main().finally(() => {
    finished = true
  })
}

/** How the step reaches docker: the real CLI, or a fake in the unit tests. */
export type RunnerFactory = (docker: string | undefined, env: Record<string, string>, host?: string) => CommandRunner

/** The inputs as the runner passes them (INPUT_<NAME>), trimmed. */
function rawInputs(): RawInputs {
  return Object.fromEntries(INPUT_NAMES.map((name) => [name, core.getInput(name)])) as RawInputs
}

export async function main(vars: NodeJS.ProcessEnv = process.env, runnerFor: RunnerFactory = cliRunner): Promise<void> {
  const started = performance.now()
  const raw = rawInputs()
  log.mask(raw.password)
  const { environment, warnings } = readEnvironment(vars)
  // A DOCKER_HOST may carry a password (tcp://user:password@host); docker itself prints it without.
  log.mask(/^[a-z][a-z0-9+.-]*:\/\/[^/:@]*:([^/@]+)@/i.exec(environment.dockerHost ?? '')?.[1] ?? '')
  // Parsing prints nothing: the secrets it finds are masked before anything is printed.
  let parsed = parseInputs(raw, environment)
  for (const secret of parsed.masks) log.mask(secret)
  // A rule that depends on the engine's image store asks the engine first (the only docker command before the rules).
  if (parsed.ok && parsed.inputs.source.kind === 'build' && needsImageStore(parsed.inputs.source.build)) {
    environment.containerdStore = await probeImageStore(environment, runnerFor)
    parsed = parseInputs(raw, environment)
  }
  for (const warning of warnings) log.warning(warning)
  for (const notice of parsed.notices) log.notice(notice.message)
  for (const warning of parsed.warnings) log.warning(warning.message)
  if (!parsed.ok) {
    for (const problem of parsed.problems) log.error(problem.message)
    return
  }
  const inputs = parsed.inputs
  // Which time the created label has (a label the user set wins): it decides whether a rebuild gives the same digest.
  const created =
    inputs.source.kind === 'build' ? inputs.source.build.labels.find((l) => l.key === `${OCI}.created`) : undefined
  if (created?.value === rfc3339(environment.created.date)) log.info(createdLine(environment.created))
  if (inputs.dryRun) return dryRun(inputs, environment)

  // The run's folder (its docker config and login) must not be inside the build context.
  const context = inputs.source.kind === 'build' ? inputs.source.build.context : undefined
  const base = tempBase(environment, context)
  if (base === undefined) {
    log.error(
      `Input 'context': the build context ${context} holds every temporary folder this run could use (${[environment.runnerTemp, ...environment.otherTemps].join(', ')}), and this run's docker login would go into the image. Fix: give a context folder that does not contain RUNNER_TEMP.`
    )
    return
  }
  removeOnSignals()
  const temp = fs.mkdtempSync(path.join(base, 'ship-image-'))
  track(temp)
  markChildren(temp)
  core.saveState(STATE_TEMP, temp)
  const { plan, secrets } = makePlan(inputs, factsOf(planned(inputs, environment), temp), {
    actionsRuntime: vars.ACTIONS_RUNTIME_TOKEN,
    oidcRequest: vars.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  })
  log.debug(`The plan: ${JSON.stringify(plan)}`)
  let config: { dir: string; env: Record<string, string> } | undefined
  try {
    if (plan.save) track(claimTarget(plan.save.target.path))
    // The buildx release asked for (buildx-version), through the run's own plugin folder.
    const plugins =
      inputs.buildx && (await ensureBuildx(probe(environment, runnerFor), inputs.buildx, environment, temp))
    const registries = plan.logins.map((l) => l.registry)
    config =
      plan.ownDockerConfig || plugins
        ? createDockerConfig(temp, registries, environment.dockerConfig, environment.buildxConfig, plugins || undefined)
        : undefined
    const docker = new Docker(
      runnerFor(environment.tools.docker, config?.env ?? {}, environment.dockerHost),
      environment.dockerHost
    )
    // Once per job, as a notice: the build works, and every run of the job would say the same.
    if (plan.image.kind === 'build' && !plan.buildkit && !environment.classicBuilderNoted) {
      log.notice(
        'docker build here is the classic builder, which Docker has deprecated. Install the buildx plugin (docker/setup-buildx-action) to build with BuildKit; it is also what build secrets need. (Said once per job.)'
      )
      core.exportVariable(CLASSIC_BUILDER_NOTED, 'true')
    }
    // cosign, when the run signs: the runner's, or a pinned release; it gets the run's logins as docker does.
    const cosignPath = inputs.sign && (await ensureCosign(inputs.sign, environment, temp))
    const cosign = cosignPath ? runnerFor(cosignPath, config?.env ?? {}, environment.dockerHost) : undefined
    const done = await runPhases(docker, plan, secrets, cosign ? { cosign } : {})
    if (config && plan.keepLogin) keepLogin(plan, config.dir, temp, environment)
    await report(plan, done, { step: vars.GITHUB_ACTION, started })
  } catch (err) {
    if (err instanceof PhaseFailure) {
      // A later step of the job (if: failure()) may still use the login, once it is done.
      if (config && plan.keepLogin && err.phase !== 'login') keepLogin(plan, config.dir, temp, environment)
      // What was pushed (or saved) before the failure is live: the outputs and the summary say so.
      await report(plan, err.done, { step: vars.GITHUB_ACTION, started }, err)
    }
    fail(err instanceof PhaseFailure ? err.cause : err)
  } finally {
    removeAll()
  }
}

/**
 * keep-login: the run's docker config (and the logins in it) stays until the job
 * ends, for the later steps, which get it as DOCKER_CONFIG; the post step removes
 * it. The user's own config is still never written.
 */
function keepLogin(plan: Plan, dir: string, temp: string, environment: Environment): void {
  untrack(temp)
  core.exportVariable('DOCKER_CONFIG', dir)
  // buildx finds its builders through DOCKER_CONFIG unless BUILDX_CONFIG says otherwise.
  core.exportVariable('BUILDX_CONFIG', environment.buildxConfig)
  const registries = plan.logins.map((l) => l.registry).join(', ')
  log.info(
    `keep-login: the later steps of this job use the login to ${registries} (DOCKER_CONFIG=${dir}); the post step removes it.`
  )
}

/** The outputs, the summary and the closing line: of the run, or after a failure, of what it did before. */
async function report(
  plan: Plan,
  done: Done,
  run: { step: string | undefined; started: number },
  failure?: PhaseFailure
): Promise<void> {
  const metadata = metadataOf(done.outcome)
  // The verify command of each digest cosign signed.
  const sign = plan.sign
  const verify = sign
    ? (done.outcome.signed ?? []).map((ref) => commandLine(render.cosignVerifyArgs(ref, sign), 'cosign'))
    : []
  // After a failure the outputs are set only when something is live, for `if: failure()` steps to find.
  if (!failure || done.outcome.pushed.length > 0 || done.outcome.tarball) {
    writeOutputs(outputsOf(metadata, verify))
  }
  // What was pushed and saved, declared to the runner for later steps (actions/attest), once it all succeeded.
  if (!failure) {
    const { lines, skipped } = artifactLines(metadata)
    if (declareArtifacts(lines)) log.info(`Declared to the runner as artifacts: ${lines.join(', ')}.`)
    for (const path of skipped)
      log.warning(
        `The tarball ${path} is not declared as an artifact: the runner's format takes no '=' or line break in a path.`
      )
  }
  const failed = failure && { phase: failure.phase, message: failure.message }
  if (plan.summary) {
    await writeSummary(
      summaryMarkdown({
        ...done,
        metadata,
        failed,
        made: madeOf(plan),
        totalMs: performance.now() - run.started,
        ...(run.step ? { step: run.step } : {}),
        ...(plan.pushSkipped ? { pushSkipped: plan.pushSkipped } : {}),
        ...(verify.length > 0 ? { verify } : {})
      })
    )
  }
  if (!failure) log.info(closingLine(metadata))
}

/** docker as the user's CLI runs it (no login of the run): for what the run asks before it logs in. */
function probe(environment: Environment, runnerFor: RunnerFactory): Docker {
  return new Docker(runnerFor(environment.tools.docker, {}, environment.dockerHost), environment.dockerHost)
}

/**
 * Whether the engine keeps images in containerd: `docker info`, as the user's docker
 * CLI sees the engine (no login needed). Undefined when there is no CLI or engine to
 * ask: the run then fails saying so, at its first docker command.
 */
async function probeImageStore(environment: Environment, runnerFor: RunnerFactory): Promise<boolean | undefined> {
  try {
    const info = await probe(environment, runnerFor).tryRun(render.infoArgs('{{json .DriverStatus}}'), { silent: true })
    return info.exitCode === 0 ? info.stdout.includes('io.containerd.snapshotter') : undefined
  } catch {
    return undefined
  }
}

/**
 * The machine as the plan sees it: a buildx release asked for (buildx-version) is
 * fetched before the build, so the build is buildx's even where the runner has none
 * (as the input rules already see it, inputs.ts).
 */
function planned(inputs: Inputs, environment: Environment): Environment {
  return inputs.buildx && !environment.buildx ? { ...environment, buildx: true } : environment
}

/** The plan's facts: the machine's, and where this run's files go (`dir`: its temp folder). */
function factsOf(environment: Environment, dir: string): PlanFacts {
  return {
    buildx: environment.buildx,
    buildkitEnv: environment.buildkitEnv,
    workspace: environment.workspace,
    iidFile: path.join(dir, 'iid'),
    metadataFile: path.join(dir, 'metadata.json'),
    pigz: environment.tools.pigz,
    zstd: environment.tools.zstd,
    event: environment.event,
    workflowRef: environment.workflowRef,
    ...(environment.containerdStore === undefined ? {} : { containerdStore: environment.containerdStore })
  }
}

/** One ::error:: for the failure: on the Dockerfile's line when the build names one. */
function fail(err: unknown): void {
  if (err instanceof DockerError && err.annotation) {
    log.error(err.message, { title: 'docker build failed', file: err.annotation.file, startLine: err.annotation.line })
  } else {
    const message = err instanceof Error ? err.message : String(err)
    log.error(err instanceof DockerError ? message : `ship-image failed: ${message}`)
  }
}

/** Validates, prints the commands and sets the outputs known without running; runs no docker command. */
async function dryRun(inputs: Inputs, environment: Environment): Promise<void> {
  const { plan } = makePlan(inputs, factsOf(planned(inputs, environment), '$RUNNER_TEMP'))
  const lines = commandLines(plan)
  const builder =
    plan.builder === 'buildx' ? 'with buildx' : plan.buildkit ? 'with BuildKit' : 'with the classic builder'
  await log.group(`Dry run: the docker commands this run would make (${builder}; nothing runs)`, async () => {
    for (const line of lines) log.info(line)
  })
  const metadata = metadataOf({
    imageId: '',
    version: plan.version,
    labels: plan.labels,
    targets: plan.targets,
    pushed: [],
    platforms: plan.platforms.map((platform) => ({ platform, digest: null })),
    tarball: undefined
  })
  const outputs = outputsOf(metadata)
  writeOutputs({ tags: outputs.tags, version: outputs.version, metadata: outputs.metadata })
  if (plan.summary) await writeSummary(summaryMarkdown({ metadata, timings: {}, imageSize: undefined, dryRun: lines }))
  log.info(`ship-image: dry run; would tag ${plan.targets.map((t) => t.ref).join(', ')}.`)
}

/** The name @github/local-action looks for (`npx local-action run . src/main.ts .env`). */
export const run = main
