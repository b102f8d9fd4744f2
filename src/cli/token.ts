import 'reflect-metadata';
import { ApiClient } from '../apiClient/api-client.entity';
import { ApiClientService } from '../apiClient/api-client.service';
import { argsProblem, type CliVerb } from './cli-args';
import { runCli, withCliDatabase } from './cli-database';

const USAGE = 'usage: npm run token -- create <name> | list | revoke <name>';
/** Each verb's arguments: `list` shows every client, revoked ones included, so it takes no option. */
const VERBS: Record<string, CliVerb> = { create: { positionals: 1 }, list: { positionals: 0 }, revoke: { positionals: 1 } };

/** `npm run token -- create|list|revoke`: manages API clients in the configured database. */
export async function runTokenCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [command, name] = args;
  const verb = Object.hasOwn(VERBS, command ?? '') ? VERBS[command] : undefined;
  const problem = verb ? argsProblem(args.slice(1), verb) : undefined;
  if (!verb || problem) {
    if (problem) out(`${command}: ${problem}`);
    out(USAGE);
    return 2;
  }
  return withCliDatabase(async (ds) => {
    const clients = new ApiClientService(ds.getRepository(ApiClient));
    if (command === 'create') {
      const created = await clients.create(name);
      if (!created) {
        out(`a client named "${name}" already exists and is enabled (revoke it first to issue it a new token)`);
        return 1;
      }
      out(created.renewed ? `client "${name}" was revoked: it is enabled again with a new token (its old one stays refused), shown once, keep it safe:` : `created client "${name}"; its token (shown once, keep it safe):`);
      out(created.token);
    } else if (command === 'list') {
      const rows = await clients.list();
      out(['name', 'enabled', 'created', 'last used'].join('\t'));
      for (const c of rows) out([c.name, c.enabled ? 'yes' : 'no', c.createdAt.toISOString(), c.lastUsedAt?.toISOString() ?? '-'].join('\t'));
    } else {
      if (!(await clients.revoke(name))) {
        out(`no client named "${name}"`);
        return 1;
      }
      out(`revoked client "${name}"`);
    }
    return 0;
  });
}

if (require.main === module) {
  runCli((out) => runTokenCommand(process.argv.slice(2), out), 'With the embedded database, stop the gateway first, seed a token with API_TOKEN, or create the API client in the console (Settings, as an administrator) while the gateway runs.');
}
