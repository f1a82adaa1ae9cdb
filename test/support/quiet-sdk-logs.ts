import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes (INFO) and expected activity failures (WARN: every decline the tests provoke) drown test
// output; so do the core's own warnings under the load tests (slow workflow tasks, evicted runs); errors still show.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
