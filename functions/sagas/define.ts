/**
 * A saga, declared once: its name (also the state machine's name in the manifest), the type of
 * resource it works on, and its forward steps in order. The operation record lists these steps;
 * the ASL file runs them, with a compensation state `Undo<Step>` for each step that has one.
 */
import type { Actor } from '../events/define';

export interface SagaSpec {
  /** PascalCase: `TenantProvisioning`. The operation's `type` and the state machine's name. */
  name: string;
  resourceType: string;
  /** Forward steps in the order they run: the Task state names of the ASL file. */
  steps: readonly string[];
}

export function defineSaga<const S extends SagaSpec>(spec: S): S {
  if (!/^[A-Z][A-Za-z0-9]+$/.test(spec.name)) throw new Error(`saga ${spec.name} is not PascalCase`);
  if (spec.steps.length === 0) throw new Error(`saga ${spec.name} has no steps`);
  for (const step of spec.steps) if (!/^[A-Z][A-Za-z0-9]+$/.test(step)) throw new Error(`${spec.name}: step ${step} is not PascalCase`);
  if (new Set(spec.steps).size !== spec.steps.length) throw new Error(`${spec.name}: duplicate step names`);
  return spec;
}

/** Who a saga's changes are attributed to in events and the audit trail. */
export function sagaActor(saga: Pick<SagaSpec, 'name'>): Actor {
  return `system:${saga.name}`;
}

/** The fault-injection point of a step (`TenantProvisioning.ApplyQuotas`) or its compensation (`...UndoApplyQuotas`). */
export function faultPoint(saga: Pick<SagaSpec, 'name'>, state: string): string {
  return `${saga.name}.${state}`;
}

export const undoStateName = (step: string) => `Undo${step}`;
export const MARK_FAILED_STATE = 'MarkFailed';
