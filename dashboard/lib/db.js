// Shared by the data loaders: one query helper over the npm `pg` client.
// Connection settings come from the libpq environment variables (PGHOST,
// PGPORT, PGUSER, PGDATABASE, PGPASSWORD), as for psql.  The loaders read
// relintel's public views (contact_health, lead_health, account_health,
// opportunity_health) and functions (kpis, activity_history, who_knows,
// intro_request, alerts) only.
import pg from "pg";

// int8 and numeric as JavaScript numbers (the counts here are small).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export async function withClient(fn) {
  const client = new pg.Client({application_name: "relintel-dashboard"});
  await client.connect();
  try {
    // Times in UTC, as relintel's weeks and days are.
    await client.query("SET TimeZone = 'UTC'");
    return await fn(async (text, params = []) => (await client.query(text, params)).rows);
  } finally {
    await client.end();
  }
}

export function emit(data) {
  process.stdout.write(JSON.stringify(data));
}
