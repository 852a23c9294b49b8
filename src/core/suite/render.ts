/**
 * Renders prompts and assertion values with a test's vars the way promptfoo does — Nunjucks,
 * `{{var}}`, no HTML escaping — with one difference: a variable that is not defined is an error
 * (found when the suite loads, before anything is sent), not an empty string. Templates get no
 * environment variables and cannot include files.
 */
import nunjucks from 'nunjucks';
import { parse as parseYaml } from 'yaml';
import type { ChatMessage } from '../config';

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });

/**
 * Templates by source, each compiled once (a suite renders the same prompt for every test);
 * bounded, since values rendered deep inside vars can each be a different string.
 */
const compiled = new Map<string, nunjucks.Template>();
const maxCompiled = 512;

function templateOf(source: string): nunjucks.Template {
  let template = compiled.get(source);
  if (!template) {
    if (compiled.size >= maxCompiled) compiled.clear();
    // What env.renderString does, keeping the compiled template.
    template = new nunjucks.Template(source, env);
    compiled.set(source, template);
  }
  return template;
}

/** A template that cannot be rendered; `variable` names the undefined variable when that was the cause. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly variable: string | null,
  ) {
    super(message);
  }
}

/** The variable expression at the line/column nunjucks reported (`{{ name.field }}` → `name.field`). */
function variableAt(template: string, line: number, column: number): string | null {
  const lines = template.split('\n');
  const text = lines[line - 1];
  if (text === undefined) return null;
  const m = /^\{\{-?\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)/.exec(text.slice(Math.max(0, column - 1)));
  return m ? m[1]! : null;
}

/** Renders one template; throws a {@link TemplateError} naming an undefined variable. */
export function renderTemplate(template: string, vars: Record<string, unknown>): string {
  if (!template.includes('{')) return template;
  try {
    return templateOf(template).render(vars);
  } catch (err) {
    const message = String((err as Error)?.message ?? err);
    const pos = /\[Line (\d+), Column (\d+)\]/.exec(message);
    if (/undefined value|null or undefined/.test(message)) {
      const variable = pos ? variableAt(template, Number(pos[1]), Number(pos[2])) : null;
      const root = variable?.split('.')[0];
      const what =
        variable && root && !(root in vars)
          ? `unknown variable "${root}" (the test defines: ${Object.keys(vars).join(', ') || 'no vars'})`
          : variable
            ? `"${variable}" is undefined`
            : 'a variable is undefined';
      throw new TemplateError(`${what}${pos ? ` at line ${pos[1]}, column ${pos[2]} of the template` : ''}`, root ?? null);
    }
    throw new TemplateError(`template error: ${message.replace(/^\(unknown path\)\s*/, '').replace(/\s+/g, ' ').trim()}`, null);
  }
}

/** Renders every string inside a JSON-like value (promptfoo's `renderVarsInObject`). */
export function renderDeep<T>(value: T, vars: Record<string, unknown>): T {
  if (typeof value === 'string') return renderTemplate(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, vars)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, vars);
    return out as T;
  }
  return value;
}

/**
 * promptfoo's preparation of vars: a trailing newline is removed from string values, and a value
 * that is exactly a reference to another var (`{{other}}` inside it) is filled in, up to five
 * passes.
 */
