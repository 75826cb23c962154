// The one step runner: runs the bundle the way the hosted runner does. The main step
// is `node dist/index.js` with each input as INPUT_<NAME>, the GITHUB_OUTPUT,
// GITHUB_STATE and GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE, RUNNER_TEMP and HOME;
// the post step is the same bundle with what the main step saved as STATE_<name>.
// Used by the end-to-end harness (__tests__/e2e/harness.ts), the bench
// (scripts/bench/) and the demo (scripts/demo.mjs). Plain Node ESM, nothing runs at
// import; the types are in step-runner.d.mts beside it.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { readActionFile } from './action-yml.mjs'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/** What action.yml runs as the main and the post step (a unit test checks that it says so). */
export const BUNDLE = path.join(ROOT, 'dist/index.js')

/** Variables of a runner or of a test run that a step must not inherit from this process. */
const NOT_INHERITED = /^(INPUT_|STATE_|GITHUB_|RUNNER_|DOCKER_CONFIG$|BUILDX_CONFIG$|NODE_OPTIONS$|JEST_)/

/** `parent` without the variables of a runner, a docker client configuration, Node options or Jest. */
export function cleanEnv(parent = process.env) {
  const env = {}
  for (const [key, value] of Object.entries(parent)) if (!NOT_INHERITED.test(key)) env[key] = value
  return env
}

/** The variable the runner passes an input in: upper case, spaces to `_`, hyphens kept. */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** INPUT_<NAME> for each input. */
export function inputEnv(inputs) {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [inputVariable(name), value]))
}

let defaults
/** action.yml's input defaults, which the runner passes for every input a workflow does not set. */
export function actionDefaults() {
  defaults ??= Object.fromEntries(
    readActionFile()
      .inputs.filter((input) => input.default !== undefined)
      .map((input) => [input.name, input.default])
  )
  return defaults
}

/** STATE_<name> for each value the main step saved. */
export function stateEnv(state) {
  return Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]))
}

/**
 * Where a run's files go, below `root`: the workspace (unless given), the runner's temp
 * folder, HOME (unless given) and the three command files.
 */
export function layoutOf(root, { workspace, home } = {}) {
  return {
    root,
    workspace: workspace ?? path.join(root, 'workspace'),
    runnerTemp: path.join(root, 'runner-temp'),
    home: home ?? path.join(root, 'home'),
    outputFile: path.join(root, 'github-output'),
    stateFile: path.join(root, 'github-state'),
    summaryFile: path.join(root, 'github-summary')
  }
}

/** layoutOf, with its folders made and its command files empty. */
export function makeLayout(root, options = {}) {
  const layout = layoutOf(root, options)
  for (const dir of [layout.workspace, layout.runnerTemp, layout.home]) fs.mkdirSync(dir, { recursive: true })
  for (const file of [layout.outputFile, layout.stateFile, layout.summaryFile]) fs.writeFileSync(file, '')
  return layout
}

/**
 * A step's environment: cleanEnv() with the layout's HOME, GITHUB_WORKSPACE,
 * RUNNER_TEMP, command files and GITHUB_ACTIONS=true, then `extra` (undefined removes).
 */
export function stepEnv(layout, extra = {}) {
  const env = {
    ...cleanEnv(),
    HOME: layout.home,
    GITHUB_WORKSPACE: layout.workspace,
    RUNNER_TEMP: layout.runnerTemp,
    GITHUB_OUTPUT: layout.outputFile,
    GITHUB_STATE: layout.stateFile,
    GITHUB_STEP_SUMMARY: layout.summaryFile,
    GITHUB_ACTIONS: 'true'
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

/**
 * The records of a command file as the runner reads them: `name<<delimiter`, the
 * value's lines, `delimiter` (what the runner's command files hold), or `name=value` on one line.
 * A later record of the same name wins; an unterminated value runs to the end.
 */
export function parseCommandFile(text) {
  const result = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = line.indexOf('<<')
    const equals = line.indexOf('=')
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      result[line.slice(0, equals)] = line.slice(equals + 1)
    } else if (heredoc > 0 && heredoc + 2 < line.length) {
      const delimiter = line.slice(heredoc + 2)
      const value = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      result[line.slice(0, heredoc)] = value.join('\n')
    }
  }
  return result
}

/** parseCommandFile of a file. */
export function readCommandFile(file) {
  return parseCommandFile(fs.readFileSync(file, 'utf8'))
}

/**
 * Runs a command to completion. Resolves with its exit code (128 + the signal's number
 * when a signal ended it), output, wall time in ms and spawn time in ms since the epoch.
 * `trigger` fires once stdout matches; `onStdout(text, ms, chunk)` sees stdout as it
 * comes (all of it so far, ms since spawn); `onSpawn(child)` may return a function
 * called when the process has closed; `echo` copies its output to this process's.
 */
export function runProcess(command, args, { env = cleanEnv(), cwd, trigger, onStdout, onSpawn, echo = false } = {}) {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.timeOrigin + performance.now()
    const start = performance.now()
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    const closed = onSpawn?.(child)
    let stdout = ''
    let stderr = ''
    let fired = false
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (echo) process.stdout.write(chunk)
      onStdout?.(stdout, performance.now() - start, chunk)
      if (trigger && !fired && trigger.when.test(stdout)) {
        fired = true
        if (trigger.signal) child.kill(trigger.signal)
        trigger.action?.()
      }
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      if (echo) process.stderr.write(chunk)
    })
    child.on('error', (error) => {
      if (typeof closed === 'function') closed()
      reject(error)
    })
    child.on('close', (exit, signal) => {
      const ms = performance.now() - start
      if (typeof closed === 'function') closed()
      const code = exit ?? (signal ? 128 + os.constants.signals[signal] : -1)
      resolve({ code, signal, stdout, stderr, log: stdout + stderr, ms, spawnedAt })
    })
  })
}

/**
 * The main step: the bundle with each input as INPUT_<NAME>, in the layout's workspace.
 * Resolves with runProcess's result and the outputs and state the step wrote.
 */
export async function runMain(layout, inputs, { env = {}, bundle = BUNDLE, ...options } = {}) {
  const result = await runProcess(process.execPath, [bundle], {
    ...options,
    env: { ...stepEnv(layout, env), ...inputEnv({ ...actionDefaults(), ...inputs }) },
    cwd: layout.workspace
  })
  return { ...result, outputs: readCommandFile(layout.outputFile), state: readCommandFile(layout.stateFile) }
}

/** The post step: the bundle with the main step's state as STATE_<name>. */
export function runPost(layout, state, { env = {}, bundle = BUNDLE, ...options } = {}) {
  return runProcess(process.execPath, [bundle], {
    ...options,
    env: { ...stepEnv(layout, env), ...stateEnv(state) },
    cwd: layout.workspace
  })
}

/**
 * Both steps, as action.yml has them (`post-if: always()`): the main step, then, unless
 * `post` is false, the post step whatever the main step's exit code. `env` and `echo`
 * apply to both; trigger, onStdout and onSpawn to the main step.
 */
export async function runSteps(layout, inputs, { env = {}, post = true, echo = false, bundle = BUNDLE, ...main } = {}) {
  const mainResult = await runMain(layout, inputs, { ...main, env, echo, bundle })
  const postResult = post ? await runPost(layout, mainResult.state, { env, echo, bundle }) : undefined
  return { main: mainResult, post: postResult }
}
