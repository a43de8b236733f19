/**
 * The four instance sagas. They share one definition (statemachines/instance-lifecycle.asl.json)
 * and one set of Task handlers, which pick the saga by the operation's type; each keeps its own
 * name, so operations read `InstanceStop`, and fault points `InstanceStop.CallProvider`.
 */
import { defineSaga, type SagaSpec } from '../../sagas/define';

const steps = ['CallProvider', 'Complete'] as const;

export const instanceLaunch = defineSaga({ name: 'InstanceLaunch', resourceType: 'instance', steps });
export const instanceStop = defineSaga({ name: 'InstanceStop', resourceType: 'instance', steps });
export const instanceReboot = defineSaga({ name: 'InstanceReboot', resourceType: 'instance', steps });
export const instanceTermination = defineSaga({ name: 'InstanceTermination', resourceType: 'instance', steps });

export const INSTANCE_SAGAS: readonly SagaSpec[] = [instanceLaunch, instanceStop, instanceReboot, instanceTermination];