export function prepareVars(vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = typeof v === 'string' ? v.replace(/\n$/, '') : v;
  const ref = /\{\{\s*(\w+)\s*\}\}/;
  for (let pass = 0; pass < 5; pass++) {
    let changed = false;
    for (const key of Object.keys(out)) {
      const value = out[key];
      if (typeof value !== 'string') continue;
      const m = ref.exec(value);
      if (m && m[1] !== key && typeof out[m[1]!] === 'string') {
        out[key] = value.replace(m[0], out[m[1]!] as string);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

const roles = new Set(['system', 'user', 'assistant']);

/** Why rendered prompt text is not a list of chat messages, or the messages. */
function chatMessagesOf(parsed: unknown): ChatMessage[] | string {
  if (!Array.isArray(parsed)) return 'not a list of messages';
  if (parsed.length === 0) return 'an empty list of messages';
  const out: ChatMessage[] = [];
  for (const [i, m] of parsed.entries()) {
    const msg = m as { role?: unknown; content?: unknown };
    if (!msg || typeof msg !== 'object' || typeof msg.role !== 'string' || !roles.has(msg.role)) {
      return `message ${i + 1} needs a role of system, user or assistant`;
    }
    let content = msg.content;
    if (Array.isArray(content)) {
      const parts = content as Array<{ type?: unknown; text?: unknown }>;
      if (!parts.every((p) => p && p.type === 'text' && typeof p.text === 'string')) return `message ${i + 1} has non-text content (images and audio are not supported)`;
      content = parts.map((p) => p.text as string).join('');
    }
    if (typeof content !== 'string') return `message ${i + 1} needs text content`;
    out.push({ role: msg.role as ChatMessage['role'], content });
  }
  return out;
}

/**
 * promptfoo's `looksLikeJson`: rendered text that fails to parse as JSON is an error only when it
 * looks like an attempt at JSON — `{…}`, or `[…]` whose first character inside is one a JSON
 * value starts with (or nothing). `[INST] … [/INST]` and `{name} said…` are text.
 */
export function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) return true;
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    const inside = trimmed.slice(1).trimStart();
    return inside.length === 0 || /^["{[\d-]/.test(inside) || /^(true|false|null)/.test(inside);
  }
  return false;
}

/**
 * The messages a prompt template gives for these vars, as promptfoo's OpenAI provider builds
 * them (`parseChatPrompt`): a template that is JSON has the strings inside it rendered; rendered
 * text that starts with `- role:` is a YAML list of chat messages; rendered text that is a JSON
 * list of `{role, content}` is a chat, anything else is one user message. Rendered text that
 * looks like JSON (see {@link looksLikeJson}) but is not valid JSON is an error, as in promptfoo.
 */
export function renderPromptMessages(template: string, vars: Record<string, unknown>): ChatMessage[] {
  let parsedTemplate: unknown;
  let isJsonTemplate = false;
  const trimmedTemplate = template.trim();
  if (trimmedTemplate.startsWith('[') || trimmedTemplate.startsWith('{')) {
    try {
      parsedTemplate = JSON.parse(trimmedTemplate);
      isJsonTemplate = true;
    } catch {
      isJsonTemplate = false;
    }
  }
  if (isJsonTemplate) {
    const messages = chatMessagesOf(renderDeep(parsedTemplate, vars));
    if (typeof messages === 'string') throw new TemplateError(`the prompt is JSON but ${messages}`, null);
    return messages;
  }
  const rendered = renderTemplate(template, vars);
  const trimmed = rendered.trim();
  if (trimmed.startsWith('- role:')) {
    let parsed: unknown;
    try {
      parsed = parseYaml(rendered);
    } catch (err) {
      throw new TemplateError(`the rendered prompt starts like a YAML chat ("- role:") but is not valid YAML: ${String((err as Error).message ?? err).split('\n')[0]}`, null);
    }
    const messages = chatMessagesOf(parsed);
    if (typeof messages === 'string') throw new TemplateError(`the rendered prompt is a YAML chat but ${messages}`, null);
    return messages;
  }
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      if (!looksLikeJson(trimmed)) return [{ role: 'user', content: rendered }];
      throw new TemplateError('the rendered prompt looks like JSON but is not valid JSON (a chat prompt must be a JSON list of messages)', null);
    }
    const messages = chatMessagesOf(parsed);
    if (typeof messages === 'string') throw new TemplateError(`the rendered prompt is JSON but ${messages}`, null);
    return messages;
  }
  return [{ role: 'user', content: rendered }];
}
