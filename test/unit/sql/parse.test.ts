import { beforeAll, describe, expect, it } from '@jest/globals';
import { InputError } from '../../../lambdas/engine/errors.ts';
import { loadSqlParser, splitStatements, syntaxErrorMessage } from '../../../lambdas/engine/sql/parse.ts';

const origin = { file: '0005_add_email.sql', startLine: 10 };

beforeAll(async () => {
  await loadSqlParser();
});

describe('splitStatements', () => {
  it('returns each statement with its text, file position and parse node', () => {
    const sql = [
      '-- add the email column',
      'ALTER TABLE app.users ADD COLUMN email text;',
      '',
      '  CREATE INDEX users_email_idx ON app.users (email);',
    ].join('\n');

    const statements = splitStatements(sql, origin);

    expect(statements.map(({ sql, line, column }) => ({ sql, line, column }))).toEqual([
      { sql: 'ALTER TABLE app.users ADD COLUMN email text', line: 11, column: 1 },
      { sql: 'CREATE INDEX users_email_idx ON app.users (email)', line: 13, column: 3 },
    ]);
    expect(Object.keys(statements[0]!.ast as object)).toEqual(['AlterTableStmt']);
    expect(Object.keys(statements[1]!.ast as object)).toEqual(['IndexStmt']);
  });

  it('splits a section again from its first split, at the lines of where it now starts', () => {
    const sql = 'SELECT 1;\nSELECT 2;';
    const first = splitStatements(sql, origin);
    expect(splitStatements(sql, origin)).toBe(first);
    expect(splitStatements(sql, { ...origin, startLine: 40 }).map((s) => s.line)).toEqual([40, 41]);
    expect(() => splitStatements('SELEC 1;', origin)).toThrow(InputError);
    expect(() => splitStatements('SELEC 1;', { file: 'other.sql', startLine: 3 })).toThrow(/^other\.sql:3:1/);
  });

  it('returns [] for input that holds only comments and whitespace', () => {
    expect(splitStatements('-- nothing here\n/* or /* nested */ here */\n\n', origin)).toEqual([]);
    expect(splitStatements('', origin)).toEqual([]);
  });

  it('keeps semicolons inside dollar-quoted function bodies and strings', () => {
    const sql = [
      'CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$',
      'BEGIN NEW.updated_at := now(); RETURN NEW; END;',
      '$$;',
      "INSERT INTO app.notes (body) VALUES ('a; b');",
    ].join('\n');

    const statements = splitStatements(sql, origin);

    expect(statements).toHaveLength(2);
    expect(statements[0]!.sql.endsWith('$$')).toBe(true);
    expect(statements[1]).toMatchObject({ sql: "INSERT INTO app.notes (body) VALUES ('a; b')", line: 13 });
  });

  it('counts positions in characters after multibyte text', () => {
    const sql =
      "INSERT INTO app.cities (name) VALUES ('Zürich'), ('東京'); UPDATE app.cities SET name = 'Ω';";

    const statements = splitStatements(sql, origin);

    expect(statements[0]!.sql).toBe("INSERT INTO app.cities (name) VALUES ('Zürich'), ('東京')");
    expect(statements[1]).toMatchObject({ sql: "UPDATE app.cities SET name = 'Ω'", line: 10, column: 58 });
  });

  it('drops comments between and after statements, and handles the last statement without a semicolon', () => {
    const sql = "SELECT 1 /* one */ ;\n-- between\nSELECT 'ü' -- trailing\n";

    const statements = splitStatements(sql, origin);

    expect(statements.map((s) => s.sql)).toEqual(['SELECT 1', "SELECT 'ü'"]);
    expect(statements[1]).toMatchObject({ line: 12, column: 1 });
  });

  it('reports a syntax error with file, line, column and PostgreSQL message', () => {
    const sql = "SELECT 'é';\n  ALTER TABLE app.users ADD COLUMN;\n";

    let caught: unknown;
    try {
      splitStatements(sql, origin);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.file).toBe('0005_add_email.sql');
    expect(error.line).toBe(11);
    expect(error.column).toBe(35);
    expect(error.message).toBe('0005_add_email.sql:11:35: syntax error at or near ";"');
    expect(syntaxErrorMessage(error)).toBe('syntax error at or near ";"');
  });

  it('reports an unterminated string where it begins', () => {
    expect(() => splitStatements("SELECT 1;\nSELECT 'Zürich", origin)).toThrow(
      expect.objectContaining({ name: 'InputError', line: 11, column: 8 }),
    );
  });
});
