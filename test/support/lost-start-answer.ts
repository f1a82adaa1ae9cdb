import { ServiceError, type Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { pause } from './wait-until';

/**
 * Fault injection between the API and Temporal: for a chosen payment, update-with-start goes through (the
 * workflow starts, the update is admitted) but the API is told the call failed, as when its answer is lost to a
 * timeout or a dropped connection. The API then answers 503 and drops the card it held.
 */
export class LostStartAnswer {
  private readonly armed = new Set<string>();
  /** The Temporal client the injector watches the workflow with (set once the stack is up). */
  observer?: Client;

  loseNextAnswerFor(workflowId: string): void {
    this.armed.add(workflowId);
  }

  readonly interceptor: WorkflowClientInterceptor = {
    startUpdateWithStart: async (input, next) => {
      const workflowId = input.workflowStartOptions.workflowId;
      if (!this.armed.delete(workflowId)) return next(input);
      next(input).catch(() => undefined);
      // Fail only once the workflow exists: the failure lands between the start and the first outcome.
      while (!(await this.workflowExists(workflowId))) await pause(10);
      throw new ServiceError('update-with-start: the answer was lost (injected)');
    },
  };

  private async workflowExists(workflowId: string): Promise<boolean> {
    if (!this.observer) throw new Error('LostStartAnswer.observer is not set');
    return this.observer.workflow.getHandle(workflowId).describe().then(() => true, () => false);
  }
}
