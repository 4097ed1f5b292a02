import { parseAdoptSettings } from '../../../../lambdas/engine/adopt/settings.ts';
import { parseLiveLintSettings } from '../../../../lambdas/engine/lint/live-settings.ts';

describe('stepmigrate.json "adopt"', () => {
  it('reads the table, the Sqitch registry, import and keepToolHistory', () => {
    expect(
      parseAdoptSettings(
        { table: 'ops.flyway_schema_history', sqitchRegistry: 'reg', import: false, keepToolHistory: true },
        'f',
      ),
    ).toEqual({
      table: 'ops.flyway_schema_history',
      sqitchRegistry: 'reg',
      import: false,
      keepToolHistory: true,
    });
  });

  it('reports every problem together, naming the key', () => {
    expect(() => parseAdoptSettings({ tabel: 'x', keepToolHistory: 'yes' }, 'stepmigrate.json')).toThrow(
      /unknown key "adopt.tabel".*"adopt.keepToolHistory" must be true or false/,
    );
    expect(() => parseAdoptSettings([], 'stepmigrate.json')).toThrow('"adopt" must be an object');
  });
});

describe('stepmigrate.json "liveLint"', () => {
  it('defaults to on, with thresholds', () => {
    expect(parseLiveLintSettings(undefined, 'f')).toEqual({
      enabled: true,
      warningRows: 10_000,
      errorRows: 1_000_000,
    });
    expect(parseLiveLintSettings({ enabled: false, errorRows: 5000, warningRows: 10 }, 'f')).toEqual({
      enabled: false,
      warningRows: 10,
      errorRows: 5000,
    });
  });

  it('refuses what it does not understand', () => {
    expect(() => parseLiveLintSettings({ warningRows: -1, rows: 3 }, 'f')).toThrow(
      /"liveLint.warningRows" must be a whole number of rows; unknown key "liveLint.rows"/,
    );
    expect(() => parseLiveLintSettings({ warningRows: 100, errorRows: 10 }, 'f')).toThrow(
      'must not be above',
    );
  });
});
