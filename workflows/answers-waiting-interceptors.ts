/** Not a workflow: notes each update the workflow takes, so a quick path knows an answer waits on the task. */
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { noteUpdateTaken } from './answers-waiting';

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [
    {
      // A rejection, too, leaves only with the task.
      validateUpdate(input, next) {
        noteUpdateTaken();
        next(input);
      },
      handleUpdate(input, next) {
        noteUpdateTaken();
        return next(input);
      },
    },
  ],
});
