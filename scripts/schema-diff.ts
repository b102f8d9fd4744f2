// Prints the SQL the entities need beyond what the migrations build: the raw material for a new
// migration, to be hand-reviewed. Usage: npm run build && node dist/scripts/schema-diff.js [adminUrl]
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';

async function main() {
  const adminUrl = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `cvgw_test_schema_diff_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const ds = new DataSource(dataSourceOptions(url.toString(), { poolSize: 2 }));
  try {
    await ds.initialize();
    await ds.runMigrations();
    const sql = await ds.driver.createSchemaBuilder().log();
    for (const q of sql.upQueries) console.log(`await queryRunner.query(\`${q.query}\`${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`);
    console.log('-- down');
    for (const q of sql.downQueries.reverse()) console.log(`await queryRunner.query(\`${q.query}\`);`);
  } finally {
    await ds.destroy();
    await admin.query(`DROP DATABASE ${name}`);
    await admin.end();
  }
}
void main();
