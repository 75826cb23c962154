// The action's inputs as action.yml names them (a unit test reads action.yml and
// compares), and their raw values as the runner passes them.

export const INPUT_NAMES = [
  'registry',
  'username',
  'password',
  'registry-auth',
  'keep-login',
  'images',
  'tags',
  'latest',
  'sha-tag',
  'tag-prefix',
  'tag-suffix',
  'context',
  'file',
  'build-args',
  'labels',
  'target',
  'platform',
  'platforms',
  'provenance',
  'builder',
  'buildx-version',
  'buildx-download-url',
  'network',
  'pull',
  'no-cache',
  'source-image',
  'merge',
  'push',
  'load',
  'save',
  'save-compression-level',
  'cache',
  'cache-from',
  'cache-to',
  'retries',
  'secrets',
  'cleanup',
  'summary',
  'dry-run'
] as const
export type InputName = (typeof INPUT_NAMES)[number]
/** Each input's value as the runner passes it (already trimmed; '' when not set). */
export type RawInputs = Record<InputName, string>
