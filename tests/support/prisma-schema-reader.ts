import { readFile } from 'node:fs/promises';

export interface SchemaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  nativeType: string | null;
}

export interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  uniques: string[][];
  indexes: string[][];
}

export interface PrismaSchemaSummary {
  models: SchemaModel[];
  enums: Map<string, string[]>;
}

/**
 * Reads the parts of schema.prisma that decide the database shape: models,
 * scalar and enum fields (relation fields have no column), @map/@@map names,
 * native types, unique constraints and indexes. Enough for Bellwether's schema,
 * which uses no composite types or views.
 */
export async function readPrismaSchema(path: string): Promise<PrismaSchemaSummary> {
  const text = (await readFile(path, 'utf8')).replace(/\/\/.*$/gm, '');
  const enums = new Map<string, string[]>();
  for (const match of text.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    enums.set(match[1]!, match[2]!.split(/\s+/).filter((value) => /^\w+$/.test(value)));
  }
  const blocks = [...text.matchAll(/model\s+(\w+)\s*\{([^}]*)\}/g)];
  const modelNames = new Set(blocks.map((block) => block[1]!));
  const models = blocks.map(([, name, body]) => {
    const fields: SchemaField[] = [];
    const uniques: string[][] = [];
    const indexes: string[][] = [];
    let table = name!;
    for (const rawLine of body!.split('\n')) {
      const line = rawLine.trim();
      if (!line) continue;
      const blockAttribute = /^@@(\w+)\(\s*(?:\[([^\]]*)\]|"([^"]*)")/.exec(line);
      if (blockAttribute) {
        const columns = blockAttribute[2]?.split(',').map((column) => column.trim());
        if (blockAttribute[1] === 'map') table = blockAttribute[3]!;
        if (blockAttribute[1] === 'unique' && columns) uniques.push(columns);
        if (blockAttribute[1] === 'index' && columns) indexes.push(columns);
        continue;
      }
      const field = /^(\w+)\s+(\w+)(?:\("([^"]*)"\))?(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) continue;
      // `Unsupported("tsvector")` keeps the database type as the native type.
      const [, fieldName, type, unsupported, list, optional, attributes] = field;
      if (modelNames.has(type!)) continue;
      const mapped = /@map\("([^"]+)"\)/.exec(attributes!);
      const native = /@db\.(\w+)/.exec(attributes!);
      fields.push({
        name: fieldName!,
        column: mapped ? mapped[1]! : fieldName!,
        type: type!,
        optional: optional === '?',
        list: list === '[]',
        nativeType: unsupported ?? (native ? native[1]! : null),
      });
      if (/@unique\b/.test(attributes!)) uniques.push([fieldName!]);
      if (/@id\b/.test(attributes!)) uniques.push([fieldName!]);
    }
    return { name: name!, table, fields, uniques, indexes };
  });
  return { models, enums };
}
