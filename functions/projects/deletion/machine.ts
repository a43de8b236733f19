/** The ProjectDeletion state machine and the rule that starts it, as the manifest lists them. */
import type { EventRuleSpec, StateMachineSpec } from '../../kit/declarations';
import { projectDeletionStarted } from '../events';
import { projectDeletion } from './saga';

export const projectDeletionMachine: StateMachineSpec = {
  name: projectDeletion.name,
  definition: 'statemachines/project-deletion.asl.json',
  tasks: {
    TerminateResourcesFn: 'projects/deletion/terminate-resources',
    AwaitTerminationFn: 'projects/deletion/await-termination',
    DeleteProjectFn: 'projects/deletion/delete-project',
    UndoTerminateResourcesFn: 'projects/deletion/undo-terminate-resources',
    MarkFailedFn: 'projects/deletion/mark-failed',
  },
  description: "Deletes a project with its resources: asks every live resource to terminate, waits until none is left, deletes the project; reopens it if that fails.",
};

export const startProjectDeletion: EventRuleSpec = {
  name: 'StartProjectDeletion',
  pattern: { source: [projectDeletionStarted.source], 'detail-type': [projectDeletionStarted.detailType] },
  target: { stateMachine: projectDeletion.name },
  description: 'project.deletion_started starts the ProjectDeletion saga with the event as its input.',
};
