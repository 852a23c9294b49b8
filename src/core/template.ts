/**
 * Prompt templates for the editor commands. A template is plain text with `${name}`
 * placeholders; expansion is a single pass, so text substituted for one placeholder (a selection
 * that itself contains `${input}`) is never expanded again.
 */

/** Placeholders a template may use. */
export const templateVariableNames = ['selection', 'file', 'language', 'input'] as const;
export type TemplateVariableName = (typeof templateVariableNames)[number];

/** Values for one expansion; a missing value expands to the empty string. */
export type TemplateVariables = Partial<Record<TemplateVariableName, string>>;

/** Names of the built-in templates the commands look up in `bakeoff.promptTemplates`. */
export const templateNames = {
  compareSelection: 'compareSelection',
  comparePrompt: 'comparePrompt',
  comparePromptNoSelection: 'comparePromptNoSelection',
} as const;
export type TemplateName = (typeof templateNames)[keyof typeof templateNames];

/** The defaults, also declared as the setting's default in the manifest. */
export const defaultPromptTemplates: Readonly<Record<TemplateName, string>> = {
  compareSelection:
    'You are reviewing ${language} code from ${file}.\n\n```${language}\n${selection}\n```\n\n' +
    'Improve this code. Reply with the full improved code in one fenced block, then a short explanation.',
  comparePrompt: '${input}\n\nContext (${file}):\n```${language}\n${selection}\n```',
  comparePromptNoSelection: '${input}',
};

// `$${name}` is an escape for a literal `${name}`.
const placeholder = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function isVariableName(name: string): name is TemplateVariableName {
  return (templateVariableNames as readonly string[]).includes(name);
}

/**
 * Expands `${selection}`, `${file}`, `${language}` and `${input}` in one pass. `$${name}` yields a
 * literal `${name}`; unknown placeholders are left as written.
 */
export function expandTemplate(template: string, variables: TemplateVariables): string {
  return template.replace(placeholder, (whole: string, escape: string, name: string) => {
    if (escape) return whole.slice(1);
    if (!isVariableName(name)) return whole;
    return variables[name] ?? '';
  });
}

/** Placeholders in `template` that are not known variables (for a settings warning). */
export function unknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(placeholder)) {
    if (!match[1] && !isVariableName(match[2]!)) unknown.add(match[2]!);
  }
  return [...unknown];
}

/**
 * Picks the template for a command: the user's entry when it is a non-empty string, else the
 * default. `comparePromptNoSelection` is used by Compare Prompt… when nothing is selected.
 */
export function pickTemplate(userTemplates: Readonly<Record<string, unknown>> | undefined, name: TemplateName): string {
  const value = userTemplates?.[name];
  return typeof value === 'string' && value.length > 0 ? value : defaultPromptTemplates[name];
}
