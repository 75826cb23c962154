// What the measured bundle supports, read from this checkout's action.yml: a case for
// a feature the bundle lacks reports "not available in this bundle" instead of
// failing. Unit-tested (__tests__/unit/scripts/bench.test.ts; types in bundle.d.mts).
import { readActionFile } from '../lib/action-yml.mjs'

/** Whether action.yml (or the given inputs) has an input of this name. */
export function hasInput(name, inputs = readActionFile().inputs) {
  return inputs.some((input) => input.name === name)
}
