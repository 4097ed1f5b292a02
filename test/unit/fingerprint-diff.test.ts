import { describe, expect, it } from '@jest/globals';
import {
  diffSchemas,
  fingerprintHash,
  type SchemaDescription,
  type SchemaObject,
} from '../../lambdas/engine/fingerprint.ts';

const users: SchemaObject = { kind: 'table', name: 'app.users', properties: { persistence: 'permanent' } };
const email: SchemaObject = {
  kind: 'column',
  name: 'app.users.email',
  properties: { type: 'text', notNull: true, default: null },
};
const fk: SchemaObject = {
  kind: 'constraint',
  name: 'app.orders.orders_user_fk',
  properties: { definition: 'FOREIGN KEY (user_id) REFERENCES app.users(id)', validated: false },
};

const schema = (...objects: SchemaObject[]): SchemaDescription => ({ objects });

describe('fingerprintHash', () => {
  it('does not depend on the order of objects or properties', () => {
    const reordered: SchemaObject = {
      kind: 'column',
      name: 'app.users.email',
      properties: { default: null, notNull: true, type: 'text' },
    };
    expect(fingerprintHash(schema(users, email, fk))).toBe(fingerprintHash(schema(fk, reordered, users)));
  });

  it('changes with any property', () => {
    const nullable = { ...email, properties: { ...email.properties, notNull: false } };
    expect(fingerprintHash(schema(users, nullable))).not.toBe(fingerprintHash(schema(users, email)));
  });
});

describe('diffSchemas', () => {
  it('names added and missing objects, tables before their columns', () => {
    expect(diffSchemas(schema(fk), schema(email, users))).toEqual([
      'table app.users added',
      'column app.users.email added',
      'constraint app.orders.orders_user_fk missing',
    ]);
  });

  it('says a constraint became valid in the words of ALTER TABLE', () => {
    const validated = { ...fk, properties: { ...fk.properties, validated: true } };
    expect(diffSchemas(schema(fk), schema(validated))).toEqual([
      'constraint app.orders.orders_user_fk changed: NOT VALID → valid',
    ]);
  });

  it('lists every changed property of one object in one sentence', () => {
    const changed = {
      ...email,
      properties: { type: 'character varying(20)', notNull: false, default: "''::text" },
    };
    expect(diffSchemas(schema(email), schema(changed))).toEqual([
      "column app.users.email changed: default none → ''::text, NOT NULL → nullable, type text → character varying(20)",
    ]);
  });

  it('does not print long definitions', () => {
    const fn = (body: string): SchemaObject => ({
      kind: 'function',
      name: 'app.f()',
      properties: {
        definition: `CREATE OR REPLACE FUNCTION app.f()\n RETURNS integer\n LANGUAGE sql\n${body}`,
      },
    });
    expect(diffSchemas(schema(fn('RETURN 1')), schema(fn('RETURN 2')))).toEqual([
      'function app.f() changed: definition changed',
    ]);
  });

  it('finds nothing between equal schemas', () => {
    expect(diffSchemas(schema(users, email), schema(email, users))).toEqual([]);
  });
});
