/**
 * Writes the generated settings schema (src/core/configSchema.ts) into package.json.
 *
 *   npm run gen:schema
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedSettings } from '../src/core/configSchema';

const file = join(__dirname, '..', 'package.json');
const pkg = JSON.parse(readFileSync(file, 'utf8'));
const properties = pkg.contributes.configuration.properties;
const generated = generatedSettings(properties);
// Keep the key order of package.json; generated entries replace the written ones in place.
for (const key of Object.keys(properties)) if (generated[key]) properties[key] = generated[key];
writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${Object.keys(generated).length} settings written from the config schema`);
