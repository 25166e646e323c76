// Runs the local Campus One (server/dev/campus-one.ts) in a process of its own, for the web
// app's end-to-end tests and benchmark: a real OpenID provider that the harness stops by pid,
// and beside it the dev campus API (server/dev/campus-api.ts), which introspects its tokens.
// Started by stack.ts as `node --import tsx campus-one.mjs '<options JSON>'` from server/, whose
// tsx compiles the TypeScript. Prints one JSON line: the issuer, the discovery URL, the accounts,
// the campus API's URL.
const { startCampusOne } = await import('../../../server/dev/campus-one.ts');
const { startCampusApi } = await import('../../../server/dev/campus-api.ts');

const campusOne = await startCampusOne(JSON.parse(process.argv[2] ?? '{}'));
const campusApi = await startCampusApi({ introspection: campusOne.introspection });
const accounts = campusOne.accounts.map((account) => ({
  id: account.id,
  name: account.name,
  role: account.role,
  studentId: account.academic?.student_id ?? null,
}));
console.log(JSON.stringify({ issuer: campusOne.issuer, discoveryUrl: campusOne.discoveryUrl, accounts, campusApiUrl: campusApi.url }));

const stop = () => Promise.all([campusApi.close(), campusOne.close()]).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
