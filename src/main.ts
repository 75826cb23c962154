// The main step, a thin shell: the environment and the inputs → the plan → the
// docker work (phases.ts) → the outputs and the summary. Data flows one way.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { remove, removeOnSignals, track } from './cleanup.js'
import { createDockerConfig } from './credentials.js'
import { cliRunner, Docker } from './docker.js'
import type { CommandRunner } from './docker.js'
import { readEnvironment } from './environment.js'
import type { Environment } from './environment.js'
import { DockerError } from './errors.js'
import { INPUT_NAMES } from './input-names.js'
import type { RawInputs } from './input-names.js'
import { parseInputs } from './inputs.js'
import type { Inputs } from './inputs.js'
import { metadataOf, outputsOf, writeOutputs } from './outputs.js'
import { runPhases } from './phases.js'
import { commandLines, makePlan } from './plan.js'
import { STATE_IS_POST, STATE_TEMP } from './state.js'
import { closingLine, summaryMarkdown } from './summary.js'
import * as workflow from './workflow.js'

/** The main step as the bundle runs it: marks the state for the post step, and fails a run that stops early. */
export function start(): void {
  workflow.saveState(STATE_IS_POST, 'true')
  let finished = false
  // Node exits quietly with 0 when nothing is left to wait for; a run that did
  // not reach its end must not pass as a success.
  process.on('exit', (code) => {
    if (!finished && code === 0) {
      workflow.error('ship-image stopped before it finished (an internal error); its outputs are not set.')
      process.exitCode = 1
    }
  })
  void main().finally(() => {
    finished = true
  })
}

/** How the step reaches docker: the real CLI, or a fake in the unit tests. */
export type RunnerFactory = (docker: string | undefined, env: Record<string, string>, host?: string) => CommandRunner

export async function main(vars: NodeJS.ProcessEnv = process.env, runnerFor: RunnerFactory = cliRunner): Promise<void> {
  const raw = Object.fromEntries(INPUT_NAMES.map((name) => [name, workflow.input(name, vars)])) as RawInputs
  maskSecrets(raw)

  const { environment, warnings } = readEnvironment(vars)
  for (const warning of warnings) workflow.warning(warning)
  const parsed = parseInputs(raw, environment)
  for (const notice of parsed.notices) workflow.notice(notice.message)
  for (const warning of parsed.warnings) workflow.warning(warning.message)
  if (!parsed.ok) {
    for (const problem of parsed.problems) workflow.error(problem.message)
    return
  }
  const inputs = parsed.inputs
  if (inputs.dryRun) return dryRun(inputs, environment)

  removeOnSignals()
  const temp = fs.mkdtempSync(path.join(environment.runnerTemp, 'ship-image-'))
  track(temp)
  workflow.saveState(STATE_TEMP, temp)
  try {
    const config =
      inputs.credentials &&
      createDockerConfig(temp, inputs.registry, environment.dockerConfig, environment.buildxConfig)
    const docker = new Docker(
      runnerFor(environment.tools.docker, config?.env ?? {}, environment.dockerHost),
      environment.dockerHost
    )
    const { plan, secrets } = makePlan(
      inputs,
      factsOf(environment, path.join(temp, 'iid'), path.join(temp, 'metadata.json'))
    )
    if (plan.image.kind === 'build' && !plan.buildkit) {
      workflow.warning(
        'docker build here is the classic builder, which Docker has deprecated. Install the buildx plugin (docker/setup-buildx-action) to build with BuildKit; it is also what build secrets need.'
      )
    }
    const { outcome, timings, imageSize } = await runPhases(docker, plan, secrets)
    const metadata = metadataOf(outcome)
    writeOutputs(outputsOf(metadata))
    if (plan.summary) workflow.appendSummary(summaryMarkdown({ metadata, timings, imageSize }))
    workflow.info(closingLine(metadata))
  } catch (err) {
    fail(err)
  } finally {
    remove(temp)
  }
}

/**
 * Masks the password and each build secret before anything could print them.
 * A secret is the value after the first `=` of its line.
 */
function maskSecrets(raw: RawInputs): void {
  workflow.mask(raw.password)
  for (const line of raw.secrets.split('\n')) {
    const value = line.slice(line.indexOf('=') + 1)
    if (value.trim() !== '') workflow.mask(value)
  }
}

function factsOf(environment: Environment, iidFile: string, metadataFile: string) {
  return {
    buildx: environment.buildx,
    buildkitEnv: environment.buildkitEnv,
    workspace: environment.workspace,
    iidFile,
    metadataFile,
    pigz: environment.tools.pigz
  }
}

/** One ::error:: for the failure: on the Dockerfile's line when the build names one. */
function fail(err: unknown): void {
  if (err instanceof DockerError && err.annotation) {
    workflow.error(err.message, {
      title: 'docker build failed',
      file: err.annotation.file,
      startLine: err.annotation.line
    })
  } else {
    const message = err instanceof Error ? err.message : String(err)
    workflow.error(err instanceof DockerError ? message : `ship-image failed: ${message}`)
  }
}

/** Validates, prints the commands and sets the outputs known without running; runs no docker command. */
async function dryRun(inputs: Inputs, environment: Environment): Promise<void> {
  const { plan } = makePlan(inputs, factsOf(environment, '$RUNNER_TEMP/iid', '$RUNNER_TEMP/metadata.json'))
  const lines = commandLines(plan)
  const builder =
    plan.builder === 'buildx' ? 'with buildx' : plan.buildkit ? 'with BuildKit' : 'with the classic builder'
  await workflow.group(`Dry run: the docker commands this run would make (${builder}; nothing runs)`, async () => {
    for (const line of lines) workflow.info(line)
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
  if (plan.summary) {
    workflow.appendSummary(summaryMarkdown({ metadata, timings: {}, imageSize: undefined, dryRun: lines }))
  }
  workflow.info(`ship-image: dry run; would tag ${plan.targets.map((t) => t.ref).join(', ')}.`)
}

/** The name @github/local-action looks for (`npx local-action run . src/main.ts .env`). */
export const run = main
