import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces go through the payload codec too (they are plaintext otherwise). Loaded by
 * path (failureConverterPath) because the workflow sandbox needs it as well.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
