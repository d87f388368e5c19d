import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Each library owns its tables (`/// @owner <lib>` above each model in
 * prisma/schema.prisma): another library asks the owner's services and never
 * names the table in SQL, its Prisma delegate, a relation into it, or its
 * model type.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Model {
  name: string;
  owner: string;
  /** Relation fields of this model that point at another library's model. */
  foreignRelations: { field: string; target: string }[];
}

function readModels(schema: string): Model[] {
  const models: (Model & { fields: { field: string; type: string }[] })[] = [];
  let owner: string | undefined;
  let current: (typeof models)[number] | undefined;
  for (const line of schema.split('\n')) {
    const declared = /^\/\/\/ @owner (\w+)/.exec(line);
    const opened = /^model (\w+) \{/.exec(line);
    if (declared) owner = declared[1];
    else if (opened) {
      if (!owner) throw new Error(`model ${opened[1]} names no @owner`);
      current = { name: opened[1]!, owner, foreignRelations: [], fields: [] };
      models.push(current);
      owner = undefined;
    } else if (line.startsWith('}')) current = undefined;
    else if (current) {
      const field = /^\s+(\w+)\s+(\w+)(\[\]|\?)?(\s|$)/.exec(line);
      if (field) current.fields.push({ field: field[1]!, type: field[2]! });
    } else if (!line.startsWith('///')) owner = undefined;
  }
  const ownerOf = new Map(models.map((model) => [model.name, model.owner]));
  return models.map(({ fields, ...model }) => ({
    ...model,
    foreignRelations: fields
      .filter((field) => ownerOf.has(field.type) && ownerOf.get(field.type) !== model.owner)
      .map((field) => ({ field: field.field, target: field.type })),
  }));
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const delegate = (model: string) => model[0]!.toLowerCase() + model.slice(1);

/** Every place a library names a table it does not own, as `file:line model (how)`. */
export function crossLibraryReads(root: string): string[] {
  const models = readModels(readFileSync(join(root, 'prisma', 'schema.prisma'), 'utf8'));
  const found: string[] = [];
  for (const library of readdirSync(join(root, 'libs'))) {
    const foreign = models.filter((model) => model.owner !== library);
    const ownRelations = models.filter((model) => model.owner === library).flatMap((model) => model.foreignRelations);
    const checks = [
      ...foreign.map((model) => ({ model: model.name, how: 'SQL', pattern: new RegExp(`"${model.name}"`) })),
      ...foreign.map((model) => ({ model: model.name, how: 'Prisma delegate', pattern: new RegExp(`\\.${delegate(model.name)}\\s*\\.\\s*(find|create|update|upsert|delete|count|aggregate|groupBy)`) })),
      ...foreign.map((model) => ({ model: model.name, how: 'model type', pattern: new RegExp(`import[^;]*\\b(type\\s+)?${model.name}\\b[^;]*from '#db'`, 's') })),
      ...ownRelations.map((relation) => ({
        model: relation.target,
        how: `relation ${relation.field}`,
        pattern: new RegExp(`(include|select|where)\\s*:\\s*\\{[^}]*\\b${relation.field}\\s*:|where\\.${relation.field}\\s*=`),
      })),
    ];
    for (const file of sourceFiles(join(root, 'libs', library, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const imports = text.match(/import[^;]*from '#db';/gs) ?? [];
      text.split('\n').forEach((line, index) => {
        for (const check of checks) {
          if (check.how === 'model type') continue;
          if (check.pattern.test(line)) found.push(`${relative(root, file)}:${index + 1} ${check.model} (${check.how})`);
        }
      });
      for (const statement of imports) {
        for (const check of checks.filter((one) => one.how === 'model type')) {
          if (check.pattern.test(statement)) found.push(`${relative(root, file)} ${check.model} (model type)`);
        }
      }
    }
  }
  return found;
}

describe('table ownership', () => {
  it('names an owner for every model of the schema', () => {
    expect(() => readModels(readFileSync(join(ROOT, 'prisma', 'schema.prisma'), 'utf8'))).not.toThrow();
  });

  it('finds a library naming another library’s table, delegate, relation or model type', () => {
    const root = mkdtempSync(join(tmpdir(), 'table-ownership-'));
    try {
      mkdirSync(join(root, 'prisma'));
      writeFileSync(
        join(root, 'prisma', 'schema.prisma'),
        '/// @owner a\nmodel Thing {\n  id String @id\n  other Other @relation(fields: [id], references: [id])\n}\n/// @owner b\nmodel Other {\n  id String @id\n}\n',
      );
      for (const library of ['a', 'b']) mkdirSync(join(root, 'libs', library, 'src'), { recursive: true });
      writeFileSync(
        join(root, 'libs', 'a', 'src', 'reads.ts'),
        [
          "import { PrismaService, type Other } from '#db';",
          'await sql.query(`SELECT * FROM "Other"`);',
          'await prisma.other.findMany();',
          'await prisma.thing.findMany({ include: { other: true } });',
          'await prisma.thing.findMany();',
        ].join('\n'),
      );
      writeFileSync(join(root, 'libs', 'b', 'src', 'own.ts'), 'await prisma.other.findMany(); await sql.query(`SELECT 1 FROM "Other"`);');
      expect(crossLibraryReads(root)).toEqual([
        'libs/a/src/reads.ts:2 Other (SQL)',
        'libs/a/src/reads.ts:3 Other (Prisma delegate)',
        'libs/a/src/reads.ts:4 Other (relation other)',
        'libs/a/src/reads.ts Other (model type)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('has no library reading a table it does not own', () => {
    expect(crossLibraryReads(ROOT)).toEqual([]);
  });
});
