// Entry point for both `main` and `post` (action.yml points both at the bundle).
// Each step loads only its own modules: the post step loads neither the docker
// module nor the rest of the main step.
import * as core from '@actions/core'
import { STATE_IS_POST } from './runner/state.js'

if (core.getState(STATE_IS_POST) === 'true') {
  void import('./post.js').then(({ post }) => post())
} else {
  void import('./main.js').then(({ start }) => start())
}
