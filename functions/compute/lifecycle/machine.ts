/** The InstanceLifecycle state machine and the rule that starts it, as the manifest lists them. */
import type { EventRuleSpec, StateMachineSpec } from '../../kit/declarations';
import { instancePending, instanceRebooting, instanceShuttingDown, instanceStopping } from '../events';

export const INSTANCE_LIFECYCLE = 'InstanceLifecycle';

export const instanceLifecycleMachine: StateMachineSpec = {
  name: INSTANCE_LIFECYCLE,
  definition: 'statemachines/instance-lifecycle.asl.json',
  tasks: {
    CallProviderFn: 'compute/lifecycle/call-provider',
    AwaitProviderFn: 'compute/lifecycle/await-provider',
    CompleteFn: 'compute/lifecycle/complete',
    UndoCallProviderFn: 'compute/lifecycle/undo-call-provider',
    MarkFailedFn: 'compute/lifecycle/mark-failed',
  },
  description:
    'Runs the instance sagas (InstanceLaunch, InstanceStop, InstanceReboot, InstanceTermination): asks the data plane, waits for the machine, moves the instance on; compensates a failed launch.',
};

const starters = [instancePending, instanceStopping, instanceRebooting, instanceShuttingDown];

export const startInstanceLifecycle: EventRuleSpec = {
  name: 'StartInstanceLifecycle',
  pattern: { source: [instancePending.source], 'detail-type': starters.map((event) => event.detailType) },
  target: { stateMachine: INSTANCE_LIFECYCLE },
  description: 'instance.pending, .stopping, .rebooting and .shutting_down start the InstanceLifecycle state machine with the event as its input.',
};
