/** Which compute provider a process uses. */
import { computeProvider } from '../../../functions/providers';

const saved = process.env.COMPUTE_PROVIDER;
afterEach(() => {
  if (saved === undefined) delete process.env.COMPUTE_PROVIDER;
  else process.env.COMPUTE_PROVIDER = saved;
});

describe('computeProvider', () => {
  it('is the simulated provider by default, one per process', () => {
    // Prepare
    delete process.env.COMPUTE_PROVIDER;
    // Act
    const first = computeProvider();
    process.env.COMPUTE_PROVIDER = 'simulated';
    const second = computeProvider();
    // Assess
    expect(first.name).toBe('simulated');
    expect(second).toBe(first);
  });

  it.each(['openstack', 'constructor', 'SIMULATED'])('refuses a provider it does not have (%s)', (name) => {
    process.env.COMPUTE_PROVIDER = name;
    expect(() => computeProvider()).toThrow(`COMPUTE_PROVIDER is "${name}", which is not a compute provider of this platform (known: simulated)`);
  });
});
