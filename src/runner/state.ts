// The names under which the main step leaves state for the post step
// (core.saveState; the runner gives each back to the post step, core.getState).

/** Set by the main step, so the same bundle knows it runs as the post step. */
export const STATE_IS_POST = 'isPost'
/**
 * This run's temp folder (with its DOCKER_CONFIG), removed by the post step if
 * still there. It also marks the run's child processes (RUN_MARKER), so the post
 * step can stop any that outlived a killed main step.
 */
export const STATE_TEMP = 'temp'
/** Every other path the run must not leave behind (a half-written tarball, a lock), as a JSON list. */
export const STATE_PATHS = 'paths'

/** The environment variable each child process of a run carries, with the run's temp folder as its value. */
export const RUN_MARKER = 'SHIP_IMAGE_RUN'
