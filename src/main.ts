// The main step, a thin shell: inputs → plan → docker → outputs.
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { remove, removeOnSignals, track } from './cleanup.js'
import { createDockerConfig } from './credentials.js'
import { Docker, DockerError, errorSummary, pushedDigest } from './docker.js'
import { gitEventOf } from './event.js'
import type { GitEvent } from './event.js'
import { INPUT_NAMES, parseInputs } from './inputs.js'
import type { FileSystem, Inputs, RawInputs } from './inputs.js'
import { makePlan } from './plan.js'
import type { Plan } from './plan.js'
import { outputsOf, writeOutputs } from './outputs.js'
import type { Outcome, Pushed } from './outputs.js'
import { saveImage } from './save.js'
import type { Tarball } from './save.js'

/** State key: this run's temp folder, removed by the post step if still there. */
export const STATE_TEMP = 'temp'

const nodeFs: FileSystem = {
  kind(p) {
    try {
      const stat = fs.statSync(p)
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other'
    } catch {
      return 'missing'
    }
  }
}

export async function main(): Promise<void> {
  const raw = Object.fromEntries(INPUT_NAMES.map((name) => [name, core.getInput(name)])) as RawInputs
  if (raw.password !== '') core.setSecret(raw.password)

  const environment = { workspace: process.env.GITHUB_WORKSPACE || process.cwd(), fs: nodeFs, event: readGitEvent(), now: new Date() }
  const parsed = parseInputs(raw, environment)
  for (const notice of parsed.notices) core.notice(notice.message)
  for (const warning of parsed.warnings) core.warning(warning.message)
  if (!parsed.ok) {
    for (const problem of parsed.problems) core.error(problem.message)
    process.exitCode = core.ExitCode.Failure
    return
  }

  removeOnSignals()
  const temp = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'ship-image-'))
  track(temp)
  core.saveState(STATE_TEMP, temp)
  try {
    writeOutputs(outputsOf(await run(parsed.inputs, temp)))
  } catch (err) {
    core.setFailed(err instanceof DockerError ? err.message : `ship-image failed: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    remove(temp)
  }
}

/** The event from GITHUB_* and the payload file; a missing or unreadable payload counts as none. */
function readGitEvent(): GitEvent {
  let payload: unknown
  const file = process.env.GITHUB_EVENT_PATH
  if (file) {
    try {
      payload = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (err) {
      core.warning(`Could not read the event payload ${file} (${err instanceof Error ? err.message : String(err)}); pull request tags fall back to GITHUB_SHA.`)
    }
  }
  return gitEventOf(process.env, payload)
}

async function run(inputs: Inputs, temp: string): Promise<Outcome> {
  const login = inputs.credentials && createDockerConfig(temp, inputs.registry)
  const docker = await Docker.locate(login?.env)
  const builder = inputs.source.kind === 'build' && (await docker.hasBuildx()) ? 'buildx' : 'docker'
  const plan = makePlan(inputs, { builder, iidFile: path.join(temp, 'iid') })

  if (plan.login) await logIn(docker, plan.login, inputs.credentials!.password)
  const imageId = await makeImage(docker, plan)
  const pushed = await pushAll(docker, plan.pushes)
  const tarball = plan.save && (await save(docker, plan.save, plan.targets.length))
  const labels = inputs.source.kind === 'build' ? Object.fromEntries(inputs.source.build.labels.map((l) => [l.key, l.value])) : {}
  return { imageId, version: inputs.version, labels, targets: plan.targets, pushed, tarball }
}

async function logIn(docker: Docker, login: NonNullable<Plan['login']>, password: string): Promise<void> {
  const { registry, username, args } = login
  await core.group(`Logging in to ${registry} as ${username}`, async () => {
    const result = await docker.tryRun(args, { input: password, silent: true })
    if (result.exitCode !== 0) {
      const reason = errorSummary(result.stderr).replace(/^Error response from daemon: /, '')
      throw new DockerError(`Login to ${registry} as ${username} failed: ${reason}. Check the username and password inputs (a token needs permission to push).`)
    }
    core.info(`Logged in to ${registry} as ${username}.`)
  })
}

/** Builds the image, or retags the existing one (pulling it when it is not local); returns the image ID. */
async function makeImage(docker: Docker, plan: Plan): Promise<string> {
  const image = plan.image
  if (image.kind === 'build') {
    return core.group(`Building ${plan.targets.map((t) => t.ref).join(', ')}`, async () => {
      await docker.run(image.args)
      return fs.readFileSync(image.iidFile, 'utf8').trim()
    })
  }
  return core.group(`Tagging ${image.source} as ${plan.targets.map((t) => t.ref).join(', ')}`, async () => {
    let inspected = await docker.tryRun(image.inspect, { silent: true })
    if (inspected.exitCode !== 0) {
      core.info(`${image.source} is not in the local engine; pulling it.`)
      await docker.run(image.pull)
      inspected = await docker.run(image.inspect, { silent: true })
    }
    for (const args of image.tag) await docker.run(args)
    return inspected.stdout.trim()
  })
}

/** Pushes each reference; the digest of each is the one docker reports from the registry. */
async function pushAll(docker: Docker, pushes: Plan['pushes']): Promise<Pushed[]> {
  if (pushes.length === 0) return []
  return core.group(`Pushing ${count(pushes.length, 'reference')}`, async () => {
    const pushed: Pushed[] = []
    for (const push of pushes) {
      const result = await docker.run(push.args)
      const digest = pushedDigest(result.stdout)
      if (digest === undefined) {
        throw new DockerError(`docker push ${push.target.ref} succeeded but printed no manifest digest, so the digest outputs cannot be set.`)
      }
      pushed.push({ target: push.target, digest })
    }
    return pushed
  })
}

async function save(docker: Docker, save: NonNullable<Plan['save']>, references: number): Promise<Tarball> {
  return core.group(`Saving ${count(references, 'reference')} to ${save.target.path}`, async () => {
    const tarball = await saveImage(docker, save.args, save.target)
    core.info(`Wrote ${tarball.path} (${tarball.size} bytes, ${tarball.digest}).`)
    return tarball
  })
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
