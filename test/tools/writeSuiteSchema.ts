/**
 * Writes schemas/bakeoff-suite.schema.json from the suite schema (`npm run schema`). A unit test
 * fails when the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suiteJsonSchema } from '../../src/core/suite/schema';

const path = join(__dirname, '..', '..', 'schemas', 'bakeoff-suite.schema.json');
writeFileSync(path, `${JSON.stringify(suiteJsonSchema(), null, 2)}\n`);
console.log(`Wrote ${path}`);
