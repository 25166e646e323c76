import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/*
 * docker-compose.yml, the two Dockerfiles and .env.example, checked without a Docker engine (CI
 * has none, and hadolint is not reachable): the compose file against the Compose specification's
 * JSON schema (vendored in compose-spec/), the Dockerfiles against the rules of issue 12, and
 * .env.example against the variables the server and the web app read.
 */

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string | null;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages (from each FROM on), joining continued lines, without comments. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)$/i.exec(instruction.args)?.[1] ?? null, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const all = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((each) => each.keyword === keyword).map((each) => each.args);

const packageManager = JSON.parse(read('package.json')).packageManager as string;

const images = [
  { dockerfile: 'server/Dockerfile', healthPath: '/healthz', ships: /^--from=build \/out \.\/$/ },
  { dockerfile: 'web/Dockerfile', healthPath: '/icon.svg', ships: /^--from=build \/repo\/web\/\.next\/standalone \.\/$/ },
] as const;

describe.each(images)('$dockerfile', ({ dockerfile, healthPath, ships }) => {
  const stages = parseDockerfile(read(dockerfile));
  const runtime = stages.at(-1)!;
  const everything = stages.flatMap((stage) => stage.instructions);

  it('is multi-stage, with the runtime stage last (the default target)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.name).toBe('runtime');
  });

  it('runs the runtime stage as a user other than root, with NODE_ENV=production', () => {
    const user = all(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(all(runtime, 'ENV').join(' ')).toMatch(/(^|\s)NODE_ENV=production(\s|$)/);
  });

  it(`has a HEALTHCHECK that asks the app for ${healthPath}`, () => {
    const [check, ...more] = all(runtime, 'HEALTHCHECK');
    expect(more).toEqual([]);
    expect(check).toContain(`'${healthPath}'`);
  });

  it('installs with the lockfile, frozen, and the pnpm of packageManager', () => {
    const copies = everything.filter((each) => each.keyword === 'COPY').map((each) => each.args);
    expect(copies.some((args) => args.split(/\s+/).includes('pnpm-lock.yaml'))).toBe(true);
    const runs = everything.filter((each) => each.keyword === 'RUN').map((each) => each.args);
    expect(runs.some((run) => /pnpm install --frozen-lockfile/.test(run))).toBe(true);
    expect(runs.some((run) => run.includes(`npm install -g ${packageManager}`))).toBe(true);
  });

  it('copies no .env file, and the runtime stage takes nothing from the build context', () => {
    for (const each of everything.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
      expect(each.args, `${each.keyword} ${each.args}`).not.toMatch(/(^|[\s/])\.env/);
    }
    expect(all(runtime, 'ADD')).toEqual([]);
    const copies = all(runtime, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy, `COPY ${copy}`).toMatch(/^--from=/);
    expect(copies.some((copy) => ships.test(copy))).toBe(true);
  });
});

describe('the server image', () => {
  const stages = parseDockerfile(read('server/Dockerfile'));

  it('ships production dependencies only, through pnpm deploy --prod, and only dist/ of the packages', () => {
    const runs = stages.flatMap((stage) => all(stage, 'RUN'));
    expect(runs.some((run) => /pnpm --filter @porter\/server deploy --prod .*\/out$/.test(run))).toBe(true);
    for (const manifest of ['server/package.json', 'shared/package.json']) {
      expect(JSON.parse(read(manifest)).files, manifest).toEqual(['dist']);
    }
  });

  it('has a dev stage that runs the local Campus One entrypoint', () => {
    const dev = stages.find((stage) => stage.name === 'dev');
    const command = JSON.parse(all(dev!, 'CMD').at(-1)!) as string[];
    const script = command.at(-1)!;
    expect(script).toMatch(/\.ts$/);
    expect(existsSync(new URL(`server/${script}`, root)), script).toBe(true);
  });
});

describe('the web image', () => {
  it("is built with Next's standalone output", () => {
    expect(read('web/next.config.ts')).toMatch(/^\s*output: 'standalone',$/m);
  });
});

