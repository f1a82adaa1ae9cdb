import { ConfigurationError } from '../../infra/env-config';
import { devServerFlags, dynamicConfigFileText, serverDynamicConfig } from '../../infra/temporal-dynamic-config';

describe('Temporal server dynamic config', () => {
  test('the server defaults unless partitions are asked for; then read and write partitions alike, in both formats', () => {
    expect(serverDynamicConfig({})).toEqual({});
    const config = serverDynamicConfig({ TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: '1' });
    expect(config).toEqual({ 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 });
    expect(devServerFlags(config)).toEqual([
      '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
      '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
    ]);
    expect(JSON.parse(dynamicConfigFileText(config))).toEqual({ 'matching.numTaskqueueReadPartitions': [{ value: 1 }], 'matching.numTaskqueueWritePartitions': [{ value: 1 }] });
  });

  test('a bad partition count is refused, naming the variable', () => {
    expect(() => serverDynamicConfig({ TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: '0' })).toThrow(ConfigurationError);
    expect(() => serverDynamicConfig({ TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: 'four' })).toThrow(/TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS/);
  });
});
