import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { CvError } from '../common/cv-error';
import { appendAudit } from '../console/audit.service';
import { CONSOLE_ROLES } from '../console/console-roles';
import { parseConsoleConfig } from '../console/console.config';
import { OperatorService } from '../console/operator.service';
import { argsProblem, type CliVerb } from './cli-args';
import { runCli, withCliDatabase } from './cli-database';

const USAGE = [
  'usage: npm run operator -- create <name> [--role admin|operator|viewer (default admin)] [--password-stdin]',
  '       npm run operator -- password <name> [--password-stdin]',
  '       npm run operator -- list | enable <name> | disable <name> | totp-off <name>',
  'Without --password-stdin a random password is generated and printed once.',
].join('\n');

async function readStdinLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

const NAMED: CliVerb = { positionals: 1 };
const VERBS: Record<string, CliVerb> = {
  create: { positionals: 1, options: { '--role': 'value', '--password-stdin': 'flag' } },
  password: { positionals: 1, options: { '--password-stdin': 'flag' } },
  list: { positionals: 0 },
  enable: NAMED,
  disable: NAMED,
  'totp-off': NAMED,
};

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `npm run operator -- ...`: console operator accounts in the configured database (the first administrator, or a locked-out one). */
export async function runOperatorCommand(args: string[], out: (line: string) => void, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const [command, name] = args;
  const verb = Object.hasOwn(VERBS, command ?? '') ? VERBS[command] : undefined;
  const problem = verb ? argsProblem(args.slice(1), verb) : undefined;
  if (!verb || problem) {
    if (problem) out(`${command}: ${problem}`);
    out(USAGE);
    return 2;
  }
  const role = option(args, '--role') ?? 'admin';
  if (!CONSOLE_ROLES.includes(role as never)) {
    out(`--role must be one of ${CONSOLE_ROLES.join(', ')}`);
    return 2;
  }
  const fromStdin = args.includes('--password-stdin');
  const password = command === 'create' || command === 'password' ? (fromStdin ? await readStdinLine(stdin) : randomBytes(12).toString('base64url')) : undefined;
  return withCliDatabase(async (ds) => {
    try {
      const operators = new OperatorService(ds, { console: parseConsoleConfig(process.env) });
      if (command === 'list') {
        out(['name', 'role', 'enabled', 'totp', 'created'].join('\t'));
        for (const o of await operators.list()) out([o.name, o.role, o.disabled ? 'no' : 'yes', o.totpEnabled ? 'yes' : 'no', o.createdAt.toISOString()].join('\t'));
        return 0;
      }
      if (command === 'create') {
        await operators.create(name, role, password);
        out(`created operator "${name}" (${role})`);
      } else {
        const row = await operators.findByName(name);
        if (!row) {
          out(`no operator named "${name}"`);
          return 1;
        }
        if (command === 'password') {
          await operators.setPassword(row.id, password);
          await ds.query(`DELETE FROM console_session WHERE operator_id = $1`, [row.id]);
          out(`new password set for "${name}"; their sessions ended`);
        } else if (command === 'totp-off') {
          await operators.setTotpSecret(row.id, null);
          out(`second factor removed for "${name}"`);
        } else {
          await operators.update(row.id, { disabled: command === 'disable' });
          out(`${command}d operator "${name}"`);
        }
      }
      if (password !== undefined && !fromStdin) {
        out('password (shown once; sign in at /console and change it under Settings):');
        out(password);
      }
      await appendAudit(ds, undefined, undefined, `operator.cli.${command}`, name, 'ok', { role: command === 'create' ? role : undefined, by: 'command line' });
      return 0;
    } catch (err) {
      if (err instanceof CvError) {
        out(err.message);
        return 1;
      }
      throw err;
    }
  });
}

if (require.main === module) {
  runCli(
    (out) => runOperatorCommand(process.argv.slice(2), out),
    'With the embedded database, stop the gateway first, or start it with CONSOLE_ADMIN_PASSWORD (it creates the administrator "admin"), or have an administrator add the operator in the console (Settings, operators and roles) while the gateway runs.',
  );
}
