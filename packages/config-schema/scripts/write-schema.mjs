// Build step: writes the JSON Schema that TypeBox builds (dist/schema.js) to config.schema.json, the file
// that the package ships for editors and for programs that want the schema without TypeBox. `$schema`, `$id` and
// `title` come first so that a reader sees at once what the file is.
import { mkdirSync, writeFileSync } from 'node:fs'
import { configJsonSchema } from '../dist/schema.js'

const { $schema, $id, title, ...rest } = JSON.parse(JSON.stringify(configJsonSchema))
const target = new URL('../config.schema.json', import.meta.url)
mkdirSync(new URL('.', target), { recursive: true })
writeFileSync(target, `${JSON.stringify({ $schema, $id, title, ...rest }, null, 2)}\n`)