describe('.dockerignore', () => {
  it('keeps local secrets, installed and built output and test results out of the build context', () => {
    const lines = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const pattern of ['**/.env', '**/.env.*', '**/node_modules', '**/.next', '**/dist', '**/test-results']) {
      expect(lines, pattern).toContain(pattern);
    }
    expect(lines.some((line) => line.startsWith('!'))).toBe(false);
  });
});

describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const compose = parse(text) as {
    services: Record<
      string,
      {
        build?: { context: string; dockerfile: string; target: string };
        profiles?: string[];
        healthcheck?: unknown;
        command?: string[];
        env_file?: unknown;
      }
    >;
  };
  const schema = JSON.parse(read('server/test/compose-spec/compose-spec.json')) as Record<string, unknown>;
  // ajv knows draft-07 by its http:// id; the schema names it by https://.
  delete schema.$schema;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it('is valid under the Compose specification', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('would be refused with a mistake in it (the schema is not vacuous)', () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.redis!.healthcheck = { test: ['CMD', 'redis-cli', 'ping'], intervall: '5s' };
    expect(validate(broken)).toBe(false);
  });

  it('runs redis with a healthcheck and AOF, the server and the web app, and the local Campus One under the dev profile', () => {
    const { redis, server, web, 'campus-one': campusOne, ...others } = compose.services;
    expect(others).toEqual({});
    expect(redis?.healthcheck).toBeDefined();
    expect(redis?.command?.join(' ')).toContain('--appendonly yes');
    for (const always of [redis, server, web]) expect(always?.profiles).toBeUndefined();
    expect(campusOne?.profiles).toEqual(['dev']);
    expect(server?.env_file).toEqual([{ path: '.env', required: false }]);
  });

  it('builds from the Dockerfiles, with targets they define', () => {
    const built = Object.values(compose.services).flatMap((service) => (service.build ? [service.build] : []));
    expect(built.map((build) => build.dockerfile).sort()).toEqual(['server/Dockerfile', 'server/Dockerfile', 'web/Dockerfile']);
    for (const build of built) {
      expect(build.context).toBe('.');
      const names = parseDockerfile(read(build.dockerfile)).map((stage) => stage.name);
      expect(names, `${build.dockerfile} target ${build.target}`).toContain(build.target);
    }
  });

  it('interpolates only variables that .env.example lists', () => {
    const used = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]);
    expect(used.length).toBeGreaterThan(0);
    const listed = envExampleNames();
    for (const name of used) expect(listed, name).toContain(name);
  });
});

/** Names in .env.example, set (`NAME=`) or commented out (`# NAME=`). */
function envExampleNames(): string[] {
  return [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!);
}

describe('.env.example', () => {
  // The keys of the server's `env` schema (two-space indented `NAME:` lines) and what it reads
  // from `source.`; the web app's `env.NAME` and `process.env.NAME`.
  const serverConfig = read('server/src/config.ts');
  const serverNames = [
    ...[...serverConfig.matchAll(/^ {2}([A-Z][A-Z0-9_]*): /gm)].map((match) => match[1]!),
    ...[...serverConfig.matchAll(/\bsource\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!),
  ];
  const webNames = [...read('web/lib/config.ts').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!);

  it('reads the variables out of both configurations', () => {
    expect(serverNames).toEqual(expect.arrayContaining(['NODE_ENV', 'APP_URL', 'REDIS_URL', 'SESSION_SECRET', 'LOG_LEVEL']));
    expect(webNames).toEqual(expect.arrayContaining(['BFF_URL']));
  });

  it('lists every variable the server and the web app read', () => {
    const listed = envExampleNames();
    const missing = [...new Set([...serverNames, ...webNames])].filter((name) => !listed.includes(name));
    expect(missing).toEqual([]);
  });

  it('holds only comments, blank lines and NAME=value lines', () => {
    const odd = read('.env.example')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#') && !/^[A-Z][A-Z0-9_]*=/.test(line));
    expect(odd).toEqual([]);
  });
});
