/**
 * The compute provider of this deployment, chosen by COMPUTE_PROVIDER (default `simulated`).
 * One per process per name; a provider reads its own tunables (the simulated delays) at each call,
 * so changing them needs no new provider.
 */
import type { ComputeProvider } from './provider';
import { createSimulatedProvider } from './simulated';

const FACTORIES: Record<string, () => ComputeProvider> = {
  simulated: () => createSimulatedProvider(),
};

const made = new Map<string, ComputeProvider>();

export function computeProvider(): ComputeProvider {
  const name = process.env.COMPUTE_PROVIDER || 'simulated';
  if (!Object.hasOwn(FACTORIES, name)) {
    throw new Error(`COMPUTE_PROVIDER is "${name}", which is not a compute provider of this platform (known: ${Object.keys(FACTORIES).join(', ')})`);
  }
  let provider = made.get(name);
  if (!provider) {
    provider = (FACTORIES[name] as () => ComputeProvider)();
    made.set(name, provider);
  }
  return provider;
}
