// Entry point for both `main` and `post` (action.yml points both at the bundle).
import * as core from '@actions/core'
import { main } from './main.js'
import { post } from './post.js'

const STATE_IS_POST = 'isPost'

if (core.getState(STATE_IS_POST) === 'true') {
  post()
} else {
  core.saveState(STATE_IS_POST, 'true')
  let finished = false
  // Node exits quietly with 0 when nothing is left to wait for; a run that did
  // not reach its end must not pass as a success.
  process.on('exit', (code) => {
    if (!finished && code === 0) {
      core.error('ship-image stopped before it finished (an internal error); its outputs are not set.')
      process.exitCode = core.ExitCode.Failure
    }
  })
  void main().finally(() => {
    finished = true
  })
}
