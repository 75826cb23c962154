// Entry point for both `main` and `post` (action.yml points both at the bundle).
// Each step loads only its own modules: the post step does not load the toolkit.
import { STATE_IS_POST, stateOf } from './runner/state.js'

if (stateOf(STATE_IS_POST) === 'true') {
  void import('./post.js').then(({ post }) => post())
} else {
  void import('./main.js').then(({ start }) => start())
}
