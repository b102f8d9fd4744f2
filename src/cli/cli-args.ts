/**
 * What a command-line tool's verb takes: how many plain arguments (a name) and which `--options`, each a flag
 * or one taking a value.
 */
export interface CliVerb {
  positionals: number;
  options?: Record<string, 'flag' | 'value'>;
}

/**
 * Why `args` (the words after the verb) are not what `verb` takes, or undefined when they are. Why strict: a
 * word the tool would skip silently misleads, `list --all` as if it listed more than it does, or a mistyped
 * `--rol viewer` that would create an administrator under the default role. The name (the verb's plain
 * argument) comes first, as the usage lines show it and as the tools read it.
 */
export function argsProblem(args: string[], verb: CliVerb): string | undefined {
  let plain = 0;
  let optionSeen = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('-')) {
      optionSeen = true;
      const kind = verb.options?.[a];
      if (!kind) return `unknown option ${a}`;
      if (kind === 'value' && (args[i + 1] === undefined || args[i + 1].startsWith('-'))) return `${a} needs a value`;
      if (kind === 'value') i++;
    } else if (++plain > verb.positionals) return `unexpected argument "${a}"`;
    else if (optionSeen) return `the name ("${a}") comes before the options`;
  }
  return plain < verb.positionals ? 'a name is missing' : undefined;
}
