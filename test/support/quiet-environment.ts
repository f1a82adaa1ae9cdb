import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { SHOWN_ON_FAILURE } from './shown-on-failure';

/**
 * The node environment, plus a buffer of lines each test keeps (see shown-on-failure.ts): emptied when a test starts,
 * and added to its failures when it fails, so what the workers logged shows beside the assertion that broke.
 */
export default class QuietEnvironment extends TestEnvironment {
  private readonly lines: string[] = [];

  override async setup(): Promise<void> {
    await super.setup();
    this.global[SHOWN_ON_FAILURE] = this.lines;
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_start') this.lines.length = 0;
    if (event.name === 'test_done' && event.test.errors.length > 0 && this.lines.length > 0) {
      const logged = new Error(`what this test logged (${this.lines.length} lines, shown because it failed):\n${this.lines.join('\n')}`);
      logged.stack = logged.message;
      event.test.errors.push(logged);
    }
  }
}
