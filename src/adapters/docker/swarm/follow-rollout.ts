import type Docker from 'dockerode';
import { z } from 'zod';
import { SwarmService, SwarmTask } from './swarm-schema.js';

export type Log = (...lines: string[]) => Promise<void>;

/** How a rollout ended: done, rolled back or paused by the swarm, or still going when its time ran out. */
export type RolloutEnd =
  | { state: 'done' }
  | { state: 'rolled back' | 'paused' | 'rollback paused'; message: string; taskError?: string }
  | { state: 'timed out'; running: number; taskError?: string };

export type Rollout = {
  /** The service's name. */
  name: string;
  /** The run whose tasks are followed (their containers carry its `slipway.run` label). */
  runId: string;
  replicas: number;
  /** The `UpdateStatus.StartedAt` before this rollout: a status with that start is an older rollout's. */
  previousStart?: string;
  timeoutMs: number;
  log: Log;
  pollMs?: number;
};

const TASK_FAILED = new Set(['failed', 'rejected', 'orphaned']);

export async function inspectService(docker: Docker, name: string): Promise<SwarmService | undefined> {
  try {
    return SwarmService.parse(await docker.getService(name).inspect());
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

export async function tasksOf(docker: Docker, name: string): Promise<SwarmTask[]> {
  return z.array(SwarmTask).parse(await docker.listTasks({ filters: { service: [name] } }));
}

/**
 * Follows a service's rollout of one run's tasks until the swarm says it is over: updated (all replicas of
 * the run running, and the update, if any, completed after its monitor period), rolled back, or paused; or
 * until `timeoutMs`. Logs "3/5 tasks updated" as the count changes. A task's error is remembered as soon as
 * it is seen: the swarm shuts a failed task down during its rollback, and its error is gone then.
 */
export async function followRollout(docker: Docker, rollout: Rollout): Promise<RolloutEnd> {
  const { name, runId, replicas, log } = rollout;
  const deadline = Date.now() + rollout.timeoutMs;
  const errors = new Map<string, string>();
  let shown = -1;
  let rollingBack = false;
  const taskError = () => describeErrors(errors);
  for (;;) {
    const [service, tasks] = await Promise.all([inspectService(docker, name), tasksOf(docker, name)]);
    if (!service) return { state: 'rolled back', message: `the service ${name} was removed while slipway followed its update` };
    const ours = tasks.filter((task) => task.Spec.ContainerSpec.Labels['slipway.run'] === runId);
    for (const task of ours) {
      const error = task.Status.Err ?? (TASK_FAILED.has(task.Status.State) ? `${task.Status.State}: ${task.Status.Message ?? ''}` : undefined);
      if (error) errors.set(task.ID, error);
      else if (task.Status.State === 'running' || task.Status.State === 'complete' || task.Status.State === 'shutdown') await noteUnhealthy(docker, task, errors);
    }
    const running = ours.filter((task) => task.DesiredState === 'running' && task.Status.State === 'running').length;
    const status = service.UpdateStatus && service.UpdateStatus.StartedAt !== rollout.previousStart ? service.UpdateStatus : undefined;
    const state = status?.State;
    const message = status?.Message ?? '';

    if (state === 'rollback_completed') return { state: 'rolled back', message, taskError: taskError() };
    if (state === 'rollback_paused') return { state: 'rollback paused', message, taskError: taskError() };
    if (state === 'paused') return { state: 'paused', message, taskError: taskError() };
    if (state === 'rollback_started') {
      if (!rollingBack) await log(`the swarm is rolling ${name} back: ${message}${taskError() ? ` (${taskError()})` : ''}`);
      rollingBack = true;
    } else if (running !== shown) {
      await log(`${running}/${replicas} tasks updated`);
      shown = running;
    }
    // No update status: a new service, or a spec the swarm had nothing to roll out for (the same run again).
    if (!rollingBack && running >= replicas && (state === 'completed' || state === undefined)) return { state: 'done' };
    if (Date.now() >= deadline) return { state: 'timed out', running, taskError: taskError() };
    await new Promise((resolve) => setTimeout(resolve, rollout.pollMs ?? 500));
  }
}

/**
 * Follows a rollback slipway asked for (rollback: previous) until the swarm says it is over, or `timeoutMs`.
 * Answers how it ended, in words for the failure alert.
 */
export async function followRollback(docker: Docker, name: string, previousStart: string | undefined, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const service = await inspectService(docker, name);
    const status = service?.UpdateStatus && service.UpdateStatus.StartedAt !== previousStart ? service.UpdateStatus : undefined;
    if (status?.State === 'rollback_completed') return 'the swarm rolled it back to the previous release';
    if (status?.State === 'rollback_paused') return `the rollback paused too (${status.Message ?? ''}): look at docker service ps ${name}`;
    if (Date.now() >= deadline) return `the rollback had not finished ${Math.round(timeoutMs / 1000)} s later: look at docker service ps ${name}`;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * A task whose container failed its health check may leave no error on the task (the rollback shut it down
 * first): on a manager that also runs the task, the container's last health check says why.
 */
async function noteUnhealthy(docker: Docker, task: SwarmTask, errors: Map<string, string>): Promise<void> {
  const id = task.Status.ContainerStatus?.ContainerID;
  if (!id || errors.has(task.ID)) return;
  try {
    const container = await docker.getContainer(id).inspect();
    const health = container.State.Health;
    if (health?.Status !== 'unhealthy') return;
    const last = health.Log?.at(-1);
    errors.set(task.ID, `health check failed${last ? ` (exit ${last.ExitCode}${last.Output.trim() ? `: ${last.Output.trim().split('\n').pop()}` : ''})` : ''}`);
  } catch {
    // On another node, or gone already: the task's own error is all there is.
  }
}

function describeErrors(errors: Map<string, string>): string | undefined {
  const [first] = errors;
  if (!first) return undefined;
  const [id, error] = first;
  const more = errors.size > 1 ? ` (and ${errors.size - 1} more failed task${errors.size > 2 ? 's' : ''})` : '';
  return `task ${id.slice(0, 12)}: ${error}${more}`;
}
