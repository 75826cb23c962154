// Types of scripts/lib/step-runner.mjs, for the TypeScript tests that import it.
import type { ChildProcess } from 'node:child_process'

export declare const ROOT: string
/** What action.yml runs as the main and the post step: dist/index.js. */
export declare const BUNDLE: string

/** Where a run's files are. */
export interface Layout {
  /** Root of everything this run touches: workspace, runner temp, home, command files. */
  root: string
  workspace: string
  runnerTemp: string
  home: string
  outputFile: string
  stateFile: string
  summaryFile: string
}

/** A variable to set, or (undefined) to remove. */
export type ExtraEnv = Record<string, string | undefined>

/**
 * Something to do once the step's standard output matches `when`: stop it with
 * `signal` (a cancelled or killed job), or run `action` (stop a registry mid-run).
 */
export interface Trigger {
  when: RegExp
  signal?: NodeJS.Signals
  action?: () => void
}

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  trigger?: Trigger
  /** stdout as it comes: all of it so far, ms since spawn, and the new chunk. */
  onStdout?: (text: string, ms: number, chunk: string) => void
  /** Called right after spawn; a function it returns is called once the process has closed. */
  onSpawn?: (child: ChildProcess) => (() => void) | void
  /** Copy the output to this process's stdout and stderr as it comes. */
  echo?: boolean
}

export interface ProcessResult {
  /** The exit code, or 128 + the signal's number when a signal ended it. */
  code: number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout + stderr, for searching. */
  log: string
  /** Wall time from spawn to close. */
  ms: number
  /** When it was spawned, in ms since the epoch. */
  spawnedAt: number
}

export interface StepResult extends ProcessResult {
  outputs: Record<string, string>
  state: Record<string, string>
}

export interface StepOptions extends Omit<ProcessOptions, 'env' | 'cwd'> {
  /** Set on top of the step's environment (stepEnv). */
  env?: ExtraEnv
  /** Another bundle than dist/index.js. */
  bundle?: string
}

/** `parent` (this process's environment by default) without runner, docker-config, Node-option and Jest variables. */
export declare function cleanEnv(parent?: NodeJS.ProcessEnv): NodeJS.ProcessEnv
/** INPUT_<NAME>: upper case, spaces to `_`, hyphens kept. */
export declare function inputVariable(name: string): string
export declare function inputEnv(inputs: Record<string, string>): Record<string, string>
/** action.yml's input defaults, which the runner passes for every input a workflow does not set. */
export declare function actionDefaults(): Record<string, string>
export declare function stateEnv(state: Record<string, string>): Record<string, string>
/** The layout below `root`; workspace and home may be elsewhere. */
export declare function layoutOf(root: string, options?: { workspace?: string; home?: string }): Layout
/** layoutOf, with its folders made and its command files empty. */
export declare function makeLayout(root: string, options?: { workspace?: string; home?: string }): Layout
/** cleanEnv() with the layout's HOME, GITHUB_*, RUNNER_TEMP and GITHUB_ACTIONS=true, then `extra`. */
export declare function stepEnv(layout: Layout, extra?: ExtraEnv): NodeJS.ProcessEnv
/** `name<<delimiter` … `delimiter` records (and `name=value` lines), as the runner reads them. */
export declare function parseCommandFile(text: string): Record<string, string>
export declare function readCommandFile(file: string): Record<string, string>
export declare function runProcess(command: string, args: string[], options?: ProcessOptions): Promise<ProcessResult>
/** The main step: the bundle with INPUT_<NAME> for each input. */
export declare function runMain(
  layout: Layout,
  inputs: Record<string, string>,
  options?: StepOptions
): Promise<StepResult>
/** The post step: the bundle with STATE_<name> for the main step's state. */
export declare function runPost(
  layout: Layout,
  state: Record<string, string>,
  options?: StepOptions
): Promise<ProcessResult>
/** The main step, then (unless post: false) the post step whatever the main step's exit code. */
export declare function runSteps(
  layout: Layout,
  inputs: Record<string, string>,
  options?: StepOptions & { post?: boolean }
): Promise<{ main: StepResult; post: ProcessResult | undefined }>
