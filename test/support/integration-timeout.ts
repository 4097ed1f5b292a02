// jest-circus reads `testTimeout` from the global config only, so the integration
// project's own `testTimeout` is ignored; set it here for every integration test file.
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
