import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ApiClient } from '../apiClient/api-client.entity';
import { ApiClientService } from '../apiClient/api-client.service';
import { ConfigError, loadConfig } from '../config/config';
import { dataSourceOptions } from '../database/data-source-options';
import { migrateDatabase, openDatabase } from '../database/database';
import { DataDirectoryInUseError } from '../database/embedded-database';

const USAGE = 'usage: npm run token -- create <name> | list | revoke <name>';

/** `npm run token -- create|list|revoke`: manages API clients in the configured database. */
export async function runTokenCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [command, name] = args;
  if (!['create', 'list', 'revoke'].includes(command ?? '') || (command !== 'list' && !name)) {
    out(USAGE);
    return 2;
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrateDatabase(db.url);
    const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
    await ds.initialize();
    try {
      const clients = new ApiClientService(ds.getRepository(ApiClient));
      if (command === 'create') {
        if (await ds.getRepository(ApiClient).exists({ where: { name } })) {
          out(`a client named "${name}" already exists`);
          return 1;
        }
        const { token } = await clients.create(name);
        out(`created client "${name}"; its token (shown once, keep it safe):`);
        out(token);
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
    } finally {
      await ds.destroy();
    }
  } finally {
    await db.stop();
  }
}

if (require.main === module) {
  runTokenCommand(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`))
    .then((code) => process.exit(code))
    .catch((err) => {
      if (err instanceof ConfigError || err instanceof DataDirectoryInUseError) {
        process.stderr.write(`${err.message}\n`);
        if (err instanceof DataDirectoryInUseError) process.stderr.write('With the embedded database, stop the gateway first, or seed a token with API_TOKEN.\n');
        process.exit(2);
      }
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    });
}
