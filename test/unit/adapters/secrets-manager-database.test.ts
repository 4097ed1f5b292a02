import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import type pg from 'pg';
import {
  connectionString,
  type DatabaseEndpoint,
  SecretsManagerDatabase,
} from '../../../lambdas/adapters/secrets-manager-database.ts';
import { PreflightError } from '../../../lambdas/engine/errors.ts';
import type { Database, SqlConnection } from '../../../lambdas/ports.ts';

const secrets = mockClient(SecretsManagerClient);
const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-db-AbCdEf';
const rdsSecret = {
  engine: 'postgres',
  host: 'orders.cluster-x.eu-west-1.rds.amazonaws.com',
  port: 5432,
  username: 'stepmigrate',
  password: 'p@ss:w/rd S3cret',
  dbname: 'orders',
};

interface Opened {
  url: string;
  config: pg.ClientConfig;
}

/** Records what it was opened with; fails to connect with `failures` first. */
function fakeConnect(opened: Opened[], failures: unknown[] = []) {
  return (url: string, config: pg.ClientConfig): Database => {
    opened.push({ url, config });
    return {
      name: 'orders',
      withConnection: async (fn) => {
        const failure = failures.shift();
        if (failure) throw failure;
        return fn({ processId: 7 } as SqlConnection);
      },
      close: async () => {},
    };
  };
}

beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(rdsSecret) });
});

function database(opened: Opened[], failures?: unknown[], endpoint?: DatabaseEndpoint) {
  return new SecretsManagerDatabase({
    client: new SecretsManagerClient({}),
    secretArn,
    name: 'orders',
    connect: fakeConnect(opened, failures),
    endpoint,
  });
}

/** What RDS keeps for `ManageMasterUserPassword`: credentials only. */
const masterUserSecret = { username: 'postgres', password: 'm@ster pw' };

describe('SecretsManagerDatabase', () => {
  it('connects with the secret, TLS verified, and reads the secret once per container', async () => {
    const opened: Opened[] = [];
    const db = database(opened);

    await db.withConnection(async () => {});
    await db.withConnection(async () => {});

    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: secretArn });
    expect(opened).toHaveLength(1);
    expect(opened[0]!.config).toEqual({ ssl: { rejectUnauthorized: true } });
    const url = new URL(opened[0]!.url);
    expect([url.hostname, url.port, url.pathname]).toEqual([rdsSecret.host, '5432', '/orders']);
    expect(decodeURIComponent(new URL(opened[0]!.url).password)).toBe(rdsSecret.password);
  });

  it('does not touch Secrets Manager until a connection is needed', () => {
    database([]);

    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reads the secret again after a rotation made the password stale, before running anything', async () => {
    const opened: Opened[] = [];
    const stale = Object.assign(new PreflightError('cannot connect'), {
      cause: Object.assign(new Error('password authentication failed'), { code: '28P01' }),
    });
    let runs = 0;

    await database(opened, [stale]).withConnection(async () => {
      runs += 1;
    });

    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(runs).toBe(1);
  });

  it('never runs the work twice when the work itself failed', async () => {
    let runs = 0;
    const failure = Object.assign(new Error('boom'), { code: '28P01' });

    await expect(
      database([]).withConnection(async () => {
        runs += 1;
        throw failure;
      }),
    ).rejects.toThrow('boom');
    expect(runs).toBe(1);
  });

  it('names the secret and the missing fields, never a secret value', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ host: 'h', password: 'hunter2' }) });

    const connecting = database([]).withConnection(async () => {});

    await expect(connecting).rejects.toThrow(PreflightError);
    await expect(connecting).rejects.toThrow(`database secret ${secretArn} lacks username`);
    await expect(connecting).rejects.not.toThrow('hunter2');
  });

  it('connects with an RDS-managed master user secret, the endpoint coming from the function environment', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(masterUserSecret) });
    const opened: Opened[] = [];

    await database(opened, [], {
      host: 'orders.abc.rds.amazonaws.com',
      port: 6432,
      dbname: 'orders',
    }).withConnection(async () => {});

    const url = new URL(opened[0]!.url);
    expect([url.hostname, url.port, url.pathname, url.username]).toEqual([
      'orders.abc.rds.amazonaws.com',
      '6432',
      '/orders',
      'postgres',
    ]);
    expect(decodeURIComponent(url.password)).toBe(masterUserSecret.password);
  });

  it('says which variable to set when a credentials-only secret has no endpoint', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(masterUserSecret) });

    const connecting = database([]).withConnection(async () => {});

    await expect(connecting).rejects.toThrow(
      `database secret ${secretArn} lacks host (and STEPMIGRATE_DB_HOST is not set)`,
    );
    await expect(connecting).rejects.not.toThrow(masterUserSecret.password);
  });

  it('refuses a secret that is not JSON without echoing it', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'postgres://u:hunter2@h/db' });

    const connecting = database([]).withConnection(async () => {});

    await expect(connecting).rejects.toThrow('is not JSON with host, port, username, password and dbname');
    await expect(connecting).rejects.not.toThrow('hunter2');
  });

  it('explains an unreadable secret and tries again on the next call', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(
        Object.assign(new Error('not authorized to perform GetSecretValue'), {
          name: 'AccessDeniedException',
        }),
      )
      .resolves({ SecretString: JSON.stringify(rdsSecret) });
    const db = database([]);

    await expect(db.withConnection(async () => {})).rejects.toThrow(
      `cannot read the database secret ${secretArn}: AccessDeniedException`,
    );
    await expect(db.withConnection(async () => 'ok')).resolves.toBe('ok');
  });
});

describe('connectionString', () => {
  it('escapes credentials so any password survives', () => {
    const url = new URL(connectionString({ ...rdsSecret, port: 6432 }));

    expect(decodeURIComponent(url.username)).toBe('stepmigrate');
    expect(decodeURIComponent(url.password)).toBe('p@ss:w/rd S3cret');
    expect(url.port).toBe('6432');
  });
});
