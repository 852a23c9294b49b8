/**
 * Reads a Bakeoff config file (JSON or YAML) from disk into a validated ConfigFile.
 * Every failure is a ConfigError that says which file and what is wrong.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, parseConfig, type ConfigFile } from './config';
import { maxConfigBytes } from './limits';
import { decodeText, InputError, readBounded } from './textInput';

/**
 * Reads and validates a config file: at most 1 MB (checked while reading, so `/dev/zero` fails
 * fast), UTF-8 with or without a BOM or UTF-16 with a BOM. A per-backend `tls.ca` path is taken
 * relative to the file's folder. `signal` interrupts the read (a FIFO with no writer).
 */
export async function loadConfigFile(path: string, signal?: AbortSignal): Promise<ConfigFile> {
  let text: string;
  try {
    text = decodeText(await readBounded(path, 'config file', maxConfigBytes, signal), `Config file ${path}`);
  } catch (err) {
    if (err instanceof InputError) throw new ConfigError(err.message, []);
    throw err;
  }
  const config = parseConfigText(text, path);
  for (const backend of config.backends) {
    if (backend.tls?.ca && !isAbsolute(backend.tls.ca)) backend.tls.ca = resolve(dirname(path), backend.tls.ca);
  }
  return config;
}

/** Parses config text; `.json` files as JSON, everything else as YAML (a superset of JSON). A leading BOM is ignored. */
export function parseConfigText(text: string, name = 'config'): ConfigFile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const isJson = name.toLowerCase().endsWith('.json');
  let raw: unknown;
  try {
    raw = isJson ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    const where =
      err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : '';
    throw new ConfigError(`Config file ${name} is not valid ${isJson ? 'JSON' : 'YAML'}${where}`, [
      (err as Error).message.split('\n')[0]!,
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
