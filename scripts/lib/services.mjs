// What scripts/services.sh started: the Docker worlds, the registries and the test login,
// read from $SHIP_IMAGE_STATE/services.json (default /var/tmp/ship-image). Used by the
// end-to-end harness, the bench and the demo. The types are in services.d.mts.
import * as fs from 'node:fs'
import * as path from 'node:path'

/** services.json with the password read from its file; throws when services.sh has not run. */
export function readServices(state = process.env.SHIP_IMAGE_STATE || '/var/tmp/ship-image') {
  const file = path.join(state, 'services.json')
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: run scripts/services.sh first (npm test, npm run bench and npm run demo do)`)
  const json = JSON.parse(fs.readFileSync(file, 'utf8'))
  // A services.sh of an older checkout writes services.json without the worlds, registries
  // and tools of this one; this checkout's services.sh also keeps them in
  // services-worlds.json beside it.
  const extrasFile = path.join(state, 'services-worlds.json')
  const extras =
    json.registries === undefined && fs.existsSync(extrasFile) ? JSON.parse(fs.readFileSync(extrasFile, 'utf8')) : {}
  return { ...json, ...extras, password: fs.readFileSync(json.passwordFile, 'utf8').trim() }
}
