import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger } from '../../infra/logger';
import { PinoTemporalLogger } from '../../infra/observability/sdk-logger';

function capturedSdkLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: new PinoTemporalLogger(createLogger('temporal-sdk', { level, destination })) };
}

describe('the Temporal SDK logger written through pino', () => {
  test('keeps warnings and errors at warn, drops worker chatter below it', () => {
    const { lines, logger } = capturedSdkLogger('warn');
    logger.info('Worker state changed', { state: 'RUNNING' });
    logger.debug('poll');
    logger.log('WARN', 'No activities registered, not polling for activity tasks', { taskQueue: 'q' });
    logger.error('Workflow task failed');
    expect(lines.map((line) => [line.level, line.msg, line.name])).toEqual([
      [40, 'No activities registered, not polling for activity tasks', 'temporal-sdk'],
      [50, 'Workflow task failed', 'temporal-sdk'],
    ]);
    expect(lines[0]).toMatchObject({ taskQueue: 'q' });
  });

  test('an activity failure keeps its type and message; card fields in its metadata are redacted', () => {
    const { lines, logger } = capturedSdkLogger('warn');
    const failure = ApplicationFailure.nonRetryable('card declined', 'CardDeclined');
    logger.warn('Activity failed', { error: failure, activityType: 'submitCard', card: { number: '4242424242424242', cvc: '123' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'Activity failed', activityType: 'submitCard', card: '[redacted]', err: { message: 'card declined', type: 'ApplicationFailure' } });
    expect(JSON.stringify(lines)).not.toMatch(/4242424242424242|"123"/);
  });
});
