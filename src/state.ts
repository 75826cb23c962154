// The names under which the main step leaves state for the post step. The runner
// gives each back to the post step as the environment variable STATE_<name>.

/** Set by the main step, so the same bundle knows it runs as the post step. */
export const STATE_IS_POST = 'isPost'
/** This run's temp folder (with its DOCKER_CONFIG), removed by the post step if still there. */
export const STATE_TEMP = 'temp'

/** A state value in the post step, read without loading the toolkit. */
export function stateOf(name: string): string {
  return process.env[`STATE_${name}`] ?? ''
}
