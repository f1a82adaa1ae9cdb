import { ConfigurationError } from '../../infra/env-config';
import { devServerFlags, dynamicConfigFileText, experimentDynamicConfig, serverDynamicConfig } from '../../infra/temporal-dynamic-config';

describe('Temporal server dynamic config', () => {
  test('each topology starts with its own settings: the dev server caches search attributes as the cluster does', () => {
    expect(serverDynamicConfig('dev', {})).toEqual({ 'system.forceSearchAttributesCacheRefreshOnRead': false });
    expect(serverDynamicConfig('cluster', {})).toEqual({ 'frontend.namespaceRPS.visibility': 100 });
    expect(experimentDynamicConfig({})).toEqual({});
  });

  test('partitions, when asked for, are read and write partitions alike, in both formats', () => {
    const config = experimentDynamicConfig({ TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: '1' });
    expect(config).toEqual({ 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 });
    expect(devServerFlags(config)).toEqual([
      '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
      '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
    ]);
    expect(JSON.parse(dynamicConfigFileText(config))).toEqual({ 'matching.numTaskqueueReadPartitions': [{ value: 1 }], 'matching.numTaskqueueWritePartitions': [{ value: 1 }] });
  });

  test('settings from the environment come last, over those of the topology', () => {
    const env = { TEMPORAL_SERVER_DYNAMIC_CONFIG: '{"system.forceSearchAttributesCacheRefreshOnRead":true,"history.cacheTTL":"10m"}' };
    expect(serverDynamicConfig('dev', env)).toEqual({
      'system.forceSearchAttributesCacheRefreshOnRead': true,
      'history.cacheTTL': '10m',
    });
  });

  test('a bad knob is refused, naming the variable', () => {
    expect(() => experimentDynamicConfig({ TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: '0' })).toThrow(ConfigurationError);
    expect(() => experimentDynamicConfig({ TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: 'four' })).toThrow(/TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS/);
    expect(() => experimentDynamicConfig({ TEMPORAL_SERVER_DYNAMIC_CONFIG: '[1]' })).toThrow(/TEMPORAL_SERVER_DYNAMIC_CONFIG/);
    expect(() => experimentDynamicConfig({ TEMPORAL_SERVER_DYNAMIC_CONFIG: '{' })).toThrow(/TEMPORAL_SERVER_DYNAMIC_CONFIG/);
  });
});
