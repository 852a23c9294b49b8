/**
 * Reads a Bakeoff config file (JSON or YAML) from disk into a validated ConfigFile.
 * Every failure is a ConfigError that says which file and what is wrong.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, parseConfig, type ConfigFile } from './config';

/** Refuse absurd files early rather than parsing megabytes of YAML. */
const maxConfigBytes = 1024 * 1024;

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.byteLength > maxConfigBytes) throw new ConfigError(`Config file ${path} is larger than 1 MB`, []);
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `Config file not found: ${path}` : `Cannot read config file ${path} (${code ?? String(err)})`,
      [],
    );
  }
  return parseConfigText(text, path);
}

/** Parses config text; `.json` files as JSON, everything else as YAML (a superset of JSON). */
export function parseConfigText(text: string, name = 'config'): ConfigFile {
  const isJson = name.toLowerCase().endsWith('.json');
  let raw: unknown;
  try {
    raw = isJson ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    const where =
      err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
    throw new ConfigError(`Config file ${name} is not valid ${isJson ? 'JSON' : 'YAML'}${where}`, [
      (err as Error).message.split('\n')[0],
    ]);
  }
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`Config file ${name} must contain an object with a "backends" list`, []);
  }
  try {
    return parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`Invalid config file ${name}`, err.issues);
    throw err;
  }
}
