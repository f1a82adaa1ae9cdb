/** Not a workflow: every local activity a workflow schedules waits for its turn (local-activity-turns). */
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { inTurn } from './local-activity-turns';

export const interceptors = (): WorkflowInterceptors => ({
  outbound: [
    {
      scheduleLocalActivity(input, next) {
        return inTurn(() => next(input));
      },
    },
  ],
});
