/**
 * Every domain's route targets, registered in networking's registry (networking/route-targets.ts).
 * Networking may not import the domains above it, so the handlers that add or remove routes (or
 * delete route tables) import this module for its effect: `import '../wiring/route-targets';`.
 * A domain whose resources become route targets adds its registering module here.
 */
import '../compute/route-target';
