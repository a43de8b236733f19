/**
 * The data plane behind the compute API: what a hypervisor fleet does for an instance. The sagas
 * call it; the API never does (a request only commits its transaction). The platform ships a
 * simulated provider (./simulated.ts), deterministic and fault-injectable, the way OpenStack ships
 * a fake driver; a real one implements this interface and is chosen by COMPUTE_PROVIDER.
 *
 * Every call is idempotent on the instance id: the sagas retry, and a retried launch, stop or
 * terminate must find its own earlier effect rather than make a second machine.
 */
export type ProviderState = 'pending' | 'running' | 'stopping' | 'stopped' | 'rebooting' | 'shutting-down' | 'terminated';

export interface InstanceRef {
  tenantId: string;
  instanceId: string;
}

export interface FlavorShape {
  flavorId: string;
  vcpus: number;
  memoryMib: number;
}

export interface LaunchSpec extends InstanceRef, FlavorShape {
  imageId: string;
  subnetId: string;
  availabilityZone: string;
  privateIpAddress: string;
  publicIpAddress?: string;
  rootVolumeGb: number;
  userData?: string;
}

export interface ProviderInstance {
  instanceId: string;
  /** The data plane's own id for the machine. */
  providerId: string;
  state: ProviderState;
  flavorId: string;
  vcpus: number;
  memoryMib: number;
  /** When the machine entered `state`. */
  stateChangedAt: string;
}

/** One five-minute period of an instance's activity, as the data plane measured it. */
export interface MetricSample {
  periodStart: string;
  periodSeconds: number;
  cpuPercent: number;
  memoryBytes: number;
  memoryPercent: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  diskReadOps: number;
  diskWriteOps: number;
  networkBytesIn: number;
  networkBytesOut: number;
  networkPackets: number;
}

export interface ComputeProvider {
  readonly name: string;
  /** Creates the machine (or returns the one this instance already has) and boots it. */
  launch(spec: LaunchSpec): Promise<ProviderInstance>;
  /** Boots a stopped machine (a running or booting one is left as it is). */
  start(ref: InstanceRef): Promise<ProviderInstance>;
  /** Stops a running machine (a stopping or stopped one is left as it is). */
  stop(ref: InstanceRef): Promise<ProviderInstance>;
  /** Restarts a running machine; it is `rebooting`, then `running` again. */
  reboot(ref: InstanceRef): Promise<ProviderInstance>;
  /** Gives a stopped machine another flavor. */
  resize(ref: InstanceRef, flavor: FlavorShape): Promise<ProviderInstance>;
  /** Destroys the machine; `undefined` when there never was one (nothing to do). */
  terminate(ref: InstanceRef): Promise<ProviderInstance | undefined>;
  /** The machine as the data plane sees it now; `undefined` when there is none. */
  describe(ref: InstanceRef): Promise<ProviderInstance | undefined>;
  /** The instance's activity in the period starting at `periodStart`. */
  sampleMetrics(ref: InstanceRef, periodStart: Date, periodSeconds: number): Promise<MetricSample>;
}
