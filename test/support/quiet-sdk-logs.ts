import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes (INFO) and expected activity failures (WARN: every decline the tests provoke) drown test
// output; errors still show.
Runtime.install({ logger: new DefaultLogger('ERROR') });
